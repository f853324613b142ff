"""Aggregator-facing games API: mint launch tokens, list operators."""

from flask import g
from flask.views import MethodView

from common.auth import require_aggregator
from common.operator_schemas import OperatorListSchema
from common.operators import list_operators
from common.schemas import PageQuerySchema
from common.web import Blueprint, documented
from games.schemas.launch_tokens import LaunchTokenRequestSchema, LaunchTokenSchema
from games.services.launch_tokens import mint_launch_token

blp = Blueprint(
    "aggregator_games",
    __name__,
    url_prefix="/v1/aggregator/operators",
    description="Launch tokens for your players (X-Aggregator-Key).",
)

MINT_BODY = {
    "required": True,
    "content": {"application/json": {"schema": LaunchTokenRequestSchema}},
}


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


@blp.route("/<string:operator_code>/launch-tokens")
class LaunchTokens(MethodView):
    # The body is read inside the service, after the operator checks: SPEC section 4 fixes the
    # order key (401), operator (404), disabled (422), RS256 (422), game, currency, body (422).
    @require_aggregator
    @blp.doc(requestBody=MINT_BODY)
    @blp.response(201, LaunchTokenSchema)
    @documented(blp, "AggregatorKey", 400, 401, 404, 413, 415, 422, 429)
    def post(self, operator_code):
        """Mint a single-use HS256 launch token for a player"""
        return mint_launch_token(g.aggregator, operator_code)
