"""Minting launch tokens (POST /v1/aggregator/operators/:code/launch-tokens), SPEC section 4."""

import time
import uuid
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from tests.conftest import ADMIN_KEY, make_aggregator, make_operator
from tests.launch_helpers import configure, create_rs256_operator, error_code, set_status

MINT = "/v1/aggregator/operators/{}/launch-tokens"
BODY = {"sub": "player-1", "currency": "USDT", "game": "dice"}
# A body that fails every check after the operator ones: game, currency and validation.
HOPELESS = {"game": "crash", "currency": "EUR", "ttlSeconds": 0, "bogus": 1}


@pytest.fixture
def configured(client, operator, aggregator):
    """The `operator` fixture (mybrand, HS256) with the world's config."""
    configure(client, aggregator, operator)
    return operator


def post_mint(games_client, headers, body=BODY, code="mybrand"):
    return games_client.post(MINT.format(code), json=body, headers=headers)


def decode(token, secret):
    return jwt.decode(token, secret, algorithms=["HS256"], audience="betterplay")


# --- the successful mint -------------------------------------------------------------------------


def test_mint_returns_a_token_a_launch_url_and_a_uuid4_jti(games_client, aggregator, configured):
    response = post_mint(games_client, aggregator["headers"])
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == {"token", "launchUrl", "expiresIn", "jti"}
    assert body["expiresIn"] == 600
    assert uuid.UUID(body["jti"]).version == 4
    assert str(uuid.UUID(body["jti"])) == body["jti"]

    parts = urlsplit(body["launchUrl"])
    assert parts.path == "/launch" and not parts.netloc
    query = parse_qs(parts.query, strict_parsing=True)
    assert query == {"token": [body["token"]], "game": ["dice"], "currency": ["USDT"]}


def test_token_header_and_minimal_claims(games_client, aggregator, configured):
    before = int(time.time())
    body = post_mint(games_client, aggregator["headers"]).json
    after = int(time.time())

    header = jwt.get_unverified_header(body["token"])
    assert header == {"alg": "HS256", "typ": "JWT"}
    claims = decode(body["token"], configured["jwtSharedSecret"])
    assert set(claims) == {"iss", "sub", "aud", "iat", "exp", "jti", "game", "currency"}
    assert claims["iss"] == "mybrand"
    assert claims["sub"] == "player-1"
    assert claims["aud"] == "betterplay"
    assert before <= claims["iat"] <= after
    assert claims["exp"] == claims["iat"] + 600
    assert claims["jti"] == body["jti"]
    assert (claims["game"], claims["currency"]) == ("dice", "USDT")


def test_optional_claims_are_carried_when_given(games_client, aggregator, configured):
    extra = {
        "language": "pt-BR",
        "country": "US",
        "returnUrl": "https://play.mybrand.com/lobby?tab=slots&x=1",
        "ttlSeconds": 120,
        "currency": "BTC",
        "game": "roulette",
    }
    response = post_mint(games_client, aggregator["headers"], {**BODY, **extra})
    assert response.status_code == 201, response.json
    assert response.json["expiresIn"] == 120
    claims = decode(response.json["token"], configured["jwtSharedSecret"])
    assert claims["language"] == "pt-BR"
    assert claims["country"] == "US"
    assert claims["return_url"] == "https://play.mybrand.com/lobby?tab=slots&x=1"
    assert claims["exp"] - claims["iat"] == 120
    assert (claims["game"], claims["currency"]) == ("roulette", "BTC")
    query = parse_qs(urlsplit(response.json["launchUrl"]).query)
    assert query["game"] == ["roulette"] and query["currency"] == ["BTC"]


def test_each_mint_has_its_own_jti(games_client, aggregator, configured):
    jtis = {post_mint(games_client, aggregator["headers"]).json["jti"] for _ in range(3)}
    assert len(jtis) == 3


@pytest.mark.parametrize("ttl", [1, 600])
def test_ttl_bounds_are_accepted(games_client, aggregator, configured, ttl):
    response = post_mint(games_client, aggregator["headers"], {**BODY, "ttlSeconds": ttl})
    assert response.status_code == 201, response.json
    assert response.json["expiresIn"] == ttl
    claims = jwt.decode(
        response.json["token"],
        configured["jwtSharedSecret"],
        algorithms=["HS256"],
        audience="betterplay",
        options={"verify_exp": False},
    )
    assert claims["exp"] - claims["iat"] == ttl


@pytest.mark.parametrize("ttl", [601, 0, -1, "60", 60.5, None, True])
def test_ttl_out_of_range_or_not_an_integer_is_422(games_client, aggregator, configured, ttl):
    response = post_mint(games_client, aggregator["headers"], {**BODY, "ttlSeconds": ttl})
    assert response.status_code == 422, response.json
    assert error_code(response) == "validation_error"
    assert "ttlSeconds" in response.json["error"]["details"]["fields"]


# --- SPEC section 4: key (401), operator owned (404), disabled (422), RS256 (422), game,
# currency, body (422) — each check wins over every later one. ----------------------------------


@pytest.mark.parametrize(
    "headers, code",
    [
        ({}, "missing_api_key"),
        ({"X-Admin-Key": ADMIN_KEY}, "missing_api_key"),
        ({"X-Aggregator-Key": "nope"}, "invalid_api_key"),
        ({"X-Aggregator-Key": "0123456789ab.not-the-right-secret-0123456789abcdef"}, None),
    ],
    ids=["missing", "admin-key", "malformed", "unknown"],
)
def test_1_key_missing_or_invalid_is_401_before_anything_else(
    games_client, aggregator, configured, headers, code
):
    # The body is hopeless and the operator unknown: the key is still checked first.
    for operator_code in ("mybrand", "no-such-brand"):
        response = post_mint(games_client, headers, HOPELESS, code=operator_code)
        assert response.status_code == 401, response.json
        assert error_code(response) == (code or "invalid_api_key")


def test_1_wrong_secret_for_a_real_prefix_is_401(games_client, aggregator, configured):
    prefix = aggregator["apiKey"].split(".")[0]
    headers = {"X-Aggregator-Key": prefix + ".wrong-secret-0123456789abcdef0123456789"}
    response = post_mint(games_client, headers)
    assert response.status_code == 401, response.json
    assert error_code(response) == "invalid_api_key"


def test_1_disabled_aggregator_key_is_401(client, games_client, aggregator, configured):
    set_status(client, {"X-Admin-Key": ADMIN_KEY}, "aggregators", aggregator["id"], False)
    response = post_mint(games_client, aggregator["headers"], HOPELESS)
    assert response.status_code == 401, response.json
    assert error_code(response) == "aggregator_disabled"


def test_2_unknown_operator_is_404(games_client, aggregator):
    response = post_mint(games_client, aggregator["headers"], HOPELESS, code="no-such-brand")
    assert response.status_code == 404, response.json
    assert error_code(response) == "operator_not_found"


def test_2_another_aggregators_operator_is_404_even_disabled_and_rs256(
    client, games_client, aggregator
):
    other = make_aggregator(client, "other-agg", "Other")
    make_operator(client, other, "theirs")
    set_status(client, other["headers"], "operators", "theirs", False)
    create_rs256_operator(client, other, "their-rs")
    for code in ("theirs", "their-rs"):
        response = post_mint(games_client, aggregator["headers"], HOPELESS, code=code)
        assert response.status_code == 404, response.json
        assert error_code(response) == "operator_not_found"
    # The owner reaches them (and gets the next check's answer).
    response = post_mint(games_client, other["headers"], HOPELESS, code="theirs")
    assert error_code(response) == "operator_disabled"


def test_2_operator_id_also_names_it(games_client, aggregator, configured):
    response = post_mint(games_client, aggregator["headers"], code=configured["id"])
    assert response.status_code == 201, response.json


def test_3_disabled_operator_is_422_even_with_an_invalid_body(
    client, games_client, aggregator, configured
):
    set_status(client, aggregator["headers"], "operators", configured["id"], False)
    for body in (HOPELESS, {}, ["not", "an", "object"]):
        response = post_mint(games_client, aggregator["headers"], body)
        assert response.status_code == 422, response.json
        assert error_code(response) == "operator_disabled"
    set_status(client, aggregator["headers"], "operators", configured["id"], True)
    assert post_mint(games_client, aggregator["headers"]).status_code == 201


def test_3_disabled_rs256_operator_reports_disabled_first(client, games_client, aggregator):
    operator = create_rs256_operator(client, aggregator)
    set_status(client, aggregator["headers"], "operators", operator["id"], False)
    response = post_mint(games_client, aggregator["headers"], HOPELESS, code="rs-brand")
    assert response.status_code == 422, response.json
    assert error_code(response) == "operator_disabled"


def test_4_rs256_operator_is_422_before_game_currency_and_body(client, games_client, aggregator):
    operator = create_rs256_operator(client, aggregator)
    configure(client, aggregator, operator)
    for body in (HOPELESS, BODY):
        response = post_mint(games_client, aggregator["headers"], body, code="rs-brand")
        assert response.status_code == 422, response.json
        assert error_code(response) == "operator_rs256"


def test_5_game_not_enabled_is_422_before_currency_and_body(games_client, aggregator, configured):
    response = post_mint(games_client, aggregator["headers"], HOPELESS)
    assert response.status_code == 422, response.json
    assert error_code(response) == "game_not_enabled"
    # A game outside the catalog is simply not enabled either.
    response = post_mint(games_client, aggregator["headers"], {**BODY, "game": "nope"})
    assert error_code(response) == "game_not_enabled"


def test_5_unconfigured_operator_enables_no_game(games_client, aggregator, operator):
    response = post_mint(games_client, aggregator["headers"])
    assert response.status_code == 422, response.json
    assert error_code(response) == "game_not_enabled"


def test_6_currency_not_configured_is_422_before_body_validation(
    games_client, aggregator, configured
):
    body = {"game": "dice", "currency": "EUR", "ttlSeconds": 0, "bogus": 1, "country": "us"}
    response = post_mint(games_client, aggregator["headers"], body)
    assert response.status_code == 422, response.json
    assert error_code(response) == "currency_not_configured"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"sub": None}, "sub"),
        ({"sub": ""}, "sub"),
        ({"sub": "x" * 129}, "sub"),
        ({"sub": 42}, "sub"),
        ({"game": None}, "game"),
        ({"currency": None}, "currency"),
        ({"bogus": 1}, "bogus"),
        ({"language": "english!"}, "language"),
        ({"language": "e"}, "language"),
        ({"country": "us"}, "country"),
        ({"country": "USA"}, "country"),
        ({"returnUrl": "not a url"}, "returnUrl"),
        ({"returnUrl": "javascript:alert(1)"}, "returnUrl"),
        ({"returnUrl": "ftp://play.mybrand.com/"}, "returnUrl"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_7_invalid_body_is_422_validation_error(
    games_client, aggregator, configured, change, field
):
    body = {**BODY, **change}
    body = {name: value for name, value in body.items() if value is not None}
    response = post_mint(games_client, aggregator["headers"], body)
    assert response.status_code == 422, response.json
    assert error_code(response) == "validation_error"
    assert field in response.json["error"]["details"]["fields"]


def test_7_body_that_is_not_an_object_is_422(games_client, aggregator, configured):
    for body in (["dice"], "dice", 7):
        response = post_mint(games_client, aggregator["headers"], body)
        assert response.status_code == 422, response.json
        assert error_code(response) == "validation_error"


def test_malformed_json_is_400_and_not_json_is_415(games_client, aggregator, configured):
    headers = {**aggregator["headers"], "Content-Type": "application/json"}
    response = games_client.post(MINT.format("mybrand"), data="{nope", headers=headers)
    assert response.status_code == 400, response.json
    assert error_code(response) == "malformed_json"
    headers = {**aggregator["headers"], "Content-Type": "text/plain"}
    response = games_client.post(MINT.format("mybrand"), data="sub=x", headers=headers)
    assert response.status_code == 415, response.json


def test_minted_token_does_not_verify_with_another_secret(games_client, aggregator, configured):
    token = post_mint(games_client, aggregator["headers"]).json["token"]
    with pytest.raises(jwt.InvalidSignatureError):
        decode(token, "0" * 64)


# --- GET /v1/aggregator/operators ---------------------------------------------------------------


def test_operator_list_shows_only_the_callers_operators(client, games_client, aggregator):
    make_operator(client, aggregator, "mine-a")
    make_operator(client, aggregator, "mine-b")
    create_rs256_operator(client, aggregator, "mine-rs")
    other = make_aggregator(client, "other-agg", "Other")
    make_operator(client, other, "theirs")
    response = client.post(
        "/api/v1/bo/operators",
        json={
            "code": "orphan",
            "name": "No aggregator",
            "walletBaseUrl": "https://w.example.com",
            "gameFrontendBaseUrl": "https://p.example.com",
        },
        headers={"X-Admin-Key": ADMIN_KEY},
    )
    assert response.status_code == 201, response.json

    response = games_client.get("/v1/aggregator/operators", headers=aggregator["headers"])
    assert response.status_code == 200, response.json
    operators = response.json["operators"]
    assert [o["code"] for o in operators] == ["mine-a", "mine-b", "mine-rs"]
    for operator in operators:
        assert "jwtSharedSecret" not in operator and "walletHmacSecret" not in operator

    theirs = games_client.get("/v1/aggregator/operators", headers=other["headers"]).json
    assert [o["code"] for o in theirs["operators"]] == ["theirs"]


def test_operator_list_needs_a_key(games_client):
    assert games_client.get("/v1/aggregator/operators").status_code == 401
    response = games_client.get("/v1/aggregator/operators", headers={"X-Admin-Key": ADMIN_KEY})
    assert response.status_code == 401
