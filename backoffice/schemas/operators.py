"""Operator payloads: create bodies, the public view, and the once-only secrets."""

from marshmallow import Schema, fields, post_dump, validate

from common.operator_schemas import OperatorSchema
from common.schemas import validate_code, validate_display_text, validate_http_url


class OperatorCreateSchema(Schema):
    code = fields.String(required=True, validate=validate_code, metadata={"example": "mybrand"})
    name = fields.String(
        required=True, validate=[validate.Length(min=1, max=200), validate_display_text]
    )
    wallet_base_url = fields.String(
        data_key="walletBaseUrl", required=True, validate=validate_http_url
    )
    game_frontend_base_url = fields.String(
        data_key="gameFrontendBaseUrl", required=True, validate=validate_http_url
    )
    wallet_timeout_ms = fields.Integer(
        data_key="walletTimeoutMs",
        strict=True,
        load_default=5000,
        validate=validate.Range(min=100, max=30000),
    )


class AdminOperatorCreateSchema(OperatorCreateSchema):
    aggregator_id = fields.String(data_key="aggregatorId", validate=validate.Length(min=1, max=36))
    jwt_alg = fields.String(
        data_key="jwtAlg", load_default="HS256", validate=validate.OneOf(["HS256", "RS256"])
    )
    jwt_public_key = fields.String(
        data_key="jwtPublicKey",
        validate=validate.Length(max=10000),
        metadata={"description": "PEM RSA public key (2048 bits or more); RS256 only."},
    )


class OperatorWithSecretsSchema(OperatorSchema):
    jwtSharedSecret = fields.String(
        attribute="jwt_shared_secret", metadata={"description": "HS256 only; shown once."}
    )
    walletHmacSecret = fields.String(
        attribute="wallet_hmac_secret", metadata={"description": "Shown once."}
    )

    @post_dump
    def omit_missing_jwt_secret(self, data, **kwargs):
        """An RS256 operator has no shared secret: leave the key out rather than send null."""
        if data.get("jwtSharedSecret") is None:
            data.pop("jwtSharedSecret", None)
        return data


class OperatorEnvelopeSchema(Schema):
    operator = fields.Nested(OperatorSchema)


class OperatorSecretsEnvelopeSchema(Schema):
    operator = fields.Nested(OperatorWithSecretsSchema)
