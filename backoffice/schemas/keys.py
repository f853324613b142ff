"""API key payloads: metadata only, the plaintext key once on issue."""

from marshmallow import Schema, fields, validate

from common.models import utcnow
from common.schemas import Timestamp, validate_display_text

MAX_SECONDS = 366 * 24 * 3600


def key_status(row):
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= utcnow():
        return "expired"
    return "active"


class ApiKeySchema(Schema):
    prefix = fields.String()
    label = fields.String(allow_none=True)
    status = fields.Function(key_status, metadata={"enum": ["active", "expired", "revoked"]})
    createdAt = Timestamp(attribute="created_at")
    lastUsedAt = Timestamp(attribute="last_used_at", allow_none=True)
    expiresAt = Timestamp(attribute="expires_at", allow_none=True)
    revokedAt = Timestamp(attribute="revoked_at", allow_none=True)


class ApiKeyEnvelopeSchema(Schema):
    key = fields.Nested(ApiKeySchema)


class IssuedKeySchema(Schema):
    apiKey = fields.String(metadata={"description": "prefix.secret, shown once; store it now."})
    key = fields.Nested(ApiKeySchema)


class ApiKeyListSchema(Schema):
    keys = fields.List(fields.Nested(ApiKeySchema))


class RotateKeySchema(Schema):
    label = fields.String(validate=[validate.Length(max=200), validate_display_text])
    expire_others_in_seconds = fields.Integer(
        data_key="expireOthersInSeconds",
        strict=True,
        validate=validate.Range(min=0, max=MAX_SECONDS),
        metadata={"description": "Every other active key expires this many seconds from now."},
    )


class IssueKeySchema(Schema):
    label = fields.String(validate=[validate.Length(max=200), validate_display_text])
    expires_in_seconds = fields.Integer(
        data_key="expiresInSeconds", strict=True, validate=validate.Range(min=1, max=MAX_SECONDS)
    )
