"""Minting single-use HS256 launch tokens for an aggregator's players (SPEC section 4)."""

import uuid
from datetime import timedelta
from urllib.parse import urlencode

import jwt
from flask import request
from marshmallow import ValidationError

from common.errors import ApiError
from common.models import ACTIVE, utcnow
from common.operator_config import read_operator_config
from common.operators import find_operator, jwt_verification_key
from common.web import load_json_body
from games.schemas.launch_tokens import LaunchTokenRequestSchema
from games.tokens import AUDIENCE

REQUEST_SCHEMA = LaunchTokenRequestSchema()


def _request_body():
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        return load_json_body(raw)
    except ValueError:
        raise ApiError(400, "malformed_json", "The request body is not valid JSON.") from None


def mint_launch_token(aggregator, operator_code):
    """Check, in SPEC order, then sign a token for the request's body: the mint response dict."""
    operator = find_operator(operator_code, aggregator)
    if operator.status != ACTIVE:
        raise ApiError(422, "operator_disabled", "The operator is disabled; enable it first.")
    if operator.jwt_alg != "HS256":
        raise ApiError(
            422,
            "operator_rs256",
            "The operator uses RS256: aggregator minting is HS256 only, RS256 operators self-mint.",
        )
    body = _request_body()
    settings = read_operator_config(operator.id)
    game, currency = _field(body, "game"), _field(body, "currency")
    if game is not None and game not in settings.enabled_games:
        raise ApiError(
            422, "game_not_enabled", f"The game {game!r} is not enabled for this operator."
        )
    if currency is not None and currency not in settings.currencies:
        raise ApiError(
            422, "currency_not_configured", f"The currency {currency!r} is not configured."
        )
    try:
        data = REQUEST_SCHEMA.load(body if isinstance(body, dict) else {"": body})
    except ValidationError as exc:
        raise ApiError(
            422,
            "validation_error",
            "Some fields are not valid: " + ", ".join(sorted(exc.messages)) + ".",
            details={"fields": exc.messages},
        ) from None
    return _sign(operator, data)


def _field(body, name):
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _sign(operator, data):
    now = utcnow()
    jti = str(uuid.uuid4())
    claims = {
        "iss": operator.code,
        "sub": data["sub"],
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(seconds=data["ttl_seconds"]),
        "jti": jti,
        "game": data["game"],
        "currency": data["currency"],
    }
    for optional in ("language", "country", "return_url"):
        if data.get(optional):
            claims[optional] = data[optional]
    token = jwt.encode(claims, jwt_verification_key(operator), algorithm="HS256")
    query = urlencode({"token": token, "game": data["game"], "currency": data["currency"]})
    return {
        "token": token,
        "launch_url": f"/launch?{query}",
        "expires_in": data["ttl_seconds"],
        "jti": jti,
    }
