"""How an operator is shown by both APIs: never with its secrets."""

from marshmallow import Schema, fields

from common.schemas import Timestamp, next_cursor_field


class OperatorSchema(Schema):
    id = fields.String()
    code = fields.String()
    name = fields.String()
    jwtAlg = fields.String(attribute="jwt_alg")
    walletBaseUrl = fields.String(attribute="wallet_base_url")
    gameFrontendBaseUrl = fields.String(attribute="game_frontend_base_url")
    walletTimeoutMs = fields.Integer(attribute="wallet_timeout_ms")
    status = fields.String(metadata={"enum": ["active", "disabled"]})
    aggregatorId = fields.String(attribute="aggregator_id", allow_none=True)
    createdAt = Timestamp(attribute="created_at")


class OperatorListSchema(Schema):
    operators = fields.List(fields.Nested(OperatorSchema))
    next_cursor = next_cursor_field()
