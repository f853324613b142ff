"""The protocol's error codes and statuses, and the handlers giving every failure that body.

Every error answers `{"error": {"code", "message", "details"?}}` — unknown paths, wrong methods
and unexpected exceptions included — and is signed like any other answer (see protocol.py).
"""

import logging

from flask import current_app, request
from werkzeug.exceptions import HTTPException

from refwallet.answers import Answer, encode

log = logging.getLogger(__name__)

INVALID_REQUEST = "INVALID_REQUEST"
INVALID_SIGNATURE = "INVALID_SIGNATURE"
INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
PLAYER_FROZEN = "PLAYER_FROZEN"
LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
PLAYER_NOT_FOUND = "PLAYER_NOT_FOUND"
CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
DUPLICATE_TRANSACTION = "DUPLICATE_TRANSACTION"
INTERNAL = "INTERNAL"

STATUS_BY_CODE = {
    INVALID_REQUEST: 400,
    INVALID_SIGNATURE: 401,
    INSUFFICIENT_FUNDS: 402,
    PLAYER_FROZEN: 403,
    LIMIT_EXCEEDED: 403,
    PLAYER_NOT_FOUND: 404,
    CURRENCY_MISMATCH: 409,
    DUPLICATE_TRANSACTION: 409,
    INTERNAL: 500,
}

ENDPOINTS = "POST /auth, /bet, /win, /rollback and GET /health"


class WalletError(Exception):
    """A protocol error: code, human message, optional details; the status follows the code."""

    def __init__(self, code, message, details=None, status=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        self.status = status or STATUS_BY_CODE[code]

    def answer(self):
        error = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return Answer(self.status, encode({"error": error}))


def _http_error(error):
    status = error.code or 500
    headers = {}
    if status == 404:
        message = (
            f"No such endpoint: {request.method} {request.path}. The wallet answers {ENDPOINTS}."
        )
    elif status == 405:
        message = f"{request.method} is not allowed on {request.path}."
        headers["Allow"] = ", ".join(error.valid_methods or ())
    elif status == 413:
        message = f"The body is larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes."
    else:
        message = error.description
    code = INVALID_REQUEST if status < 500 else INTERNAL
    return WalletError(code, message, status=status).answer().to_response(headers)


def _unexpected(error):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return WalletError(INTERNAL, "Something went wrong in the wallet.").answer().to_response()


def register_error_handlers(app):
    app.register_error_handler(WalletError, lambda error: error.answer().to_response())
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
