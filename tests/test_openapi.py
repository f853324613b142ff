"""SPEC section 1: each app serves an OpenAPI 3 document and interactive docs; every endpoint,
its auth header and every error status appear in the spec."""

import re

import pytest

BO_SPEC = "/api/v1/bo/openapi.json"
GAMES_SPEC = "/v1/openapi.json"
ERROR_REF = "#/components/schemas/Error"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

# The guide's endpoint table (seed/aggregator-guide.txt, "Endpoint reference"), Backoffice rows.
GUIDE_BACKOFFICE_ENDPOINTS = [
    ("GET", "/api/v1/bo/aggregator/me"),
    ("POST", "/api/v1/bo/aggregator/operators"),
    ("PUT", "/api/v1/bo/aggregator/operators/:id/config"),
    ("GET", "/api/v1/bo/aggregator/operators/:id"),
    ("GET", "/api/v1/bo/aggregator/operators"),
    ("GET", "/api/v1/bo/aggregator/operators/:id/config"),
    ("POST", "/api/v1/bo/aggregator/api-keys/rotate"),
]
# SPEC sections 2 and 3: the admin API and the key management the spec adds to the table.
SPEC_BACKOFFICE_ENDPOINTS = [
    ("GET", "/api/v1/bo/aggregator/api-keys", "AggregatorKey"),
    ("DELETE", "/api/v1/bo/aggregator/api-keys/:prefix", "AggregatorKey"),
    ("POST", "/api/v1/bo/aggregators", "AdminKey"),
    ("GET", "/api/v1/bo/aggregators", "AdminKey"),
    ("POST", "/api/v1/bo/aggregators/:id/enable", "AdminKey"),
    ("POST", "/api/v1/bo/aggregators/:id/disable", "AdminKey"),
    ("POST", "/api/v1/bo/aggregators/:id/api-keys", "AdminKey"),
    ("POST", "/api/v1/bo/operators", "AdminKey"),
    ("POST", "/api/v1/bo/operators/:id/enable", "AdminKey"),
    ("POST", "/api/v1/bo/operators/:id/enable", "AggregatorKey"),
    ("POST", "/api/v1/bo/operators/:id/disable", "AdminKey"),
    ("POST", "/api/v1/bo/operators/:id/disable", "AggregatorKey"),
    ("POST", "/api/v1/bo/operators/:id/rotate-secrets", "AdminKey"),
]


@pytest.fixture(scope="module")
def bo_spec(app):
    response = app.test_client().get(BO_SPEC)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


@pytest.fixture(scope="module")
def games_spec(games_app):
    response = games_app.test_client().get(GAMES_SPEC)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


def operations(spec):
    """(method, path, operation, path-level parameters) for every operation of `spec`."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, path, operation, item.get("parameters", [])


def resolve(spec, obj):
    """Follow a local $ref (#/components/...) until a concrete object."""
    while "$ref" in obj:
        node = spec
        for part in obj["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        obj = node
    return obj


def references_error_schema(spec, response):
    response = resolve(spec, response)
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref") == ERROR_REF


def find_operation(spec, method, guide_path):
    """The spec's operation for a guide path like /x/:id/config ({name} in the spec)."""
    pattern = "^" + re.sub(r":[a-z_]+", r"\\{[a-z_]+\\}", guide_path) + "$"
    matches = [p for p in spec["paths"] if re.match(pattern, p)]
    assert len(matches) == 1, (guide_path, matches)
    operation = spec["paths"][matches[0]].get(method.lower())
    assert operation is not None, f"{method} {guide_path} is not in the spec"
    return operation


@pytest.mark.parametrize("fixture", ["bo_spec", "games_spec"])
def test_specs_are_openapi_3_documents(request, fixture):
    spec = request.getfixturevalue(fixture)
    assert re.match(r"^3\.\d+\.\d+$", spec["openapi"])
    assert spec["info"]["title"]
    assert spec["info"]["version"]
    assert spec["paths"]
    for method, path, operation, _ in operations(spec):
        assert path.startswith("/"), path
        assert operation.get("responses"), (method, path)
        assert operation.get("summary") or operation.get("description"), (method, path)


def test_error_schema_is_the_documented_shape(bo_spec, games_spec):
    for spec in (bo_spec, games_spec):
        error = spec["components"]["schemas"]["Error"]
        assert error["required"] == ["error"]
        detail = resolve(spec, error["properties"]["error"])
        assert set(detail["required"]) == {"code", "message"}
        assert set(detail["properties"]) == {"code", "message", "details"}
        assert detail["properties"]["details"]["type"] == "object"


def test_backoffice_security_schemes(bo_spec):
    schemes = bo_spec["components"]["securitySchemes"]
    assert schemes["AggregatorKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Aggregator-Key",
    }
    assert schemes["AdminKey"] == {"type": "apiKey", "in": "header", "name": "X-Admin-Key"}


def test_games_spec_declares_the_aggregator_key(games_spec):
    schemes = games_spec["components"]["securitySchemes"]
    assert schemes["AggregatorKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Aggregator-Key",
    }


def test_every_backoffice_operation_requires_a_known_credential(bo_spec):
    schemes = set(bo_spec["components"]["securitySchemes"])
    for method, path, operation, _ in operations(bo_spec):
        security = operation.get("security")
        assert security, f"{method.upper()} {path} has no security requirement"
        for requirement in security:
            assert requirement, f"{method.upper()} {path} allows anonymous access"
            assert set(requirement) <= schemes, (method, path, requirement)


def test_every_backoffice_operation_documents_its_errors(bo_spec):
    for method, path, operation, path_parameters in operations(bo_spec):
        label = f"{method.upper()} {path}"
        responses = operation["responses"]
        assert "401" in responses, label
        parameters = path_parameters + operation.get("parameters", [])
        if any(p["in"] == "path" for p in parameters) or "{" in path:
            assert "404" in responses, label
        if "requestBody" in operation:
            assert "422" in responses, label
            assert "400" in responses, label
            assert "415" in responses, label
            assert "413" in responses, label
        if any(p["in"] == "query" for p in parameters):
            assert "422" in responses, label


@pytest.mark.parametrize("fixture", ["bo_spec", "games_spec"])
def test_every_error_response_references_the_error_schema(request, fixture):
    spec = request.getfixturevalue(fixture)
    for method, path, operation, _ in operations(spec):
        for status, response in operation["responses"].items():
            if status == "default" or int(status) >= 400:
                assert references_error_schema(spec, response), (method, path, status)


def test_request_bodies_are_json_objects_without_extra_fields(bo_spec):
    for method, path, operation, _ in operations(bo_spec):
        if "requestBody" not in operation:
            continue
        content = operation["requestBody"]["content"]
        assert list(content) == ["application/json"], (method, path)
        schema = resolve(bo_spec, content["application/json"]["schema"])
        assert schema["type"] == "object", (method, path)
        assert schema.get("additionalProperties") is False, (method, path)


@pytest.mark.parametrize("method, path", GUIDE_BACKOFFICE_ENDPOINTS)
def test_guide_endpoints_are_in_the_spec_with_the_aggregator_key(bo_spec, method, path):
    operation = find_operation(bo_spec, method, path)
    assert {"AggregatorKey": []} in operation["security"]


@pytest.mark.parametrize("method, path, scheme", SPEC_BACKOFFICE_ENDPOINTS)
def test_spec_backoffice_endpoints_are_in_the_spec(bo_spec, method, path, scheme):
    operation = find_operation(bo_spec, method, path)
    assert {scheme: []} in operation["security"]


def test_operator_create_documents_secrets_and_conflict(bo_spec):
    operation = find_operation(bo_spec, "POST", "/api/v1/bo/aggregator/operators")
    assert "409" in operation["responses"]
    created = resolve(bo_spec, operation["responses"]["201"])
    envelope = resolve(bo_spec, created["content"]["application/json"]["schema"])
    operator = resolve(bo_spec, envelope["properties"]["operator"])
    assert {"jwtSharedSecret", "walletHmacSecret", "id", "code"} <= set(operator["properties"])
    body = resolve(bo_spec, operation["requestBody"]["content"]["application/json"]["schema"])
    assert set(body["required"]) == {"code", "name", "walletBaseUrl", "gameFrontendBaseUrl"}
    assert "walletTimeoutMs" in body["properties"]


def test_read_operator_view_never_documents_secrets(bo_spec):
    operation = find_operation(bo_spec, "GET", "/api/v1/bo/aggregator/operators/:id")
    ok = resolve(bo_spec, operation["responses"]["200"])
    envelope = resolve(bo_spec, ok["content"]["application/json"]["schema"])
    operator = resolve(bo_spec, envelope["properties"]["operator"])
    assert not {"jwtSharedSecret", "walletHmacSecret"} & set(operator["properties"])


@pytest.mark.parametrize(
    "fixture, path", [("client", "/api/v1/bo/docs"), ("games_client", "/v1/docs")]
)
def test_docs_pages_are_html(request, fixture, path):
    response = request.getfixturevalue(fixture).get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "swagger" in html.lower()
    assert "openapi.json" in html


def test_spec_is_public_and_served_without_credentials(client, games_client):
    assert client.get(BO_SPEC).status_code == 200
    assert games_client.get(GAMES_SPEC).status_code == 200
