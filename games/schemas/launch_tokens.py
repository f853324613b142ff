"""Launch-token mint payloads."""

from marshmallow import Schema, fields, validate

from common.catalog import GAME_CATALOG
from common.languages import LANGUAGE_PATTERN, MAX_LANGUAGE_LENGTH
from common.schemas import validate_http_url
from games.tokens import COUNTRY_PATTERN

MAX_TTL_SECONDS = 600
CURRENCY = validate.Regexp(r"^[A-Z0-9]{2,10}$", error="Use 2-10 uppercase letters or digits.")
LANGUAGE = validate.Regexp(LANGUAGE_PATTERN, error="Use a BCP 47 language tag such as en or pt-BR.")
COUNTRY = validate.Regexp(COUNTRY_PATTERN, error="Use an ISO 3166-1 alpha-2 code such as US.")


class LaunchTokenRequestSchema(Schema):
    sub = fields.String(
        required=True,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "Your player's id; your wallet receives it in every call."},
    )
    currency = fields.String(required=True, validate=CURRENCY, metadata={"example": "USDT"})
    game = fields.String(
        required=True, validate=validate.OneOf(GAME_CATALOG), metadata={"example": "dice"}
    )
    language = fields.String(validate=[validate.Length(max=MAX_LANGUAGE_LENGTH), LANGUAGE])
    country = fields.String(validate=COUNTRY)
    ttl_seconds = fields.Integer(
        data_key="ttlSeconds",
        strict=True,
        load_default=MAX_TTL_SECONDS,
        validate=validate.Range(min=1, max=MAX_TTL_SECONDS),
    )
    return_url = fields.String(data_key="returnUrl", validate=validate_http_url)


class LaunchTokenSchema(Schema):
    token = fields.String()
    launchUrl = fields.String(attribute="launch_url")
    expiresIn = fields.Integer(attribute="expires_in")
    jti = fields.String()
