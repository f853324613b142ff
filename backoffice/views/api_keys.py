"""The calling aggregator's API keys: rotate, list, revoke."""

from flask import g
from flask.views import MethodView

from backoffice.schemas.keys import (
    ApiKeyEnvelopeSchema,
    ApiKeyListSchema,
    IssuedKeySchema,
    RotateKeySchema,
)
from backoffice.services.keys import list_api_keys, revoke_api_key, rotate_api_key
from common.auth import require_aggregator
from common.web import Blueprint, documented

blp = Blueprint(
    "api_keys",
    __name__,
    url_prefix="/api/v1/bo/aggregator/api-keys",
    description="Your API keys. Secrets are shown once, when a key is issued.",
)


@blp.route("")
class ApiKeys(MethodView):
    @require_aggregator
    @blp.response(200, ApiKeyListSchema)
    @documented(blp, "AggregatorKey", 401, 429)
    def get(self):
        """List your API keys (never their secrets)"""
        return {"keys": list_api_keys(g.aggregator)}


@blp.route("/rotate")
class RotateApiKey(MethodView):
    @require_aggregator
    @blp.arguments(RotateKeySchema, required=False)
    @blp.response(201, IssuedKeySchema)
    @documented(blp, "AggregatorKey", 400, 401, 413, 415, 429)
    def post(self, data):
        """Issue a new API key; old keys keep working until revoked or expired"""
        row, api_key = rotate_api_key(
            g.aggregator, data.get("label"), data.get("expire_others_in_seconds")
        )
        return {"apiKey": api_key, "key": row}


@blp.route("/<string:prefix>")
class ApiKeyByPrefix(MethodView):
    @require_aggregator
    @blp.response(200, ApiKeyEnvelopeSchema)
    @documented(blp, "AggregatorKey", 401, 404, 409, 429)
    def delete(self, prefix):
        """Revoke one of your keys (not the last active one)"""
        return {"key": revoke_api_key(g.aggregator, prefix)}
