"""The wire rules: verify the signature over the raw body before parsing; sign every answer."""

import json
import logging
from decimal import Decimal

from flask import g, request
from marshmallow import ValidationError
from peewee import PeeweeException

from common.signing import SignatureError, signed_headers, verify
from refwallet.config import hmac_secret
from refwallet.errors import INTERNAL, INVALID_REQUEST, INVALID_SIGNATURE, WalletError

log = logging.getLogger(__name__)

MISSING_KEY_MESSAGE = (
    "The wallet has no HMAC secret: set WALLET_HMAC_SECRET or run "
    "`flask --app refwallet.wsgi wallet set-hmac-secret SECRET`."
)


def request_secret():
    """This request's HMAC secret, looked up once and kept for signing the answer."""
    if "hmac_secret" not in g:
        g.hmac_secret = hmac_secret()
    if not g.hmac_secret:
        raise WalletError(INTERNAL, MISSING_KEY_MESSAGE)
    return g.hmac_secret


def read_call(schema):
    """The validated body of a signed call; nothing is parsed before the signature holds."""
    body = request.get_data()
    try:
        verify(request_secret(), request.headers, body)
    except SignatureError as exc:
        raise WalletError(INVALID_SIGNATURE, str(exc)) from None
    try:
        # Decimal for JSON numbers too, so that no amount is ever a float, even in an error.
        document = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError):
        raise WalletError(INVALID_REQUEST, "The body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise WalletError(INVALID_REQUEST, "The body must be a JSON object.")
    try:
        return schema.load(document)
    except ValidationError as exc:
        fields = exc.messages
        message = "Some fields are not valid: " + ", ".join(sorted(fields)) + "."
        raise WalletError(INVALID_REQUEST, message, {"fields": fields}) from None


def sign_response(response):
    """Add X-Timestamp and X-Signature over the exact body bytes (an after_request hook)."""
    try:
        secret = g.hmac_secret if "hmac_secret" in g else hmac_secret()
    except PeeweeException:
        # The database is down: the answer is already an INTERNAL error; send it unsigned.
        log.warning("no HMAC secret available to sign the answer to %s", request.path)
        secret = None
    if secret:
        response.headers.update(signed_headers(secret, response.get_data()))
    return response
