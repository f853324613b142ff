"""The admin CLI (`flask admin ...`) and `db` commands: same services and shapes as HTTP."""

import json
import os
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from common import migrate
from tests.conftest import make_aggregator, make_operator

ME = "/api/v1/bo/aggregator/me"
AGGREGATORS = "/api/v1/bo/aggregators"
AGG_OPERATORS = "/api/v1/bo/aggregator/operators"
KEY_RE = re.compile(r"\b([0-9a-f]{12}\.[A-Za-z0-9_-]{43,})(?![A-Za-z0-9_-])")
HEX64_RE = re.compile(r"\b[0-9a-f]{64}\b")


def admin(runner, *args):
    return runner.invoke(args=["admin", *args])


def ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def ok_json(result):
    return json.loads(ok(result))


def assert_fails(result, *fragments):
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    # click turns ClickException into SystemExit(1) with a printed "Error: ..." line.
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Error" in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output
    return result.output


def write_pem(tmp_path, private_key, name="key.pem"):
    path = tmp_path / name
    path.write_bytes(
        private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return str(path)


def me(client, api_key):
    return client.get(ME, headers={"X-Aggregator-Key": api_key})


# --- aggregators ------------------------------------------------------------------------------


def test_create_aggregator_text_shows_key_once_and_it_works(runner, client):
    output = ok(admin(runner, "create-aggregator", "cli-agg", "CLI Aggregator"))
    keys = KEY_RE.findall(output)
    assert len(keys) == 1, output
    assert output.count(keys[0]) == 1
    assert "cli-agg" in output
    response = me(client, keys[0])
    assert response.status_code == 200
    assert response.json["aggregator"]["code"] == "cli-agg"
    assert response.json["aggregator"]["name"] == "CLI Aggregator"
    assert response.json["aggregator"]["id"] in output


def test_create_aggregator_json_matches_the_http_shape(runner, client, admin_headers):
    body = ok_json(admin(runner, "create-aggregator", "cli-agg", "CLI Aggregator", "--json"))
    http = make_aggregator(client, code="http-agg", name="HTTP Aggregator")
    assert set(body) == {"aggregator", "apiKey"}
    http_fields = {k for k in http if k not in ("apiKey", "headers")}
    assert set(body["aggregator"]) == http_fields
    assert body["aggregator"]["status"] == "active"
    assert body["aggregator"]["createdAt"].endswith("Z")
    assert KEY_RE.fullmatch(body["apiKey"])
    assert me(client, body["apiKey"]).json["aggregator"]["id"] == body["aggregator"]["id"]
    listed = client.get(AGGREGATORS, headers=admin_headers).json["aggregators"]
    assert body["aggregator"] in listed


@pytest.mark.parametrize(
    ("code", "name"),
    [("Bad_Code", "X"), ("x-", "X"), ("a", "X"), ("ok-code", ""), ("a" * 65, "X")],
)
def test_create_aggregator_bad_input(runner, client, admin_headers, code, name):
    output = assert_fails(admin(runner, "create-aggregator", code, name))
    assert "Invalid input" in output
    assert client.get(AGGREGATORS, headers=admin_headers).json["aggregators"] == []


def test_create_aggregator_duplicate(runner, aggregator):
    output = assert_fails(
        admin(runner, "create-aggregator", aggregator["code"], "Again"), "already exists"
    )
    assert "aggregator_code_taken" in output
    assert not KEY_RE.search(output)


def test_create_aggregator_missing_arguments(runner):
    result = admin(runner, "create-aggregator", "only-code")
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_list_aggregators_json(runner, client):
    first = make_aggregator(client, code="agg-a", name="A")
    second = make_aggregator(client, code="agg-b", name="B")
    body = ok_json(admin(runner, "list-aggregators", "--json"))
    assert [a["id"] for a in body["aggregators"]] == [first["id"], second["id"]]
    assert body["nextCursor"] is None
    assert "apiKey" not in json.dumps(body)

    page = ok_json(admin(runner, "list-aggregators", "--json", "--limit", "1"))
    assert [a["code"] for a in page["aggregators"]] == ["agg-a"]
    assert page["nextCursor"]
    rest = ok_json(
        admin(runner, "list-aggregators", "--json", "--limit", "1", "--cursor", page["nextCursor"])
    )
    assert [a["code"] for a in rest["aggregators"]] == ["agg-b"]
    assert rest["nextCursor"] is None


def test_list_aggregators_text(runner, client):
    assert "No aggregators" in ok(admin(runner, "list-aggregators"))
    agg = make_aggregator(client, code="agg-a", name="Alpha Games")
    output = ok(admin(runner, "list-aggregators"))
    assert agg["id"] in output and "agg-a" in output and "Alpha Games" in output
    assert agg["apiKey"] not in output


def test_list_aggregators_bad_cursor(runner, aggregator):
    assert_fails(admin(runner, "list-aggregators", "--cursor", "garbage!"), "invalid_cursor")


@pytest.mark.parametrize("by", ["id", "code"])
def test_disable_and_enable_aggregator(runner, client, aggregator, by):
    assert me(client, aggregator["apiKey"]).status_code == 200
    output = ok(admin(runner, "disable-aggregator", aggregator[by]))
    assert "disabled" in output
    response = me(client, aggregator["apiKey"])
    assert response.status_code == 401
    assert response.json["error"]["code"] == "aggregator_disabled"

    body = ok_json(admin(runner, "enable-aggregator", aggregator[by], "--json"))
    assert body["aggregator"]["status"] == "active"
    assert body["aggregator"]["id"] == aggregator["id"]
    assert me(client, aggregator["apiKey"]).status_code == 200


@pytest.mark.parametrize("command", ["enable-aggregator", "disable-aggregator"])
def test_status_of_unknown_aggregator(runner, command):
    assert_fails(admin(runner, command, "no-such-agg"), "aggregator_not_found")


def test_issue_aggregator_key(runner, client, aggregator):
    output = ok(admin(runner, "issue-aggregator-key", aggregator["code"], "--label", "lost"))
    (new_key,) = KEY_RE.findall(output)
    assert new_key != aggregator["apiKey"]
    assert me(client, new_key).json["aggregator"]["id"] == aggregator["id"]
    assert me(client, aggregator["apiKey"]).status_code == 200
    listed = client.get("/api/v1/bo/aggregator/api-keys", headers=aggregator["headers"]).json
    labels = {k["prefix"]: k["label"] for k in listed["keys"]}
    assert labels[new_key.split(".")[0]] == "lost"


def test_issue_aggregator_key_json_with_expiry(runner, client, aggregator):
    body = ok_json(
        admin(runner, "issue-aggregator-key", aggregator["id"], "--expires-in", "3600", "--json")
    )
    assert KEY_RE.fullmatch(body["apiKey"])
    assert body["key"]["prefix"] == body["apiKey"].split(".")[0]
    assert body["key"]["expiresAt"] is not None
    assert me(client, body["apiKey"]).status_code == 200


def test_issue_aggregator_key_bad_input(runner, aggregator):
    assert_fails(admin(runner, "issue-aggregator-key", "no-such-agg"), "aggregator_not_found")
    result = admin(runner, "issue-aggregator-key", aggregator["code"], "--expires-in", "0")
    assert result.exit_code != 0
    assert "Traceback" not in result.output


# --- admin keys --------------------------------------------------------------------------------


def test_create_admin_key_works_over_http(runner, client):
    output = ok(admin(runner, "create-admin-key", "--label", "ops"))
    (admin_key,) = KEY_RE.findall(output)
    headers = {"X-Admin-Key": admin_key}
    response = client.post(AGGREGATORS, json={"code": "by-admin", "name": "N"}, headers=headers)
    assert response.status_code == 201
    assert client.get(AGGREGATORS, headers=headers).status_code == 200
    # An admin key is not an aggregator key.
    assert me(client, admin_key).status_code == 401


def test_create_admin_key_json(runner, client):
    body = ok_json(admin(runner, "create-admin-key", "--json", "--expires-in", "60"))
    assert KEY_RE.fullmatch(body["apiKey"])
    assert body["key"]["prefix"] == body["apiKey"].split(".")[0]
    assert body["key"]["expiresAt"] is not None
    headers = {"X-Admin-Key": body["apiKey"]}
    assert client.get(AGGREGATORS, headers=headers).status_code == 200


# --- operators -------------------------------------------------------------------------------

OPERATOR_ARGS = [
    "--code",
    "cli-op",
    "--name",
    "CLI Operator",
    "--wallet-url",
    "https://wallet.example.com",
    "--frontend-url",
    "https://play.example.com",
]


def test_create_operator_for_aggregator_json(runner, client, aggregator):
    body = ok_json(
        admin(
            runner,
            "create-operator",
            *OPERATOR_ARGS,
            "--aggregator",
            aggregator["code"],
            "--wallet-timeout-ms",
            "1500",
            "--json",
        )
    )
    operator = body["operator"]
    assert operator["aggregatorId"] == aggregator["id"]
    assert operator["jwtAlg"] == "HS256"
    assert operator["walletTimeoutMs"] == 1500
    assert HEX64_RE.fullmatch(operator["jwtSharedSecret"])
    assert HEX64_RE.fullmatch(operator["walletHmacSecret"])
    listed = client.get(AGG_OPERATORS, headers=aggregator["headers"]).json["operators"]
    assert [o["id"] for o in listed] == [operator["id"]]
    public = {k: v for k, v in operator.items() if k not in ("jwtSharedSecret", "walletHmacSecret")}
    assert listed[0] == public


def test_create_operator_text_shows_secrets(runner):
    output = ok(admin(runner, "create-operator", *OPERATOR_ARGS))
    assert "cli-op" in output and "HS256" in output
    assert "jwtSharedSecret" in output and "walletHmacSecret" in output
    assert len(set(HEX64_RE.findall(output))) == 2


def test_create_rs256_operator_from_public_key_file(runner, client, aggregator, tmp_path):
    pem_path = write_pem(tmp_path, rsa.generate_private_key(public_exponent=65537, key_size=2048))
    body = ok_json(
        admin(
            runner,
            "create-operator",
            *OPERATOR_ARGS,
            "--aggregator",
            aggregator["id"],
            "--jwt-alg",
            "RS256",
            "--public-key-file",
            pem_path,
            "--json",
        )
    )
    operator = body["operator"]
    assert operator["jwtAlg"] == "RS256"
    assert operator.get("jwtSharedSecret") is None
    assert HEX64_RE.fullmatch(operator["walletHmacSecret"])
    listed = client.get(AGG_OPERATORS, headers=aggregator["headers"]).json["operators"]
    assert listed[0]["jwtAlg"] == "RS256"


def test_create_rs256_operator_text_has_no_jwt_secret(runner, tmp_path):
    pem_path = write_pem(tmp_path, rsa.generate_private_key(public_exponent=65537, key_size=2048))
    output = ok(
        admin(
            runner,
            "create-operator",
            *OPERATOR_ARGS,
            "--jwt-alg",
            "RS256",
            "--public-key-file",
            pem_path,
        )
    )
    assert "RS256" in output
    assert "jwtSharedSecret" not in output
    assert len(HEX64_RE.findall(output)) == 1


@pytest.mark.parametrize(
    "key_kind", ["ec", "rsa1024", "garbage", "missing-file", "none", "hs256-with-key"]
)
def test_create_operator_bad_jwt_settings(runner, client, admin_headers, tmp_path, key_kind):
    args = [*OPERATOR_ARGS, "--jwt-alg", "RS256"]
    if key_kind == "ec":
        args += ["--public-key-file", write_pem(tmp_path, ec.generate_private_key(ec.SECP256R1()))]
    elif key_kind == "rsa1024":
        small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        args += ["--public-key-file", write_pem(tmp_path, small)]
    elif key_kind == "garbage":
        path = tmp_path / "garbage.pem"
        path.write_text("this is not a key\n")
        args += ["--public-key-file", str(path)]
    elif key_kind == "missing-file":
        args += ["--public-key-file", os.path.join(str(tmp_path), "nope.pem")]
    elif key_kind == "hs256-with-key":
        pem = write_pem(tmp_path, rsa.generate_private_key(public_exponent=65537, key_size=2048))
        args = [*OPERATOR_ARGS, "--jwt-alg", "HS256", "--public-key-file", pem]
    result = admin(runner, "create-operator", *args)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    if key_kind != "missing-file":
        assert_fails(result, "jwtPublicKey")
    # Nothing was created: the code is still free over HTTP.
    response = client.post(
        "/api/v1/bo/operators",
        json={
            "code": "cli-op",
            "name": "N",
            "walletBaseUrl": "https://w.example.com",
            "gameFrontendBaseUrl": "https://p.example.com",
        },
        headers=admin_headers,
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        (["--code", "Bad Code"], "code"),
        (["--wallet-url", "ftp://wallet.example.com"], "walletBaseUrl"),
        (["--frontend-url", "not-a-url"], "gameFrontendBaseUrl"),
        (["--wallet-timeout-ms", "50"], "walletTimeoutMs"),
    ],
)
def test_create_operator_invalid_fields(runner, override, fragment):
    if override[0] in OPERATOR_ARGS:
        args = list(OPERATOR_ARGS)
        args[args.index(override[0]) + 1] = override[1]
    else:
        args = [*OPERATOR_ARGS, *override]
    assert_fails(admin(runner, "create-operator", *args), "Invalid input", fragment)


def test_create_operator_unknown_aggregator(runner):
    assert_fails(
        admin(runner, "create-operator", *OPERATOR_ARGS, "--aggregator", "no-such-agg"),
        "aggregator_not_found",
    )


def test_create_operator_duplicate_code(runner, client, aggregator):
    make_operator(client, aggregator, "cli-op")
    output = assert_fails(admin(runner, "create-operator", *OPERATOR_ARGS), "operator_code_taken")
    assert not HEX64_RE.search(output)


@pytest.mark.parametrize("by", ["id", "code"])
def test_disable_and_enable_operator(runner, client, aggregator, operator, by):
    output = ok(admin(runner, "disable-operator", operator[by]))
    assert "disabled" in output
    detail = client.get(f"{AGG_OPERATORS}/{operator['id']}", headers=aggregator["headers"])
    assert detail.json["operator"]["status"] == "disabled"
    body = ok_json(admin(runner, "enable-operator", operator[by], "--json"))
    assert body["operator"]["status"] == "active"
    assert "jwtSharedSecret" not in body["operator"]
    detail = client.get(f"{AGG_OPERATORS}/{operator['id']}", headers=aggregator["headers"])
    assert detail.json["operator"]["status"] == "active"


@pytest.mark.parametrize("command", ["enable-operator", "disable-operator"])
def test_status_of_unknown_operator(runner, command):
    assert_fails(admin(runner, command, "no-such-op"), "operator_not_found")


def test_rotate_operator_secrets(runner, operator):
    body = ok_json(admin(runner, "rotate-operator-secrets", operator["code"], "--json"))
    rotated = body["operator"]
    assert rotated["id"] == operator["id"]
    assert HEX64_RE.fullmatch(rotated["jwtSharedSecret"])
    assert HEX64_RE.fullmatch(rotated["walletHmacSecret"])
    assert rotated["jwtSharedSecret"] != operator["jwtSharedSecret"]
    assert rotated["walletHmacSecret"] != operator["walletHmacSecret"]

    output = ok(admin(runner, "rotate-operator-secrets", operator["id"]))
    secrets_shown = set(HEX64_RE.findall(output))
    assert len(secrets_shown) == 2
    assert not secrets_shown & {
        operator["jwtSharedSecret"],
        operator["walletHmacSecret"],
        rotated["jwtSharedSecret"],
        rotated["walletHmacSecret"],
    }


def test_rotate_rs256_operator_secrets(runner, tmp_path):
    pem_path = write_pem(tmp_path, rsa.generate_private_key(public_exponent=65537, key_size=2048))
    created = ok_json(
        admin(
            runner,
            "create-operator",
            *OPERATOR_ARGS,
            "--jwt-alg",
            "RS256",
            "--public-key-file",
            pem_path,
            "--json",
        )
    )["operator"]
    rotated = ok_json(admin(runner, "rotate-operator-secrets", "cli-op", "--json"))["operator"]
    assert rotated.get("jwtSharedSecret") is None
    assert HEX64_RE.fullmatch(rotated["walletHmacSecret"])
    assert rotated["walletHmacSecret"] != created["walletHmacSecret"]


def test_rotate_unknown_operator(runner):
    assert_fails(admin(runner, "rotate-operator-secrets", "no-such-op"), "operator_not_found")


# --- db ---------------------------------------------------------------------------------------


def test_db_status_lists_migrations(runner):
    output = ok(runner.invoke(args=["db", "status"]))
    names = [name for name, _ in migrate.status()]
    assert names, "no migrations found"
    assert any(n.startswith("0001") for n in names)
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == len(names)
    for name, line in zip(names, lines, strict=True):
        assert line.startswith(name)
        assert "pending" not in line  # the test database is fully migrated


def test_db_upgrade_is_idempotent(runner):
    output = ok(runner.invoke(args=["db", "upgrade"]))
    assert "up to date" in output
