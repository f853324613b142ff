"""Round history as an aggregator sees it: filters, rounds, wallet transactions, attempts."""

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from common.catalog import GAME_CATALOG
from common.round_schemas import RoundSchema
from common.schemas import Amount, PageQuerySchema, Timestamp, is_lookup_key, next_cursor_field
from common.settlement import ROUND_STATUSES


def _no_nul(value):
    if not is_lookup_key(value):  # PostgreSQL refuses NUL in a query: a 500, not a filter
        raise ValidationError("Must not contain NUL characters.")


class RoundFilterSchema(PageQuerySchema):
    player = fields.String(validate=[validate.Length(min=1, max=128), _no_nul])
    game = fields.String(validate=validate.OneOf(GAME_CATALOG))
    status = fields.String(validate=validate.OneOf(ROUND_STATUSES))
    # Both ends read a timestamp without an offset as UTC, like every time the API shows.
    from_ = fields.AwareDateTime(
        data_key="from", default_timezone=UTC, metadata={"example": "2026-01-01T00:00:00Z"}
    )
    to = fields.AwareDateTime(default_timezone=UTC, metadata={"example": "2026-02-01T00:00:00Z"})

    @validates_schema
    def range_in_order(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("from must not be after to.", "from")


class OperatorRoundSchema(RoundSchema):
    player = fields.String(attribute="sub")
    payout = Amount(allow_none=True)
    multiplier = Amount(allow_none=True)
    outcome = fields.Dict(allow_none=True)
    updatedAt = Timestamp(attribute="updated_at")


class AttemptSchema(Schema):
    requestId = fields.String(attribute="request_id")
    startedAt = Timestamp(attribute="started_at")
    durationMs = fields.Integer(attribute="duration_ms")
    outcome = fields.String()
    detail = fields.String(allow_none=True)


class TransactionSchema(Schema):
    transactionId = fields.String(attribute="id")
    kind = fields.String(metadata={"enum": ["bet", "win", "rollback"]})
    amount = Amount()
    referenceTransactionId = fields.String(attribute="reference", allow_none=True)
    status = fields.String(metadata={"enum": ["pending", "acknowledged", "refused", "unknown"]})
    attempts = fields.Integer()
    nextAttemptAt = Timestamp(attribute="next_attempt_at", allow_none=True)
    lastError = fields.String(attribute="last_error", allow_none=True)
    balance = Amount(allow_none=True)
    createdAt = Timestamp(attribute="created_at")
    acknowledgedAt = Timestamp(attribute="acknowledged_at", allow_none=True)
    attemptLog = fields.List(fields.Nested(AttemptSchema), attribute="attempt_list")


class OperatorRoundDetailSchema(OperatorRoundSchema):
    transactions = fields.List(fields.Nested(TransactionSchema), attribute="transaction_list")


class RoundListSchema(Schema):
    rounds = fields.List(fields.Nested(OperatorRoundSchema))
    next_cursor = next_cursor_field()


class RoundDetailEnvelopeSchema(Schema):
    round = fields.Nested(OperatorRoundDetailSchema)
