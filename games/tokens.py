"""Verifying launch tokens: algorithm pinned per operator, required claims, short leeway."""

import base64
import binascii
import json
import re
from datetime import UTC, datetime, timedelta

import jwt

from common.errors import ApiError
from common.languages import is_language_tag
from common.operators import find_operator_by_code, jwt_verification_key
from common.schemas import is_http_url, is_lookup_key

AUDIENCE = "betterplay"
LEEWAY_SECONDS = 10
MAX_LIFETIME_SECONDS = 600
REQUIRED_CLAIMS = ["iss", "sub", "aud", "iat", "exp", "jti", "game", "currency"]
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
STRING_CLAIMS = {"sub": 128, "jti": 128, "game": 32, "currency": 10}


OPTIONAL_CLAIMS = {
    "return_url": is_http_url,
    "language": is_language_tag,
    "country": lambda v: isinstance(v, str) and COUNTRY_PATTERN.match(v) is not None,
}


class InvalidLaunchToken(ApiError):
    def __init__(self, reason):
        super().__init__(401, "invalid_token", f"The launch token is not valid: {reason}")


def _issuer(token):
    """The unverified `iss`, read only to choose the operator whose key must verify the token.

    The payload is decoded here rather than by a second jwt.decode: PyJWT's checks of the
    segments cost more than the rest of a launch's token handling (bench/README.md).
    """
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError
        payload = parts[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error):  # JSONDecodeError and UnicodeDecodeError included
        raise InvalidLaunchToken("it is not a well-formed JWT.") from None
    if not isinstance(claims, dict):
        raise InvalidLaunchToken("it is not a well-formed JWT.")
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer or not is_lookup_key(issuer):
        raise InvalidLaunchToken("it has no issuer (iss).")
    return issuer


def verify_launch_token(token):
    """(operator, claims) of a token that verifies with its operator's pinned algorithm and key."""
    if not token or len(token) > 8192:
        raise InvalidLaunchToken("it is missing or too long.")
    operator = find_operator_by_code(_issuer(token))
    if operator is None:
        raise InvalidLaunchToken("its issuer is not a known operator.")
    try:
        claims = jwt.decode(
            token,
            jwt_verification_key(operator),
            algorithms=[operator.jwt_alg],
            audience=AUDIENCE,
            issuer=operator.code,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidLaunchToken("it has expired; mint a fresh one.") from None
    except jwt.PyJWTError as exc:
        raise InvalidLaunchToken(_describe(exc)) from None
    _check_claims(claims)
    return operator, claims


def _describe(exc):
    if isinstance(exc, jwt.InvalidAudienceError):
        return f"its audience (aud) must be {AUDIENCE!r}."
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"the {exc.claim!r} claim is missing."
    if isinstance(exc, jwt.InvalidAlgorithmError):
        return "it is signed with an algorithm this operator does not use."
    if isinstance(exc, jwt.InvalidSignatureError):
        return "its signature does not verify."
    if isinstance(exc, jwt.ImmatureSignatureError):
        return "it is issued in the future."
    return "it could not be verified."


def _check_claims(claims):
    for name, max_length in STRING_CLAIMS.items():
        value = claims[name]
        if not isinstance(value, str) or not 0 < len(value) <= max_length:
            raise InvalidLaunchToken(
                f"the {name!r} claim must be a string of 1-{max_length} chars."
            )
    if claims["exp"] - claims["iat"] > MAX_LIFETIME_SECONDS:
        raise InvalidLaunchToken(f"its lifetime exceeds {MAX_LIFETIME_SECONDS} seconds.")
    # Optional claims end up in a redirect and a page link: refuse what the mint would refuse.
    for name, check in OPTIONAL_CLAIMS.items():
        if name in claims and not check(claims[name]):
            raise InvalidLaunchToken(f"the {name!r} claim is not valid.")


def nonce_expiry(claims):
    """When the token's nonce may be forgotten: once even the leeway cannot make it verify."""
    expires = datetime.fromtimestamp(claims["exp"], UTC).replace(tzinfo=None)
    return expires + timedelta(seconds=LEEWAY_SECONDS + 1)
