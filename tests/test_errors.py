"""SPEC section 7: every failure answers {"error": {"code", "message", "details"?}}, never a 500."""

import json
import re

import pytest

import backoffice
import games

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
OPERATORS = "/api/v1/bo/aggregator/operators"
MAX_BODY = 64 * 1024


def assert_error(response, status, code=None):
    """`response` is a JSON error of `status` in the documented shape; returns its error object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) <= {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and SNAKE_CASE.match(error["code"]), error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    if "details" in error:
        assert isinstance(error["details"], dict), error
    if code is not None:
        assert error["code"] == code, error
    return error


def valid_operator_body(**extra):
    return {
        "code": "mybrand",
        "name": "My Brand Casino",
        "walletBaseUrl": "https://wallet.mybrand.com",
        "gameFrontendBaseUrl": "https://play.mybrand.com",
        **extra,
    }


# --- 404 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/bo/nope", "/v1/nope", "/nope", "/api/v1/bo"])
def test_unknown_path_on_the_backoffice_is_a_json_404(client, path):
    assert_error(client.get(path), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/v1/bo/nope", "/v1/nope", "/nope"])
def test_unknown_path_on_the_games_app_is_a_json_404(games_client, path):
    assert_error(games_client.get(path), 404, "not_found")


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_path_is_404_whatever_the_method(client, games_client, method):
    assert_error(getattr(client, method)("/api/v1/bo/nope"), 404, "not_found")
    assert_error(getattr(games_client, method)("/v1/nope"), 404, "not_found")


# --- 405 ------------------------------------------------------------------------------------


def test_wrong_method_is_405_with_allow_header(client, aggregator):
    response = client.delete("/api/v1/bo/aggregator/me", headers=aggregator["headers"])
    assert_error(response, 405, "method_not_allowed")
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert "GET" in allowed
    assert "DELETE" not in allowed


def test_wrong_method_on_a_collection_lists_its_methods(client, aggregator):
    response = client.patch(OPERATORS, json={}, headers=aggregator["headers"])
    assert_error(response, 405, "method_not_allowed")
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed


def test_wrong_method_on_the_games_app_is_405(games_client):
    response = games_client.delete("/v1/health")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


# --- 413 ------------------------------------------------------------------------------------


def test_body_over_the_limit_is_413(client, aggregator):
    padding = "x" * (MAX_BODY + 1)
    body = json.dumps(valid_operator_body(name=padding))
    response = client.post(
        OPERATORS,
        data=body,
        headers={**aggregator["headers"], "Content-Type": "application/json"},
    )
    assert_error(response, 413, "payload_too_large")


def test_oversized_body_with_a_bad_key_is_a_clean_error(client):
    response = client.post(
        "/api/v1/bo/aggregators",
        data="[" + "1," * MAX_BODY + "1]",
        headers={"Content-Type": "application/json", "X-Admin-Key": "whatever"},
    )
    assert response.status_code in (401, 413)
    assert_error(response, response.status_code)


def test_body_just_under_the_limit_is_not_413(client, aggregator):
    body = json.dumps(valid_operator_body(name="n", padding="x" * (MAX_BODY - 500)))
    assert len(body) < MAX_BODY
    response = client.post(
        OPERATORS,
        data=body,
        headers={**aggregator["headers"], "Content-Type": "application/json"},
    )
    # The unknown `padding` field is refused, but the size is not.
    assert_error(response, 422)


# --- 400 / 415 / 422 ------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["{bad", '{"code": "x",}', "{'code': 'x'}", "", "nul"])
def test_malformed_json_is_400(client, aggregator, raw):
    response = client.post(
        OPERATORS,
        data=raw,
        headers={**aggregator["headers"], "Content-Type": "application/json"},
    )
    if raw == "":
        # No body at all: the required fields are missing.
        assert_error(response, 422)
    else:
        assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_non_json_body_is_415(client, aggregator, content_type):
    headers = dict(aggregator["headers"])
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post(OPERATORS, data="code=mybrand&name=x", headers=headers)
    assert_error(response, 415, "unsupported_media_type")


def test_json_with_a_charset_parameter_is_accepted(client, aggregator):
    response = client.post(
        OPERATORS,
        data=json.dumps(valid_operator_body()),
        headers={**aggregator["headers"], "Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201, response.json


def test_unknown_field_is_422_naming_it(client, aggregator):
    response = client.post(
        OPERATORS, json=valid_operator_body(isAdmin=True), headers=aggregator["headers"]
    )
    error = assert_error(response, 422)
    assert "isAdmin" in error["details"]["fields"]


def test_missing_and_invalid_fields_are_each_listed(client, aggregator):
    response = client.post(
        OPERATORS,
        json={"code": "Not A Slug", "walletBaseUrl": "ftp://x"},
        headers=aggregator["headers"],
    )
    error = assert_error(response, 422, "validation_error")
    assert {"code", "name", "walletBaseUrl", "gameFrontendBaseUrl"} <= set(
        error["details"]["fields"]
    )


def test_list_item_errors_are_serializable(client, operator, aggregator):
    """Marshmallow keys list items' errors by index (an int) next to "_schema" (a str)."""
    response = client.put(
        f"{OPERATORS}/{operator['code']}/config",
        json={"enabledGames": ["not-a-game", "dice", "dice"], "currencies": {}},
        headers=aggregator["headers"],
    )
    error = assert_error(response, 422)
    assert "enabledGames" in error["details"]["fields"]


@pytest.mark.parametrize("body", [[], "x", 1, None, True, [{"code": "mybrand"}]])
@pytest.mark.parametrize(
    "method, path",
    [
        ("post", OPERATORS),
        ("put", OPERATORS + "/mybrand/config"),
        ("post", "/api/v1/bo/aggregator/api-keys/rotate"),
    ],
)
def test_non_object_json_body_is_a_client_error(client, operator, aggregator, method, path, body):
    response = getattr(client, method)(
        path,
        data=json.dumps(body),
        headers={**aggregator["headers"], "Content-Type": "application/json"},
    )
    if body is None and path.endswith("/rotate"):
        # The rotate body is optional, and JSON null is no body.
        assert response.status_code in (201, 422), response.json
        if response.status_code == 422:
            assert_error(response, 422)
        return
    assert 400 <= response.status_code < 500, response.json
    assert_error(response, response.status_code)


@pytest.mark.parametrize("body", [[], "x", 1, None])
def test_non_object_json_body_on_admin_create_is_a_client_error(client, admin_headers, body):
    response = client.post(
        "/api/v1/bo/aggregators",
        data=json.dumps(body),
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code)


@pytest.mark.parametrize(
    "raw",
    [b'{"code": "\xff\xfe"}', b"\xff", b'{"name": "caf\xe9"}', b"\xc3\x28", b"\xed\xa0\x80"],
)
def test_invalid_utf8_body_is_400(client, aggregator, raw):
    response = client.post(
        OPERATORS,
        data=raw,
        headers={**aggregator["headers"], "Content-Type": "application/json"},
    )
    assert_error(response, 400)


@pytest.mark.parametrize(
    "raw",
    ["[" * 20_000 + "]" * 20_000, '{"a":' * 10_000 + "1" + "}" * 10_000],
    ids=["arrays", "objects"],
)
def test_deeply_nested_json_is_400_not_500(client, aggregator, raw):
    """Deep nesting that fits under the size limit overflows the parser's recursion."""
    assert len(raw) < MAX_BODY
    response = client.post(
        OPERATORS,
        data=raw,
        headers={**aggregator["headers"], "Content-Type": "application/json"},
    )
    assert_error(response, 400, "malformed_json")


def test_bad_query_parameter_is_422(client, aggregator):
    response = client.get(OPERATORS + "?limit=0", headers=aggregator["headers"])
    error = assert_error(response, 422)
    assert "limit" in error["details"]["fields"]
    response = client.get(OPERATORS + "?limit=abc", headers=aggregator["headers"])
    assert_error(response, 422)


def test_auth_errors_have_the_shape(client):
    assert_error(client.get("/api/v1/bo/aggregator/me"), 401, "missing_api_key")
    response = client.get(
        "/api/v1/bo/aggregator/me", headers={"X-Aggregator-Key": "0123456789ab.nope"}
    )
    assert_error(response, 401, "invalid_api_key")
    response = client.get("/api/v1/bo/aggregators", headers={"X-Admin-Key": "not-the-key"})
    assert_error(response, 401)


def test_unknown_operator_is_404_in_the_shape(client, aggregator):
    response = client.get(OPERATORS + "/no-such-brand", headers=aggregator["headers"])
    assert_error(response, 404, "operator_not_found")


def test_duplicate_is_409_in_the_shape(client, operator, aggregator):
    response = client.post(OPERATORS, json=valid_operator_body(), headers=aggregator["headers"])
    assert_error(response, 409)


# --- 500 ------------------------------------------------------------------------------------

LEAKY_MESSAGE = "db password is hunter2 at /srv/app/secret.py line 42"


def _app_with_a_broken_route(factory, test_config, path):
    app = factory(test_config)

    @app.route(path)
    def broken():
        raise RuntimeError(LEAKY_MESSAGE)

    @app.route(path + "/key")
    def broken_key():
        return {}["missing"]

    return app


@pytest.mark.parametrize(
    "factory, path",
    [(backoffice.create_app, "/api/v1/bo/boom"), (games.create_app, "/v1/boom")],
)
def test_unexpected_exception_is_a_500_without_a_traceback(test_config, factory, path, caplog):
    app = _app_with_a_broken_route(factory, test_config, path)
    client = app.test_client()
    for url in (path, path + "/key"):
        response = client.get(url)
        error = assert_error(response, 500, "internal_error")
        text = response.get_data(as_text=True)
        for leak in ("Traceback", "RuntimeError", "KeyError", "hunter2", ".py", "line 42"):
            assert leak not in text
        assert "details" not in error
    # The traceback goes to the log, for the operators of the platform.
    assert any(record.exc_info for record in caplog.records)
