"""Operators through the aggregator's Backoffice API: create, read, list, tenancy, status.

Contracts: the aggregator guide ("Create an operator", endpoint table, error codes) and SPEC
sections 2, 3 and 7.
"""

import json
import re
import uuid
from datetime import datetime

import pytest

from tests.conftest import make_aggregator, make_operator, operator_body

OPERATORS = "/api/v1/bo/aggregator/operators"
HEX64 = re.compile(r"^[0-9a-f]{64}$")
PUBLIC_FIELDS = {
    "id",
    "code",
    "name",
    "jwtAlg",
    "walletBaseUrl",
    "gameFrontendBaseUrl",
    "walletTimeoutMs",
    "status",
    "aggregatorId",
    "createdAt",
}
GUIDE_CONFIG = {
    "enabledGames": ["crash", "dice", "blackjack", "baccarat"],
    "currencies": {
        "USDT": {"minBet": "0.1", "maxBet": "500"},
        "BTC": {"minBet": "0.000005", "maxBet": "0.01"},
    },
    "featureFlags": {"autoplay": True, "turbo": True, "chat": False, "soundDefault": True},
    "demoStartingBalance": 1000,
}


def create(client, aggregator, body):
    return client.post(OPERATORS, json=body, headers=aggregator["headers"])


def list_codes(client, aggregator, query=""):
    response = client.get(OPERATORS + query, headers=aggregator["headers"])
    assert response.status_code == 200, response.json
    return [op["code"] for op in response.json["operators"]]


def assert_validation_error(response, field):
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert isinstance(error["message"], str) and error["message"]
    assert field in error["details"]["fields"], error


def keys_named_secret(value):
    """Every key anywhere in a JSON document whose name mentions a secret."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if "secret" in key.lower():
                found.append(key)
            found.extend(keys_named_secret(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(keys_named_secret(item))
    return found


@pytest.fixture
def other(client):
    """A second aggregator, a different tenant."""
    return make_aggregator(client, "other-agg", "Other Aggregator")


# --- create -------------------------------------------------------------------------------


def test_create_returns_the_guides_shape_with_secrets_once(client, aggregator):
    response = create(client, aggregator, operator_body("mybrand"))

    assert response.status_code == 201, response.json
    op = response.json["operator"]
    assert set(op) == PUBLIC_FIELDS | {"jwtSharedSecret", "walletHmacSecret"}
    assert str(uuid.UUID(op["id"])) == op["id"]
    assert op["code"] == "mybrand"
    assert op["name"] == "My Brand Casino"
    assert op["jwtAlg"] == "HS256"
    assert HEX64.match(op["jwtSharedSecret"])
    assert HEX64.match(op["walletHmacSecret"])
    assert op["jwtSharedSecret"] != op["walletHmacSecret"]
    assert op["walletBaseUrl"] == "https://wallet.mybrand.com"
    assert op["gameFrontendBaseUrl"] == "https://play.mybrand.com"
    assert op["status"] == "active"
    assert op["walletTimeoutMs"] == 5000
    assert op["aggregatorId"] == aggregator["id"]
    assert op["createdAt"].endswith("Z")
    datetime.fromisoformat(op["createdAt"].removesuffix("Z"))


def test_each_operator_gets_its_own_secrets(client, aggregator):
    first = make_operator(client, aggregator, "brand-one")
    second = make_operator(client, aggregator, "brand-two")
    secrets = {
        first["jwtSharedSecret"],
        first["walletHmacSecret"],
        second["jwtSharedSecret"],
        second["walletHmacSecret"],
    }
    assert len(secrets) == 4
    assert first["id"] != second["id"]


@pytest.mark.parametrize("timeout", [100, 2500, 30000])
def test_create_stores_an_explicit_wallet_timeout(client, aggregator, timeout):
    op = make_operator(client, aggregator, walletTimeoutMs=timeout)
    assert op["walletTimeoutMs"] == timeout
    response = client.get(f"{OPERATORS}/{op['id']}", headers=aggregator["headers"])
    assert response.json["operator"]["walletTimeoutMs"] == timeout


@pytest.mark.parametrize(
    "code", ["ab", "mybrand", "my-brand", "brand-2024", "0casino9", "a" * 64, "a--b"]
)
def test_valid_codes_are_accepted(client, aggregator, code):
    assert make_operator(client, aggregator, code)["code"] == code


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:5001",
        "http://127.0.0.1:8080/wallet",
        "https://wallet.example.com/api/v2/",
        "https://wallet.example.com:8443/path?x=1",
    ],
)
def test_plain_http_and_full_urls_are_accepted(client, aggregator, url):
    op = make_operator(client, aggregator, walletBaseUrl=url, gameFrontendBaseUrl=url)
    assert op["walletBaseUrl"] == url
    assert op["gameFrontendBaseUrl"] == url


def test_duplicate_code_is_409_and_writes_nothing(client, aggregator):
    original = make_operator(client, aggregator, "mybrand")

    response = create(client, aggregator, operator_body("mybrand", name="Another"))

    assert response.status_code == 409
    assert re.fullmatch(r"[a-z][a-z0-9_]*", response.json["error"]["code"])
    assert "Secret" not in response.get_data(as_text=True)
    listed = client.get(OPERATORS, headers=aggregator["headers"]).json["operators"]
    assert [op["id"] for op in listed] == [original["id"]]
    assert listed[0]["name"] == "My Brand Casino"


def test_duplicate_code_of_another_aggregator_is_409(client, aggregator, other):
    make_operator(client, aggregator, "mybrand")

    response = create(client, other, operator_body("mybrand"))

    assert response.status_code == 409
    assert list_codes(client, other) == []


def test_code_of_an_admin_created_operator_is_taken_too(client, aggregator, admin_headers):
    response = client.post(
        "/api/v1/bo/operators", json=operator_body("house-brand"), headers=admin_headers
    )
    assert response.status_code == 201, response.json

    assert create(client, aggregator, operator_body("house-brand")).status_code == 409


UUID_CODE = "3f2b8c1e-0000-4000-8000-000000000000"
BAD_BODIES = [
    pytest.param({"code": "MyBrand"}, "code", id="code-uppercase"),
    pytest.param({"code": "-abc"}, "code", id="code-leading-hyphen"),
    pytest.param({"code": "abc-"}, "code", id="code-trailing-hyphen"),
    pytest.param({"code": "a"}, "code", id="code-one-char"),
    pytest.param({"code": "my_brand"}, "code", id="code-underscore"),
    pytest.param({"code": "my brand"}, "code", id="code-space"),
    pytest.param({"code": ""}, "code", id="code-empty"),
    pytest.param({"code": "a" * 65}, "code", id="code-too-long"),
    pytest.param({"code": 123}, "code", id="code-number"),
    pytest.param({"code": UUID_CODE}, "code", id="code-uuid"),
    pytest.param({"code": UUID_CODE.replace("-", "")}, "code", id="code-uuid-32hex"),
    pytest.param({"code": None}, "code", id="code-null"),
    pytest.param({"name": ""}, "name", id="name-empty"),
    pytest.param({"name": "x" * 201}, "name", id="name-too-long"),
    pytest.param({"name": 7}, "name", id="name-number"),
    pytest.param({"name": "My\x00Brand"}, "name", id="name-nul"),
    pytest.param({"unexpected": "x"}, "unexpected", id="unknown-field"),
    pytest.param({"jwtAlg": "HS256"}, "jwtAlg", id="admin-only-field"),
    pytest.param({"walletBaseUrl": "ftp://x"}, "walletBaseUrl", id="wallet-ftp"),
    pytest.param({"walletBaseUrl": "not a url"}, "walletBaseUrl", id="wallet-not-url"),
    pytest.param({"walletBaseUrl": "http://"}, "walletBaseUrl", id="wallet-no-host"),
    pytest.param(
        {"walletBaseUrl": "https://user:pw@host"}, "walletBaseUrl", id="wallet-credentials"
    ),
    pytest.param({"walletBaseUrl": "/relative"}, "walletBaseUrl", id="wallet-relative"),
    pytest.param({"walletBaseUrl": "https://a\x00b.com"}, "walletBaseUrl", id="wallet-nul"),
    pytest.param({"walletBaseUrl": 5}, "walletBaseUrl", id="wallet-number"),
    pytest.param({"gameFrontendBaseUrl": "ftp://x"}, "gameFrontendBaseUrl", id="front-ftp"),
    pytest.param({"gameFrontendBaseUrl": "not a url"}, "gameFrontendBaseUrl", id="front-not-url"),
    pytest.param({"gameFrontendBaseUrl": "http://"}, "gameFrontendBaseUrl", id="front-no-host"),
    pytest.param(
        {"gameFrontendBaseUrl": "https://user:pw@host"},
        "gameFrontendBaseUrl",
        id="front-credentials",
    ),
    pytest.param({"gameFrontendBaseUrl": "/relative"}, "gameFrontendBaseUrl", id="front-relative"),
    pytest.param({"walletTimeoutMs": 99}, "walletTimeoutMs", id="timeout-too-small"),
    pytest.param({"walletTimeoutMs": 30001}, "walletTimeoutMs", id="timeout-too-large"),
    pytest.param({"walletTimeoutMs": "5000"}, "walletTimeoutMs", id="timeout-string"),
    pytest.param({"walletTimeoutMs": 1.5}, "walletTimeoutMs", id="timeout-fraction"),
    pytest.param({"walletTimeoutMs": True}, "walletTimeoutMs", id="timeout-bool"),
    pytest.param({"walletTimeoutMs": None}, "walletTimeoutMs", id="timeout-null"),
]


@pytest.mark.parametrize(("override", "field"), BAD_BODIES)
def test_bad_create_body_is_422_naming_the_field_and_writes_nothing(
    client, aggregator, override, field
):
    response = create(client, aggregator, {**operator_body("mybrand"), **override})

    assert_validation_error(response, field)
    assert list_codes(client, aggregator) == []


@pytest.mark.parametrize("missing", ["code", "name", "walletBaseUrl", "gameFrontendBaseUrl"])
def test_missing_required_field_is_422(client, aggregator, missing):
    body = operator_body("mybrand")
    del body[missing]

    response = create(client, aggregator, body)

    assert_validation_error(response, missing)
    assert list(response.json["error"]["details"]["fields"]) == [missing]
    assert list_codes(client, aggregator) == []


def test_every_bad_field_is_listed_at_once(client, aggregator):
    response = create(
        client, aggregator, {"code": "Bad", "walletBaseUrl": "ftp://x", "walletTimeoutMs": 1}
    )

    assert response.status_code == 422
    fields = response.json["error"]["details"]["fields"]
    assert set(fields) == {
        "code",
        "name",
        "walletBaseUrl",
        "gameFrontendBaseUrl",
        "walletTimeoutMs",
    }


@pytest.mark.parametrize(
    "raw",
    [b'{"code": "mybrand",', b"{code: 1}", b'{"code": "x"} trailing', b'{"code": "\xff"}'],
    ids=["truncated", "unquoted-key", "trailing-garbage", "bad-utf8"],
)
def test_malformed_json_is_400(client, aggregator, raw):
    response = client.post(
        OPERATORS, data=raw, content_type="application/json", headers=aggregator["headers"]
    )

    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_json"
    assert list_codes(client, aggregator) == []


def test_json_that_is_not_an_object_is_422(client, aggregator):
    response = client.post(
        OPERATORS,
        data=json.dumps([operator_body()]),
        content_type="application/json",
        headers=aggregator["headers"],
    )
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"
    assert list_codes(client, aggregator) == []


def test_create_needs_an_aggregator_key(client, aggregator):
    missing = client.post(OPERATORS, json=operator_body())
    wrong = client.post(
        OPERATORS,
        json=operator_body(),
        headers={"X-Aggregator-Key": "abcdefabcdef.not-the-right-secret-at-all-000000"},
    )
    assert missing.status_code == 401
    assert wrong.status_code == 401
    assert list_codes(client, aggregator) == []


# --- read -----------------------------------------------------------------------------------


def test_get_by_id_and_by_code_show_the_public_fields(client, aggregator):
    created = make_operator(client, aggregator, "mybrand", walletTimeoutMs=750)
    public = {key: value for key, value in created.items() if key in PUBLIC_FIELDS}

    by_id = client.get(f"{OPERATORS}/{created['id']}", headers=aggregator["headers"])
    by_code = client.get(f"{OPERATORS}/mybrand", headers=aggregator["headers"])

    assert by_id.status_code == 200
    assert by_code.status_code == 200
    assert by_id.json == {"operator": public}
    assert by_code.json == by_id.json
    assert public["walletTimeoutMs"] == 750


def test_get_unknown_operator_is_404(client, aggregator):
    for key in [str(uuid.uuid4()), "no-such-brand", "MyBrand"]:
        response = client.get(f"{OPERATORS}/{key}", headers=aggregator["headers"])
        assert response.status_code == 404
        assert response.json["error"]["code"] == "operator_not_found"


def test_get_by_code_does_not_match_a_similar_code(client, aggregator):
    make_operator(client, aggregator, "mybrand")
    for key in ["mybrand2", "mybran", "MYBRAND", "mybrand%25", "mybrand%00"]:
        response = client.get(f"{OPERATORS}/{key}", headers=aggregator["headers"])
        assert response.status_code == 404, key
        assert response.json["error"]["code"] == "operator_not_found"


def test_secrets_never_appear_after_creation(client, aggregator):
    created = make_operator(client, aggregator, "mybrand")
    secrets = [created["jwtSharedSecret"], created["walletHmacSecret"]]
    client.put(
        f"{OPERATORS}/{created['id']}/config", json=GUIDE_CONFIG, headers=aggregator["headers"]
    )

    responses = [
        client.get(f"{OPERATORS}/{created['id']}", headers=aggregator["headers"]),
        client.get(f"{OPERATORS}/mybrand", headers=aggregator["headers"]),
        client.get(OPERATORS, headers=aggregator["headers"]),
        client.get(f"{OPERATORS}/{created['id']}/config", headers=aggregator["headers"]),
        client.post(f"/api/v1/bo/operators/{created['id']}/disable", headers=aggregator["headers"]),
        client.post(f"/api/v1/bo/operators/{created['id']}/enable", headers=aggregator["headers"]),
    ]

    for response in responses:
        assert response.status_code == 200, response.json
        text = response.get_data(as_text=True)
        for secret in secrets:
            assert secret not in text
        assert keys_named_secret(response.json) == []


# --- list and pagination ------------------------------------------------------------------


def test_list_is_empty_without_operators(client, aggregator):
    response = client.get(OPERATORS, headers=aggregator["headers"])
    assert response.status_code == 200
    assert response.json == {"operators": [], "nextCursor": None}


def test_list_is_in_creation_order_and_pages_with_cursors(client, aggregator):
    codes = ["zeta", "alpha", "mike", "bravo", "yankee"]
    created = [make_operator(client, aggregator, code) for code in codes]

    everything = client.get(OPERATORS, headers=aggregator["headers"]).json
    assert [op["code"] for op in everything["operators"]] == codes
    assert everything["nextCursor"] is None
    assert everything["operators"][0] == {
        key: value for key, value in created[0].items() if key in PUBLIC_FIELDS
    }

    pages, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(OPERATORS + query, headers=aggregator["headers"])
        assert response.status_code == 200, response.json
        pages.append([op["code"] for op in response.json["operators"]])
        cursor = response.json["nextCursor"]
        if cursor is None:
            break
        assert len(pages) < 10
    assert pages == [["zeta", "alpha"], ["mike", "bravo"], ["yankee"]]


def test_no_next_cursor_when_the_page_is_exactly_full(client, aggregator):
    for code in ["one1", "two2", "three3"]:
        make_operator(client, aggregator, code)

    full = client.get(OPERATORS + "?limit=3", headers=aggregator["headers"]).json
    assert [op["code"] for op in full["operators"]] == ["one1", "two2", "three3"]
    assert full["nextCursor"] is None

    first = client.get(OPERATORS + "?limit=1", headers=aggregator["headers"]).json
    assert [op["code"] for op in first["operators"]] == ["one1"]
    rest = client.get(
        OPERATORS + f"?limit=100&cursor={first['nextCursor']}", headers=aggregator["headers"]
    ).json
    assert [op["code"] for op in rest["operators"]] == ["two2", "three3"]
    assert rest["nextCursor"] is None


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", ""])
def test_bad_limit_is_422(client, aggregator, limit):
    make_operator(client, aggregator)
    response = client.get(f"{OPERATORS}?limit={limit}", headers=aggregator["headers"])
    assert_validation_error(response, "limit")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        "W10",  # base64 of []
        "WzEsMl0",  # base64 of [1,2]
        "WyJub3QgYSBkYXRlIiwiYSJd",  # base64 of ["not a date","a"]
        "eyJhIjoxfQ",  # base64 of {"a":1}
        "WyIyMDI0LTAxLTAxVDAwOjAwOjAwIiwiXHUwMDAwIl0",  # ["2024-01-01T00:00:00","\u0000"]
    ],
)
def test_garbage_cursor_is_422(client, aggregator, cursor):
    make_operator(client, aggregator)
    response = client.get(f"{OPERATORS}?cursor={cursor}", headers=aggregator["headers"])
    assert response.status_code == 422
    assert response.json["error"]["code"] in {"invalid_cursor", "validation_error"}


def test_overlong_cursor_is_422(client, aggregator):
    response = client.get(f"{OPERATORS}?cursor={'A' * 501}", headers=aggregator["headers"])
    assert_validation_error(response, "cursor")


# --- tenancy ------------------------------------------------------------------------------


TENANT_CALLS = [
    pytest.param("GET", OPERATORS + "/{key}", None, id="get"),
    pytest.param("GET", OPERATORS + "/{key}/config", None, id="get-config"),
    pytest.param("PUT", OPERATORS + "/{key}/config", GUIDE_CONFIG, id="put-config"),
    pytest.param("POST", "/api/v1/bo/operators/{key}/enable", None, id="enable"),
    pytest.param("POST", "/api/v1/bo/operators/{key}/disable", None, id="disable"),
]


@pytest.mark.parametrize(("method", "path", "body"), TENANT_CALLS)
@pytest.mark.parametrize("by", ["id", "code"])
def test_foreign_operator_is_404_exactly_like_a_missing_one(
    client, aggregator, other, method, path, body, by
):
    theirs = make_operator(client, aggregator, "mybrand")
    make_operator(client, other, "other-brand")
    foreign_key = theirs[by]
    missing_key = str(uuid.uuid4()) if by == "id" else "no-such-brand"

    foreign = client.open(
        path.format(key=foreign_key), method=method, json=body, headers=other["headers"]
    )
    missing = client.open(
        path.format(key=missing_key), method=method, json=body, headers=other["headers"]
    )

    assert foreign.status_code == 404
    assert foreign.json["error"]["code"] == "operator_not_found"
    assert missing.status_code == 404
    assert foreign.get_data() == missing.get_data()
    assert foreign.headers.get("Content-Type") == missing.headers.get("Content-Type")


def test_foreign_writes_change_nothing(client, aggregator, other):
    theirs = make_operator(client, aggregator, "mybrand")
    headers = aggregator["headers"]
    client.put(f"{OPERATORS}/mybrand/config", json=GUIDE_CONFIG, headers=headers)
    before = client.get(f"{OPERATORS}/mybrand/config", headers=headers).json

    client.put(
        f"{OPERATORS}/{theirs['id']}/config",
        json={"enabledGames": [], "currencies": {}},
        headers=other["headers"],
    )
    client.post(f"/api/v1/bo/operators/{theirs['id']}/disable", headers=other["headers"])
    client.post("/api/v1/bo/operators/mybrand/disable", headers=other["headers"])

    assert client.get(f"{OPERATORS}/mybrand/config", headers=headers).json == before
    assert client.get(f"{OPERATORS}/mybrand", headers=headers).json["operator"]["status"] == (
        "active"
    )


def test_lists_show_only_the_callers_operators(client, aggregator, other):
    make_operator(client, aggregator, "mine-one")
    make_operator(client, other, "theirs-one")
    make_operator(client, aggregator, "mine-two")

    assert list_codes(client, aggregator) == ["mine-one", "mine-two"]
    assert list_codes(client, other) == ["theirs-one"]
    page = client.get(OPERATORS + "?limit=1", headers=other["headers"]).json
    assert [op["code"] for op in page["operators"]] == ["theirs-one"]
    assert page["nextCursor"] is None


# --- enable and disable -------------------------------------------------------------------


def test_owner_disables_and_enables_its_operator(client, aggregator):
    op = make_operator(client, aggregator, "mybrand")
    headers = aggregator["headers"]

    disabled = client.post(f"/api/v1/bo/operators/{op['id']}/disable", headers=headers)
    assert disabled.status_code == 200
    assert disabled.json["operator"]["status"] == "disabled"
    assert disabled.json["operator"]["id"] == op["id"]
    assert client.get(f"{OPERATORS}/{op['id']}", headers=headers).json["operator"]["status"] == (
        "disabled"
    )
    assert client.get(OPERATORS, headers=headers).json["operators"][0]["status"] == "disabled"

    again = client.post(f"/api/v1/bo/operators/{op['id']}/disable", headers=headers)
    assert again.status_code == 200
    assert again.json["operator"]["status"] == "disabled"

    enabled = client.post("/api/v1/bo/operators/mybrand/enable", headers=headers)
    assert enabled.status_code == 200
    assert enabled.json["operator"]["status"] == "active"
    assert client.get(f"{OPERATORS}/mybrand", headers=headers).json["operator"]["status"] == (
        "active"
    )


def test_disabling_one_operator_leaves_the_others_active(client, aggregator):
    first = make_operator(client, aggregator, "brand-one")
    make_operator(client, aggregator, "brand-two")

    client.post(f"/api/v1/bo/operators/{first['id']}/disable", headers=aggregator["headers"])

    statuses = {
        op["code"]: op["status"]
        for op in client.get(OPERATORS, headers=aggregator["headers"]).json["operators"]
    }
    assert statuses == {"brand-one": "disabled", "brand-two": "active"}


def test_status_changes_need_a_key(client, aggregator):
    op = make_operator(client, aggregator, "mybrand")
    for action in ["disable", "enable"]:
        response = client.post(f"/api/v1/bo/operators/{op['id']}/{action}")
        assert response.status_code == 401
    assert client.get(f"{OPERATORS}/mybrand", headers=aggregator["headers"]).json["operator"][
        "status"
    ] == ("active")


def test_admin_may_disable_an_aggregators_operator(client, aggregator, admin_headers):
    op = make_operator(client, aggregator, "mybrand")

    response = client.post(f"/api/v1/bo/operators/{op['id']}/disable", headers=admin_headers)

    assert response.status_code == 200
    shown = client.get(f"{OPERATORS}/mybrand", headers=aggregator["headers"]).json["operator"]
    assert shown["status"] == "disabled"
