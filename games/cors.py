"""CORS with credentials for player-facing paths, for operators' frontend origins only."""

from flask import g, request

from common.models import ACTIVE, Operator

PLAYER_PATHS = ("/v1/session", "/v1/games", "/v1/rounds", "/v1/fairness")
ALLOWED_HEADERS = "Content-Type, Idempotency-Key"
ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS"


def _allowed(origin):
    session = g.get("player_session")
    if session is not None:
        return session.operator.frontend_origin == origin
    return (
        Operator.select(Operator.id)
        .where((Operator.frontend_origin == origin) & (Operator.status == ACTIVE))
        .exists()
    )


def add_cors_headers(response):
    origin = (request.headers.get("Origin") or "").lower()
    if not origin or not request.path.startswith(PLAYER_PATHS):
        return response
    response.vary.add("Origin")
    if not _allowed(origin):
        return response
    response.headers["Access-Control-Allow-Origin"] = request.headers["Origin"]
    response.headers["Access-Control-Allow-Credentials"] = "true"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def install_cors(app):
    app.after_request(add_cors_headers)
