"""What both Flask apps are built from: config, database hooks, errors, OpenAPI, logging."""

import json
import logging
import time
from decimal import Decimal

import flask_smorest
from flask import g, request
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request

from common.config import load_config
from common.db import init_database, install_request_hooks
from common.errors import (
    HTTP_CODES,
    ApiError,
    ErrorSchema,
    from_http_exception,
    register_error_handlers,
)
from common.lean_flask import LeanFlask

log = logging.getLogger("betterplay.request")

SWAGGER_UI_URL = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"


def _nul_field(data):
    """The top-level field of the first string holding a NUL character, else None."""
    stack = [(data, "_body")]
    while stack:
        value, field = stack.pop()
        if isinstance(value, str) and "\x00" in value:
            return field
        if isinstance(value, dict):
            for key, item in value.items():
                inner = key if field == "_body" else field
                stack.extend([(key, inner), (item, inner)])
        elif isinstance(value, list):
            stack.extend((item, field) for item in value)
    return None


def load_json_body(raw):
    """Parse a request body: fractions as Decimal, never float; NUL in a string refused (422).

    Raises ValueError for malformed JSON, including nesting too deep to parse.
    """
    try:
        data = json.loads(raw.decode("utf-8"), parse_float=Decimal)
    except RecursionError:
        # A few thousand nested brackets fit well within MAX_CONTENT_LENGTH.
        raise json.JSONDecodeError("JSON nested too deeply", "(body)", 0) from None
    field = _nul_field(data)
    if field:
        message = "Strings must not contain NUL characters."
        raise ApiError(422, "validation_error", message, {"fields": {field: [message]}})
    return data


class JSONBodyParser(FlaskParser):
    """Reads bodies with load_json_body and refuses non-JSON bodies (415)."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            if req.get_data(cache=True):
                abort(415, messages={})
            return core.missing
        return load_json_body(req.get_data(cache=True))


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JSONBodyParser()


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return from_http_exception(error)


def _refuse_nul_in_query():
    # PostgreSQL cannot compare a string holding NUL; no parameter legitimately has one.
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            message = "Query parameters must not contain NUL characters."
            field = key.replace("\x00", "") or "_query"
            raise ApiError(422, "validation_error", message, {"fields": {field: [message]}})


def _configure_logging(level):
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def _log_request(response):
    # The path only: query strings can carry launch tokens, and headers carry keys.
    elapsed_ms = (time.perf_counter() - g.get("started_at", time.perf_counter())) * 1000
    log.info("%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed_ms)
    return response


def build_app(import_name, overrides, *, title, docs_prefix, description, security_schemes):
    """Create a Flask app with everything both apps share; the caller adds its blueprints."""
    config = load_config(overrides)
    _configure_logging(config["LOG_LEVEL"])
    app = LeanFlask(import_name)
    app.config.update(config)
    app.config.update(
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=docs_prefix,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=SWAGGER_UI_URL,
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {"securitySchemes": security_schemes},
        },
    )
    init_database(
        config["DATABASE_URL"],
        config["DATABASE_POOL_SIZE"],
        prepare_statements=config["DATABASE_PREPARED_STATEMENTS"],
    )
    app.before_request(_refuse_nul_in_query)
    install_request_hooks(app)
    app.before_request(lambda: setattr(g, "started_at", time.perf_counter()))
    app.after_request(_log_request)
    register_error_handlers(app)
    api = Api(app)
    return app, api


def documented(blp, security, *statuses):
    """Put an endpoint's auth scheme and its error statuses (with the error schema) in the spec."""

    def decorator(view):
        for status in statuses:
            view = blp.alt_response(status, schema=ErrorSchema, description=HTTP_CODES[status][1])(
                view
            )
        if security:
            view = blp.doc(security=[{security: []}])(view)
        return view

    return decorator
