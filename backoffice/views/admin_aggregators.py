"""Platform admin: aggregator accounts and their keys."""

from flask.views import MethodView

from backoffice.schemas.aggregators import (
    AggregatorCreatedSchema,
    AggregatorEnvelopeSchema,
    AggregatorListSchema,
    AggregatorSchema,
)
from backoffice.schemas.keys import IssuedKeySchema, IssueKeySchema
from backoffice.services.aggregators import (
    create_aggregator,
    find_aggregator,
    list_aggregators,
    set_aggregator_status,
)
from backoffice.services.keys import issue_api_key
from common.auth import require_admin
from common.schemas import PageQuerySchema
from common.web import Blueprint, documented

blp = Blueprint(
    "admin_aggregators",
    __name__,
    url_prefix="/api/v1/bo/aggregators",
    description="Platform admin: aggregator accounts (X-Admin-Key).",
)


@blp.route("")
class Aggregators(MethodView):
    @require_admin
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, AggregatorListSchema)
    @documented(blp, "AdminKey", 401, 429)
    def get(self, page):
        """List aggregators, oldest first"""
        aggregators, next_cursor = list_aggregators(page["limit"], page.get("cursor"))
        return {"aggregators": aggregators, "next_cursor": next_cursor}

    @require_admin
    @blp.arguments(AggregatorSchema)
    @blp.response(201, AggregatorCreatedSchema)
    @documented(blp, "AdminKey", 400, 401, 409, 413, 415, 429)
    def post(self, data):
        """Create an aggregator and its first API key (shown once)"""
        aggregator, api_key = create_aggregator(data["code"], data["name"])
        return {"aggregator": aggregator, "apiKey": api_key}


@blp.route("/<string:aggregator_id>/enable")
class EnableAggregator(MethodView):
    @require_admin
    @blp.response(200, AggregatorEnvelopeSchema)
    @documented(blp, "AdminKey", 401, 404, 429)
    def post(self, aggregator_id):
        """Enable an aggregator (by id or code)"""
        return {"aggregator": set_aggregator_status(aggregator_id, enabled=True)}


@blp.route("/<string:aggregator_id>/disable")
class DisableAggregator(MethodView):
    @require_admin
    @blp.response(200, AggregatorEnvelopeSchema)
    @documented(blp, "AdminKey", 401, 404, 429)
    def post(self, aggregator_id):
        """Disable an aggregator: its keys stop working at once"""
        return {"aggregator": set_aggregator_status(aggregator_id, enabled=False)}


@blp.route("/<string:aggregator_id>/api-keys")
class AggregatorApiKeys(MethodView):
    @require_admin
    @blp.arguments(IssueKeySchema, required=False)
    @blp.response(201, IssuedKeySchema)
    @documented(blp, "AdminKey", 400, 401, 404, 413, 415, 429)
    def post(self, data, aggregator_id):
        """Issue another API key for an aggregator (shown once)"""
        aggregator = find_aggregator(aggregator_id)
        row, api_key = issue_api_key(aggregator, data.get("label"), data.get("expires_in_seconds"))
        return {"apiKey": api_key, "key": row}
