"""The request bodies of /auth, /bet, /win and /rollback, validated with marshmallow.

Unknown fields are ignored rather than refused, so that the platform can add a field without
breaking wallets that do not know it yet.
"""

from decimal import Decimal

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from common.money import AmountError, parse_amount
from refwallet.quickload import QuickLoad

CURRENCY = validate.Regexp(r"^[A-Z0-9]{2,10}$", error="Must be 2 to 10 capital letters or digits.")


def _text(max_length, data_key=None):
    return fields.String(
        required=True, data_key=data_key, validate=validate.Length(min=1, max=max_length)
    )


class Amount(fields.Field):
    """A decimal string parsed exactly to Decimal; JSON numbers are refused (they may be floats)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError('Must be a decimal string such as "0.5".')
        try:
            return parse_amount(value)
        except AmountError as exc:
            raise ValidationError(str(exc)) from None


POSITIVE = validate.Range(min=Decimal(0), min_inclusive=False, error="Must be greater than 0.")
NOT_NEGATIVE = validate.Range(min=Decimal(0), error="Must not be negative.")


class CallSchema(Schema):
    """What every call carries."""

    class Meta:
        unknown = EXCLUDE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._quick_load = QuickLoad(self)

    def load(self, data, *, many=None, partial=None, unknown=None):
        """A valid body takes the quick path (quickload.py); anything else marshmallow's own."""
        if many is None and partial is None and unknown is None:
            result = self._quick_load(data)
            if result is not None:
                return result
        return super().load(data, many=many, partial=partial, unknown=unknown)

    request_id = _text(128, "requestId")
    operator = _text(64)
    sub = _text(255)
    currency = fields.String(required=True, validate=CURRENCY)
    session_id = _text(255, "sessionId")


class AuthSchema(CallSchema):
    """POST /auth."""


class BetSchema(CallSchema):
    """POST /bet: `amount` > 0."""

    transaction_id = _text(128, "transactionId")
    round_id = _text(128, "roundId")
    game = _text(64)
    amount = Amount(required=True, validate=POSITIVE)


class WinSchema(BetSchema):
    """POST /win: `amount` >= 0 (a win of "0" closes a lost round) and the bet it settles."""

    amount = Amount(required=True, validate=NOT_NEGATIVE)
    reference_transaction_id = _text(128, "referenceTransactionId")

    @validates_schema
    def refers_to_another_transaction(self, data, **kwargs):
        if data.get("reference_transaction_id") == data.get("transaction_id"):
            raise ValidationError(
                "Must be the bet's transactionId, not this call's.", "referenceTransactionId"
            )


class RollbackSchema(WinSchema):
    """POST /rollback: voids the bet `referenceTransactionId`; its own amount is informative."""
