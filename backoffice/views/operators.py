"""An aggregator's operators and their config."""

from flask import g
from flask.views import MethodView

from backoffice.schemas.config import OperatorConfigEnvelopeSchema, OperatorConfigInSchema
from backoffice.schemas.operators import (
    OperatorCreateSchema,
    OperatorEnvelopeSchema,
    OperatorSecretsEnvelopeSchema,
)
from backoffice.schemas.rounds import RoundDetailEnvelopeSchema, RoundFilterSchema, RoundListSchema
from backoffice.services.operator_config import replace_operator_config
from backoffice.services.operators import create_operator
from backoffice.services.rounds import list_rounds, round_detail
from common.auth import require_aggregator
from common.operator_config import read_operator_config
from common.operator_schemas import OperatorListSchema
from common.operators import find_operator, list_operators
from common.schemas import PageQuerySchema
from common.web import Blueprint, documented

blp = Blueprint(
    "operators",
    __name__,
    url_prefix="/api/v1/bo/aggregator/operators",
    description="Operators (white-label brands) owned by your aggregator.",
)


@blp.route("")
class Operators(MethodView):
    @require_aggregator
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, OperatorListSchema)
    @documented(blp, "AggregatorKey", 401, 429)
    def get(self, page):
        """List your operators, oldest first"""
        operators, next_cursor = list_operators(g.aggregator, page["limit"], page.get("cursor"))
        return {"operators": operators, "next_cursor": next_cursor}

    @require_aggregator
    @blp.arguments(OperatorCreateSchema)
    @blp.response(201, OperatorSecretsEnvelopeSchema)
    @documented(blp, "AggregatorKey", 400, 401, 409, 413, 415, 429)
    def post(self, data):
        """Create an operator; its secrets are in this response only"""
        return {"operator": create_operator(data, aggregator=g.aggregator)}


@blp.route("/<string:operator_id>")
class OperatorById(MethodView):
    @require_aggregator
    @blp.response(200, OperatorEnvelopeSchema)
    @documented(blp, "AggregatorKey", 401, 404, 429)
    def get(self, operator_id):
        """Read an operator by id or code"""
        return {"operator": find_operator(operator_id, g.aggregator)}


@blp.route("/<string:operator_id>/config")
class OperatorConfig(MethodView):
    @require_aggregator
    @blp.response(200, OperatorConfigEnvelopeSchema)
    @documented(blp, "AggregatorKey", 401, 404, 429)
    def get(self, operator_id):
        """Read an operator's current config"""
        operator = find_operator(operator_id, g.aggregator)
        return {"config": read_operator_config(operator.id)}

    @require_aggregator
    @blp.arguments(OperatorConfigInSchema)
    @blp.response(200, OperatorConfigEnvelopeSchema)
    @documented(blp, "AggregatorKey", 400, 401, 404, 413, 415, 429)
    def put(self, data, operator_id):
        """Replace an operator's config: games, currencies with bet limits, flags"""
        operator = find_operator(operator_id, g.aggregator)
        return {"config": replace_operator_config(operator, data)}


@blp.route("/<string:operator_id>/rounds")
class OperatorRounds(MethodView):
    @require_aggregator
    @blp.arguments(RoundFilterSchema, location="query")
    @blp.response(200, RoundListSchema)
    @documented(blp, "AggregatorKey", 401, 404, 429)
    def get(self, filters, operator_id):
        """An operator's rounds, newest first (filters: player, game, status, from, to)"""
        operator = find_operator(operator_id, g.aggregator)
        rounds, next_cursor = list_rounds(operator, filters)
        return {"rounds": rounds, "next_cursor": next_cursor}


@blp.route("/<string:operator_id>/rounds/<string:round_id>")
class OperatorRoundById(MethodView):
    @require_aggregator
    @blp.response(200, RoundDetailEnvelopeSchema)
    @documented(blp, "AggregatorKey", 401, 404, 429)
    def get(self, operator_id, round_id):
        """One round with its wallet transactions and their attempts"""
        operator = find_operator(operator_id, g.aggregator)
        return {"round": round_detail(operator, round_id)}
