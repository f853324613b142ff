"""One error shape for every failure: {"error": {"code", "message", "details"?}}."""

import logging

from flask import request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Codes for statuses raised by Flask, Werkzeug or webargs rather than by our own code.
HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Authentication is required."),
    402: ("insufficient_funds", "The balance is too low for this bet."),
    403: ("forbidden", "You may not do this."),
    404: ("not_found", "No such resource."),
    405: ("method_not_allowed", "This method is not allowed on this path."),
    409: ("conflict", "The request conflicts with the current state."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    422: ("validation_error", "The request is not valid."),
    429: ("too_many_requests", "Too many requests; slow down."),
    500: ("internal_error", "Something went wrong on our side."),
    502: ("wallet_unavailable", "The operator's wallet could not be reached or answered badly."),
    503: ("unavailable", "The service is temporarily unavailable."),
    504: ("wallet_timeout", "The operator's wallet did not answer in time."),
}


class ApiError(Exception):
    """An error to answer with: HTTP status, snake_case code, human message, optional details."""

    def __init__(self, status, code, message, details=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"example": "not_found"})
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


def error_response(status, code, message, details=None, headers=None):
    body = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}, status, headers or {}


def _string_keys(errors):
    """Marshmallow keys list items' errors by index (ints) next to "_schema"; JSON wants strings.

    Flask sorts keys when it serializes, and sorting mixed int and str keys raises TypeError.
    """
    if isinstance(errors, dict):
        return {str(key): _string_keys(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_string_keys(value) for value in errors]
    return errors


def _field_errors(messages):
    """webargs nests errors by location ({"json": {...}}); callers want the fields."""
    merged = {}
    for location, errors in messages.items():
        if isinstance(errors, dict):
            merged.update(errors)
        else:
            merged[location] = errors
    return _string_keys(merged)


def from_http_exception(error):
    status = error.code or 500
    code, message = HTTP_CODES.get(status, ("http_error", error.name))
    data = getattr(error, "data", None) or {}
    details = None
    if status == 400 and data.get("messages", {}).get("json"):
        code, message = "malformed_json", "The request body is not valid JSON."
    elif status == 422 and "messages" in data:
        details = {"fields": _field_errors(data["messages"])}
        message = "Some fields are not valid: " + ", ".join(sorted(details["fields"])) + "."
    headers = {}
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return error_response(status, code, message, details, headers)


def register_error_handlers(app):
    app.register_error_handler(
        ApiError, lambda e: error_response(e.status, e.code, e.message, e.details, e.headers)
    )

    @app.errorhandler(Exception)
    def unexpected(error):
        if isinstance(error, HTTPException):
            return from_http_exception(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, *HTTP_CODES[500])
