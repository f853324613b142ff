"""Platform admin: operators of any aggregator; enable and disable also for the owner."""

from flask import g
from flask.views import MethodView

from backoffice.schemas.operators import (
    AdminOperatorCreateSchema,
    OperatorEnvelopeSchema,
    OperatorSecretsEnvelopeSchema,
)
from backoffice.services.operators import (
    create_operator,
    find_aggregator_for_operator,
    rotate_operator_secrets,
    set_operator_status,
)
from common.auth import require_admin, require_admin_or_aggregator
from common.operators import find_operator
from common.web import Blueprint, documented

blp = Blueprint(
    "admin_operators",
    __name__,
    url_prefix="/api/v1/bo/operators",
    description="Operators as the platform admin sees them (X-Admin-Key); the owning "
    "aggregator may enable and disable its own with X-Aggregator-Key.",
)


@blp.route("")
class AdminOperators(MethodView):
    @require_admin
    @blp.arguments(AdminOperatorCreateSchema)
    @blp.response(201, OperatorSecretsEnvelopeSchema)
    @documented(blp, "AdminKey", 400, 401, 409, 413, 415, 429)
    def post(self, data):
        """Create an operator, HS256 or RS256, optionally owned by an aggregator"""
        aggregator = None
        if data.get("aggregator_id"):
            aggregator = find_aggregator_for_operator(data["aggregator_id"])
        return {"operator": create_operator(data, aggregator=aggregator)}


def _status_view(enabled, summary):
    class StatusView(MethodView):
        @require_admin_or_aggregator
        @blp.response(200, OperatorEnvelopeSchema)
        @blp.doc(summary=summary, security=[{"AdminKey": []}, {"AggregatorKey": []}])
        @documented(blp, None, 401, 404, 429)
        def post(self, operator_id):
            operator = find_operator(operator_id, g.aggregator)
            return {"operator": set_operator_status(operator, enabled)}

    return StatusView


blp.route("/<string:operator_id>/enable", endpoint="EnableOperator")(
    _status_view(True, "Enable an operator")
)
blp.route("/<string:operator_id>/disable", endpoint="DisableOperator")(
    _status_view(False, "Disable an operator: launches and bets are refused")
)


@blp.route("/<string:operator_id>/rotate-secrets")
class RotateOperatorSecrets(MethodView):
    @require_admin
    @blp.response(200, OperatorSecretsEnvelopeSchema)
    @documented(blp, "AdminKey", 401, 404, 429)
    def post(self, operator_id):
        """Issue new operator secrets (shown once); the old ones stop working at once"""
        return {"operator": rotate_operator_secrets(find_operator(operator_id))}
