"""The calling aggregator's own profile."""

from flask import g
from flask.views import MethodView

from backoffice.schemas.aggregators import AggregatorEnvelopeSchema
from common.auth import require_aggregator
from common.web import Blueprint, documented

blp = Blueprint(
    "aggregator",
    __name__,
    url_prefix="/api/v1/bo/aggregator",
    description="Your aggregator account.",
)


@blp.route("/me")
class Me(MethodView):
    @require_aggregator
    @blp.response(200, AggregatorEnvelopeSchema)
    @documented(blp, "AggregatorKey", 401, 429)
    def get(self):
        """Return your aggregator profile"""
        return {"aggregator": g.aggregator}
