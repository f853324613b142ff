"""The platform admin's HTTP API under X-Admin-Key (SPEC section 2)."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.conftest import ADMIN_KEY, make_aggregator, make_operator, operator_body

AGGREGATORS = "/api/v1/bo/aggregators"
OPERATORS = "/api/v1/bo/operators"
ME = "/api/v1/bo/aggregator/me"
AGG_OPERATORS = "/api/v1/bo/aggregator/operators"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def pem_of(private_key):
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def rsa_pem():
    return pem_of(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert set(error) >= {"code", "message"}
    if code is not None:
        assert error["code"] == code
    return error


def create_operator(client, admin_headers, code="mybrand", **overrides):
    response = client.post(OPERATORS, json=operator_body(code, **overrides), headers=admin_headers)
    assert response.status_code == 201, response.json
    return response.json["operator"]


# --- aggregators ------------------------------------------------------------------------------


def test_create_aggregator(client, admin_headers):
    response = client.post(
        AGGREGATORS, json={"code": "acme-games", "name": "Acme Games Ltd"}, headers=admin_headers
    )
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"aggregator", "apiKey"}
    aggregator = body["aggregator"]
    assert aggregator["code"] == "acme-games"
    assert aggregator["name"] == "Acme Games Ltd"
    assert aggregator["status"] == "active"
    assert aggregator["id"] and aggregator["createdAt"]
    me = client.get(ME, headers={"X-Aggregator-Key": body["apiKey"]})
    assert me.status_code == 200
    assert me.json["aggregator"]["id"] == aggregator["id"]


def test_duplicate_aggregator_code_is_409(client, admin_headers, aggregator):
    response = client.post(
        AGGREGATORS, json={"code": aggregator["code"], "name": "Again"}, headers=admin_headers
    )
    assert_error(response, 409, "aggregator_code_taken")
    listed = client.get(AGGREGATORS, headers=admin_headers).json["aggregators"]
    assert [a["code"] for a in listed] == [aggregator["code"]]


@pytest.mark.parametrize(
    "body",
    [
        {"code": "Acme", "name": "Upper"},
        {"code": "acme_games", "name": "Underscore"},
        {"code": "-acme", "name": "Leading hyphen"},
        {"code": "acme-", "name": "Trailing hyphen"},
        {"code": "a", "name": "Too short"},
        {"code": "a" * 65, "name": "Too long"},
        {"code": "0b7f3c2e-1111-4222-8333-944455556666", "name": "UUID"},
        {"code": "acme", "name": ""},
        {"code": "acme"},
        {"name": "No code"},
        {"code": 12, "name": "Number"},
        {"code": "acme", "name": "Acme", "extra": 1},
    ],
)
def test_bad_aggregator_body_is_422(client, admin_headers, body):
    error = assert_error(client.post(AGGREGATORS, json=body, headers=admin_headers), 422)
    assert error["details"]["fields"]
    assert client.get(AGGREGATORS, headers=admin_headers).json["aggregators"] == []


def test_list_aggregators_paginates(client, admin_headers):
    codes = [f"agg-{i}" for i in range(5)]
    for code in codes:
        make_aggregator(client, code=code, name=code.upper())

    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2} if cursor is None else {"limit": 2, "cursor": cursor}
        response = client.get(AGGREGATORS, query_string=query, headers=admin_headers)
        assert response.status_code == 200
        page = response.json
        assert len(page["aggregators"]) <= 2
        seen.extend(a["code"] for a in page["aggregators"])
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == codes
    assert pages == 3

    everything = client.get(AGGREGATORS, headers=admin_headers).json
    assert [a["code"] for a in everything["aggregators"]] == codes
    assert everything["nextCursor"] is None
    assert "apiKey" not in str(everything)


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 101}, {"limit": "x"}])
def test_list_aggregators_bad_limit_is_422(client, admin_headers, query):
    assert_error(client.get(AGGREGATORS, query_string=query, headers=admin_headers), 422)


def test_list_aggregators_bad_cursor_is_422(client, admin_headers, aggregator):
    response = client.get(AGGREGATORS, query_string={"cursor": "garbage!"}, headers=admin_headers)
    assert_error(response, 422)


@pytest.mark.parametrize("by", ["id", "code"])
def test_disable_and_enable_aggregator(client, admin_headers, aggregator, by):
    ref = aggregator[by]
    response = client.post(f"{AGGREGATORS}/{ref}/disable", headers=admin_headers)
    assert response.status_code == 200
    assert response.json["aggregator"]["status"] == "disabled"
    assert response.json["aggregator"]["id"] == aggregator["id"]
    assert_error(client.get(ME, headers=aggregator["headers"]), 401, "aggregator_disabled")
    listed = client.get(AGGREGATORS, headers=admin_headers).json["aggregators"]
    assert listed[0]["status"] == "disabled"

    response = client.post(f"{AGGREGATORS}/{ref}/enable", headers=admin_headers)
    assert response.status_code == 200
    assert response.json["aggregator"]["status"] == "active"
    assert client.get(ME, headers=aggregator["headers"]).status_code == 200


def test_disable_is_idempotent(client, admin_headers, aggregator):
    for _ in range(2):
        response = client.post(f"{AGGREGATORS}/{aggregator['id']}/disable", headers=admin_headers)
        assert response.status_code == 200
        assert response.json["aggregator"]["status"] == "disabled"


@pytest.mark.parametrize("action", ["enable", "disable", "api-keys"])
@pytest.mark.parametrize("ref", [UNKNOWN_ID, "no-such-agg"])
def test_unknown_aggregator_is_404(client, admin_headers, aggregator, action, ref):
    response = client.post(f"{AGGREGATORS}/{ref}/{action}", headers=admin_headers)
    assert_error(response, 404, "aggregator_not_found")


def test_issue_another_key(client, admin_headers, aggregator):
    response = client.post(
        f"{AGGREGATORS}/{aggregator['id']}/api-keys",
        json={"label": "recovery"},
        headers=admin_headers,
    )
    assert response.status_code == 201
    body = response.json
    new_key = body["apiKey"]
    assert new_key != aggregator["apiKey"]
    assert body["key"]["prefix"] == new_key.split(".")[0]
    assert body["key"]["label"] == "recovery"
    me = client.get(ME, headers={"X-Aggregator-Key": new_key})
    assert me.status_code == 200
    assert me.json["aggregator"]["id"] == aggregator["id"]
    assert client.get(ME, headers=aggregator["headers"]).status_code == 200


def test_issue_key_by_code_without_body(client, admin_headers, aggregator):
    response = client.post(f"{AGGREGATORS}/{aggregator['code']}/api-keys", headers=admin_headers)
    assert response.status_code == 201
    assert response.json["key"]["expiresAt"] is None
    me = client.get(ME, headers={"X-Aggregator-Key": response.json["apiKey"]})
    assert me.status_code == 200


@pytest.mark.parametrize("body", [{"expiresInSeconds": 0}, {"expiresInSeconds": "60"}, {"nope": 1}])
def test_issue_key_bad_body_is_422(client, admin_headers, aggregator, body):
    response = client.post(
        f"{AGGREGATORS}/{aggregator['id']}/api-keys", json=body, headers=admin_headers
    )
    assert_error(response, 422)


# --- admin authentication -----------------------------------------------------------------------

ADMIN_ONLY = [
    ("get", AGGREGATORS, None),
    ("post", AGGREGATORS, {"code": "sneaky", "name": "Sneaky"}),
    ("post", AGGREGATORS + "/{agg}/enable", None),
    ("post", AGGREGATORS + "/{agg}/disable", None),
    ("post", AGGREGATORS + "/{agg}/api-keys", None),
    ("post", OPERATORS, operator_body("sneaky-op")),
    ("post", OPERATORS + "/{op}/rotate-secrets", None),
]
ADMIN_OR_OWNER = [
    ("post", OPERATORS + "/{op}/enable", None),
    ("post", OPERATORS + "/{op}/disable", None),
]


def call(client, method, path, body, headers, aggregator, operator):
    url = path.format(agg=aggregator["id"], op=operator["id"])
    return getattr(client, method)(url, json=body, headers=headers)


WRONG_ADMIN_HEADERS = [
    pytest.param({"X-Admin-Key": ADMIN_KEY + "x"}, id="wrong-env-key"),
    pytest.param({"X-Admin-Key": ADMIN_KEY[:-1]}, id="truncated-env-key"),
    pytest.param({"X-Admin-Key": "0123456789ab." + "A" * 43}, id="unknown-admin-key"),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ONLY + ADMIN_OR_OWNER)
@pytest.mark.parametrize("headers", WRONG_ADMIN_HEADERS)
def test_wrong_admin_key_is_401(client, aggregator, operator, method, path, body, headers):
    response = call(client, method, path, body, headers, aggregator, operator)
    assert_error(response, 401)


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ONLY + ADMIN_OR_OWNER)
def test_missing_admin_key_is_401(client, aggregator, operator, method, path, body):
    response = call(client, method, path, body, {}, aggregator, operator)
    assert_error(response, 401)


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ONLY)
def test_aggregator_key_is_not_an_admin_key(client, aggregator, operator, method, path, body):
    for headers in (aggregator["headers"], {"X-Admin-Key": aggregator["apiKey"]}):
        response = call(client, method, path, body, headers, aggregator, operator)
        assert_error(response, 401)


def test_aggregator_key_in_admin_header_cannot_toggle_operators(client, aggregator, operator):
    response = client.post(
        f"{OPERATORS}/{operator['id']}/disable", headers={"X-Admin-Key": aggregator["apiKey"]}
    )
    assert_error(response, 401)


def test_refused_admin_calls_change_nothing(client, admin_headers, aggregator, operator):
    bad = {"X-Admin-Key": "not-the-admin-key-0123456789abcdef0123"}
    client.post(AGGREGATORS, json={"code": "sneaky", "name": "S"}, headers=bad)
    client.post(f"{AGGREGATORS}/{aggregator['id']}/disable", headers=bad)
    client.post(f"{OPERATORS}/{operator['id']}/disable", headers=bad)
    client.post(OPERATORS, json=operator_body("sneaky-op"), headers=bad)
    aggregators = client.get(AGGREGATORS, headers=admin_headers).json["aggregators"]
    assert [(a["code"], a["status"]) for a in aggregators] == [("acme-games", "active")]
    ops = client.get(AGG_OPERATORS, headers=aggregator["headers"]).json["operators"]
    assert [(o["code"], o["status"]) for o in ops] == [("mybrand", "active")]
    response = client.post(OPERATORS, json=operator_body("sneaky-op"), headers=admin_headers)
    assert response.status_code == 201  # the code was not taken by the refused call


def test_wrong_admin_key_is_checked_before_the_body(client):
    response = client.post(
        AGGREGATORS, json={"code": "BAD"}, headers={"X-Admin-Key": "wrong-" + "x" * 40}
    )
    assert_error(response, 401)


def test_cli_admin_key_works_over_http(client, runner):
    result = runner.invoke(args=["admin", "create-admin-key", "--label", "ops", "--json"])
    assert result.exit_code == 0, result.output
    import json

    admin_key = json.loads(result.output)["apiKey"]
    headers = {"X-Admin-Key": admin_key}
    response = client.post(AGGREGATORS, json={"code": "via-cli", "name": "N"}, headers=headers)
    assert response.status_code == 201
    assert client.get(AGGREGATORS, headers=headers).status_code == 200
    # A wrong secret with the same prefix is refused.
    prefix = admin_key.split(".")[0]
    response = client.get(AGGREGATORS, headers={"X-Admin-Key": f"{prefix}." + "B" * 43})
    assert_error(response, 401, "invalid_admin_key")


# --- operators ----------------------------------------------------------------------------------


def test_create_operator_owned_by_an_aggregator(client, admin_headers, aggregator):
    response = client.post(
        OPERATORS,
        json=operator_body("owned-op", aggregatorId=aggregator["id"], walletTimeoutMs=2500),
        headers=admin_headers,
    )
    assert response.status_code == 201, response.json
    operator = response.json["operator"]
    assert operator["aggregatorId"] == aggregator["id"]
    assert operator["jwtAlg"] == "HS256"
    assert operator["walletTimeoutMs"] == 2500
    assert operator["status"] == "active"
    assert len(operator["jwtSharedSecret"]) == 64
    assert len(operator["walletHmacSecret"]) == 64
    int(operator["jwtSharedSecret"], 16)
    int(operator["walletHmacSecret"], 16)
    assert operator["jwtSharedSecret"] != operator["walletHmacSecret"]

    listed = client.get(AGG_OPERATORS, headers=aggregator["headers"]).json["operators"]
    assert [o["id"] for o in listed] == [operator["id"]]
    assert "jwtSharedSecret" not in listed[0] and "walletHmacSecret" not in listed[0]
    detail = client.get(f"{AGG_OPERATORS}/owned-op", headers=aggregator["headers"])
    assert detail.status_code == 200
    assert detail.json["operator"]["aggregatorId"] == aggregator["id"]


def test_create_operator_without_aggregator(client, admin_headers, aggregator):
    operator = create_operator(client, admin_headers, "house-op")
    assert operator["aggregatorId"] is None
    assert operator["walletTimeoutMs"] == 5000
    assert operator["jwtSharedSecret"] and operator["walletHmacSecret"]
    listed = client.get(AGG_OPERATORS, headers=aggregator["headers"]).json["operators"]
    assert listed == []
    detail = client.get(f"{AGG_OPERATORS}/{operator['id']}", headers=aggregator["headers"])
    assert_error(detail, 404)


@pytest.mark.parametrize("aggregator_id", [UNKNOWN_ID, "acme-games-nope", "", None])
def test_create_operator_with_unknown_aggregator_is_422(client, admin_headers, aggregator_id):
    response = client.post(
        OPERATORS, json=operator_body(aggregatorId=aggregator_id), headers=admin_headers
    )
    error = assert_error(response, 422)
    assert "aggregatorId" in error["details"]["fields"]


def test_create_operator_with_unknown_aggregator_creates_nothing(client, admin_headers):
    client.post(OPERATORS, json=operator_body(aggregatorId=UNKNOWN_ID), headers=admin_headers)
    response = client.post(OPERATORS, json=operator_body(), headers=admin_headers)
    assert response.status_code == 201


def test_duplicate_operator_code_is_409(client, admin_headers, operator):
    response = client.post(OPERATORS, json=operator_body(operator["code"]), headers=admin_headers)
    assert_error(response, 409, "operator_code_taken")


def test_create_rs256_operator(client, admin_headers, aggregator, rsa_pem):
    response = client.post(
        OPERATORS,
        json=operator_body(
            "rsa-op", jwtAlg="RS256", jwtPublicKey=rsa_pem, aggregatorId=aggregator["id"]
        ),
        headers=admin_headers,
    )
    assert response.status_code == 201, response.json
    operator = response.json["operator"]
    assert operator["jwtAlg"] == "RS256"
    assert operator.get("jwtSharedSecret") is None
    assert len(operator["walletHmacSecret"]) == 64
    assert "BEGIN" not in response.get_data(as_text=True)
    listed = client.get(AGG_OPERATORS, headers=aggregator["headers"]).json["operators"]
    assert listed[0]["jwtAlg"] == "RS256"


def _ec_pem():
    return pem_of(ec.generate_private_key(ec.SECP256R1()))


def _rsa1024_pem():
    return pem_of(rsa.generate_private_key(public_exponent=65537, key_size=1024))


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"jwtAlg": "RS256", "jwtPublicKey": "not a pem"}, id="garbage"),
        pytest.param(
            {
                "jwtAlg": "RS256",
                "jwtPublicKey": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            },
            id="truncated-pem",
        ),
        pytest.param({"jwtAlg": "RS256", "jwtPublicKey": "ec"}, id="ec-key"),
        pytest.param({"jwtAlg": "RS256", "jwtPublicKey": "rsa1024"}, id="rsa-1024"),
        pytest.param({"jwtAlg": "RS256"}, id="no-key"),
        pytest.param({"jwtAlg": "RS256", "jwtPublicKey": ""}, id="empty-key"),
        pytest.param({"jwtAlg": "HS256", "jwtPublicKey": "rsa"}, id="hs256-with-key"),
        pytest.param({"jwtPublicKey": "rsa"}, id="default-alg-with-key"),
        pytest.param({"jwtAlg": "ES256"}, id="unsupported-alg"),
        pytest.param({"jwtAlg": "none"}, id="alg-none"),
    ],
)
def test_bad_jwt_settings_are_422(client, admin_headers, rsa_pem, overrides):
    replacements = {"ec": _ec_pem, "rsa1024": _rsa1024_pem, "rsa": lambda: rsa_pem}
    if overrides.get("jwtPublicKey") in replacements:
        overrides = {**overrides, "jwtPublicKey": replacements[overrides["jwtPublicKey"]]()}
    response = client.post(OPERATORS, json=operator_body(**overrides), headers=admin_headers)
    error = assert_error(response, 422)
    assert error["details"]["fields"]
    # Nothing was created: the code is still free.
    assert client.post(OPERATORS, json=operator_body(), headers=admin_headers).status_code == 201


def test_rotate_secrets_hs256(client, admin_headers, aggregator):
    created = create_operator(client, admin_headers, aggregatorId=aggregator["id"])
    response = client.post(f"{OPERATORS}/{created['id']}/rotate-secrets", headers=admin_headers)
    assert response.status_code == 200, response.json
    rotated = response.json["operator"]
    assert rotated["id"] == created["id"]
    assert len(rotated["jwtSharedSecret"]) == 64
    assert len(rotated["walletHmacSecret"]) == 64
    assert rotated["jwtSharedSecret"] != created["jwtSharedSecret"]
    assert rotated["walletHmacSecret"] != created["walletHmacSecret"]
    # And again, by code: fresh every time.
    again = client.post(f"{OPERATORS}/{created['code']}/rotate-secrets", headers=admin_headers)
    assert again.status_code == 200
    assert again.json["operator"]["jwtSharedSecret"] not in (
        created["jwtSharedSecret"],
        rotated["jwtSharedSecret"],
    )


def test_rotate_secrets_rs256_only_wallet_secret(client, admin_headers, rsa_pem):
    created = create_operator(client, admin_headers, "rsa-op", jwtAlg="RS256", jwtPublicKey=rsa_pem)
    response = client.post(f"{OPERATORS}/{created['id']}/rotate-secrets", headers=admin_headers)
    assert response.status_code == 200
    rotated = response.json["operator"]
    assert rotated["jwtAlg"] == "RS256"
    assert rotated.get("jwtSharedSecret") is None
    assert len(rotated["walletHmacSecret"]) == 64
    assert rotated["walletHmacSecret"] != created["walletHmacSecret"]


def test_rotate_secrets_with_aggregator_key_is_401(client, aggregator, operator):
    response = client.post(
        f"{OPERATORS}/{operator['id']}/rotate-secrets", headers=aggregator["headers"]
    )
    assert_error(response, 401)


def test_rotate_secrets_unknown_operator_is_404(client, admin_headers):
    response = client.post(f"{OPERATORS}/{UNKNOWN_ID}/rotate-secrets", headers=admin_headers)
    assert_error(response, 404, "operator_not_found")


# --- operator enable/disable ------------------------------------------------------------------


def operator_status(client, aggregator, operator_id):
    response = client.get(f"{AGG_OPERATORS}/{operator_id}", headers=aggregator["headers"])
    assert response.status_code == 200
    return response.json["operator"]["status"]


@pytest.mark.parametrize("by", ["id", "code"])
def test_admin_toggles_any_operator(client, admin_headers, aggregator, operator, by):
    ref = operator[by]
    response = client.post(f"{OPERATORS}/{ref}/disable", headers=admin_headers)
    assert response.status_code == 200
    assert response.json["operator"]["status"] == "disabled"
    assert "jwtSharedSecret" not in response.json["operator"]
    assert operator_status(client, aggregator, operator["id"]) == "disabled"
    response = client.post(f"{OPERATORS}/{ref}/enable", headers=admin_headers)
    assert response.status_code == 200
    assert response.json["operator"]["status"] == "active"
    assert operator_status(client, aggregator, operator["id"]) == "active"


def test_admin_toggles_an_unowned_operator(client, admin_headers):
    created = create_operator(client, admin_headers, "house-op")
    response = client.post(f"{OPERATORS}/{created['id']}/disable", headers=admin_headers)
    assert response.status_code == 200
    assert response.json["operator"]["status"] == "disabled"


def test_owner_toggles_its_operator(client, aggregator, operator):
    response = client.post(f"{OPERATORS}/{operator['code']}/disable", headers=aggregator["headers"])
    assert response.status_code == 200
    assert response.json["operator"]["status"] == "disabled"
    assert operator_status(client, aggregator, operator["id"]) == "disabled"
    response = client.post(f"{OPERATORS}/{operator['id']}/enable", headers=aggregator["headers"])
    assert response.status_code == 200
    assert operator_status(client, aggregator, operator["id"]) == "active"


def test_other_aggregator_cannot_toggle_operator(client, aggregator, operator):
    other = make_aggregator(client, code="other-agg", name="Other")
    for action in ("disable", "enable"):
        for ref in (operator["id"], operator["code"]):
            response = client.post(f"{OPERATORS}/{ref}/{action}", headers=other["headers"])
            assert_error(response, 404, "operator_not_found")
    assert operator_status(client, aggregator, operator["id"]) == "active"


def test_aggregator_cannot_toggle_unowned_operator(client, admin_headers, aggregator):
    created = create_operator(client, admin_headers, "house-op")
    response = client.post(f"{OPERATORS}/{created['id']}/disable", headers=aggregator["headers"])
    assert_error(response, 404)


def test_toggle_unknown_operator_is_404(client, admin_headers, aggregator):
    for headers in (admin_headers, aggregator["headers"]):
        for ref in (UNKNOWN_ID, "no-such-op"):
            response = client.post(f"{OPERATORS}/{ref}/disable", headers=headers)
            assert_error(response, 404, "operator_not_found")


def test_disabled_aggregator_cannot_toggle_its_operator(
    client, admin_headers, aggregator, operator
):
    client.post(f"{AGGREGATORS}/{aggregator['id']}/disable", headers=admin_headers)
    response = client.post(f"{OPERATORS}/{operator['id']}/disable", headers=aggregator["headers"])
    assert_error(response, 401, "aggregator_disabled")


def test_operator_created_by_aggregator_is_visible_to_admin_tools(
    client, admin_headers, aggregator
):
    created = make_operator(client, aggregator, "agg-made")
    response = client.post(f"{OPERATORS}/agg-made/rotate-secrets", headers=admin_headers)
    assert response.status_code == 200
    assert response.json["operator"]["id"] == created["id"]
    assert response.json["operator"]["jwtSharedSecret"] != created["jwtSharedSecret"]
