"""Liveness: the cheapest request the platform serves (the benchmarks' baseline)."""

from flask.views import MethodView
from marshmallow import Schema, fields

from common.web import Blueprint

blp = Blueprint("health", __name__, url_prefix="/v1", description="Service health.")


class HealthSchema(Schema):
    status = fields.String(metadata={"example": "ok"})


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """Report that the service is up"""
        return {"status": "ok"}
