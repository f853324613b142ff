"""GET /launch end to end against the reference wallet (SPEC section 4, steps 1-6)."""

import hashlib
import time

import jwt
import pytest

import games
from common.db import database
from common.models import Nonce, PlayerSession
from tests.conftest import ADMIN_KEY, make_operator
from tests.launch_helpers import (
    JSON,
    b64url,
    claims,
    configure,
    cookie_attributes,
    create_rs256_operator,
    error_code,
    hand_signed,
    launch,
    location_query,
    mint,
    rsa_keypair,
    self_mint,
    set_status,
    wired_operator,
)
from tests.world import CONFIG

LOBBY = "https://play.mybrand.com/lobby?tab=slots&from=bp"


def secret_of(world):
    return world["operator"]["jwtSharedSecret"]


def session_rows():
    with database.connection_context():
        return list(PlayerSession.select())


# --- the happy path -------------------------------------------------------------------------


def test_launch_redirects_to_the_frontend_with_the_tokens_context(games_client, world):
    minted = mint(
        games_client, world["aggregator"], language="pt-BR", country="US", returnUrl=LOBBY
    )
    response = games_client.get(minted["launchUrl"])
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    base, query = location_query(response)
    assert base == "https://play.mybrand.com"
    assert query == {
        "game": ["dice"],
        "currency": ["USDT"],
        "return_url": [LOBBY],
        "language": ["pt-BR"],
    }


def test_redirect_leaves_out_what_the_token_does_not_carry(games_client, world):
    # No return_url; no language either, so the operator's default language (en) is used.
    minted = mint(games_client, world["aggregator"], game="roulette")
    response = games_client.get(minted["launchUrl"])
    assert response.status_code == 302
    assert location_query(response)[1] == {
        "game": ["roulette"],
        "currency": ["USDT"],
        "language": ["en"],
    }
    assert games_client.get("/v1/session").json["session"]["language"] == "en"


def test_language_falls_back_to_the_operators_default(client, games_client, world):
    headers = world["aggregator"]["headers"]
    config = {**CONFIG, "defaultLanguage": "tr"}
    path = f"/api/v1/bo/aggregator/operators/{world['operator']['id']}/config"
    stored = client.put(path, json=config, headers=headers)
    assert stored.json["config"]["defaultLanguage"] == "tr"
    response = games_client.get(mint(games_client, world["aggregator"])["launchUrl"])
    assert location_query(response)[1]["language"] == ["tr"]
    assert games_client.get("/v1/session").json["session"]["language"] == "tr"


def test_redirect_keeps_the_frontends_own_query(client, games_client, aggregator, wallet):
    wired_operator(
        client,
        aggregator,
        wallet,
        "querybrand",
        gameFrontendBaseUrl="https://games.example.com/play/?brand=x&skin=dark",
    )
    wallet.add_player("player-1", "USDT", "100")
    minted = mint(games_client, aggregator, "querybrand", language="en", returnUrl=LOBBY)
    response = games_client.get(minted["launchUrl"])
    assert response.status_code == 302, response.get_data(as_text=True)
    base, query = location_query(response)
    assert base == "https://games.example.com/play/"
    assert query == {
        "brand": ["x"],
        "skin": ["dark"],
        "game": ["dice"],
        "currency": ["USDT"],
        "return_url": [LOBBY],
        "language": ["en"],
    }


def test_session_cookie_is_httponly_secure_samesite_none(games_client, world):
    response = games_client.get(mint(games_client, world["aggregator"])["launchUrl"])
    assert response.status_code == 302
    value, attributes = cookie_attributes(response)
    assert len(value) >= 43  # 32 random bytes, base64url
    assert attributes.get("httponly") is True
    assert attributes.get("secure") is True
    assert attributes.get("samesite", "").lower() == "none"
    assert attributes.get("path") == "/"
    assert "domain" not in attributes


def test_development_cookie_is_lax_and_not_secure(test_config, world):
    dev_app = games.create_app({**test_config, "APP_ENV": "development"})
    dev_client = dev_app.test_client()
    response = dev_client.get(mint(dev_client, world["aggregator"])["launchUrl"])
    assert response.status_code == 302, response.get_data(as_text=True)
    _, attributes = cookie_attributes(response)
    assert "secure" not in attributes
    assert attributes.get("samesite", "").lower() == "lax"
    assert attributes.get("httponly") is True
    assert attributes.get("path") == "/"


def test_cookie_token_is_stored_only_as_its_sha256(games_client, world):
    response = games_client.get(mint(games_client, world["aggregator"])["launchUrl"])
    value, _ = cookie_attributes(response)
    rows = session_rows()
    assert len(rows) == 1
    row = rows[0]
    assert row.token_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in {row.token_hash, row.id}
    assert (row.sub, row.currency, row.game, row.operator_id) == (
        "player-1",
        "USDT",
        "dice",
        world["operator"]["id"],
    )


def test_the_session_balance_comes_from_the_wallets_auth(games_client, world):
    world["wallet"].add_player("rich", "USDT", "1234.5678")
    response = games_client.get(mint(games_client, world["aggregator"], sub="rich")["launchUrl"])
    assert response.status_code == 302, response.get_data(as_text=True)
    session = games_client.get("/v1/session").json["session"]
    assert session["balance"] == "1234.5678"
    assert session["sub"] == "rich"


def test_the_wallet_is_asked_about_the_player(games_client, world):
    # Only the wallet knows that this player does not exist.
    minted = mint(games_client, world["aggregator"], sub="nobody")
    response = games_client.get(minted["launchUrl"], headers=JSON)
    assert response.status_code == 403
    assert error_code(response) == "player_not_found"
    assert session_rows() == []


def test_replaying_a_token_is_409(games_client, world):
    minted = mint(games_client, world["aggregator"])
    assert games_client.get(minted["launchUrl"]).status_code == 302
    replay = games_client.get(minted["launchUrl"], headers=JSON)
    assert replay.status_code == 409
    assert error_code(replay) == "token_already_used"
    assert len(session_rows()) == 1
    with database.connection_context():
        nonces = list(Nonce.select())
    assert [(n.operator_id, n.jti) for n in nonces] == [(world["operator"]["id"], minted["jti"])]


def test_a_token_needs_only_its_token_parameter(games_client, world):
    minted = mint(games_client, world["aggregator"])
    # game and currency in the URL are informational: the token's claims rule.
    response = games_client.get(
        "/launch", query_string={"token": minted["token"], "game": "keno", "currency": "BTC"}
    )
    assert response.status_code == 302
    assert location_query(response)[1] == {
        "game": ["dice"],
        "currency": ["USDT"],
        "language": ["en"],
    }


# --- self-minted tokens ---------------------------------------------------------------------


def test_self_minted_hs256_token_launches(games_client, world):
    token = self_mint(secret_of(world), language="fa", return_url=LOBBY)
    response = launch(games_client, token, headers={})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert location_query(response)[1]["language"] == ["fa"]


def test_self_minted_token_within_the_leeway_still_launches(games_client, world):
    now = int(time.time())
    token = self_mint(secret_of(world), iat=now - 300, exp=now - 5)
    assert launch(games_client, token).status_code == 302


def test_self_minted_rs256_token_launches(client, games_client, aggregator, wallet):
    operator = create_rs256_operator(client, aggregator, walletBaseUrl=wallet.url)
    configure(client, aggregator, operator)
    wallet.use_secret(operator["walletHmacSecret"])
    wallet.add_player("player-1", "USDT", "100")
    token = jwt.encode(claims("rs-brand"), rsa_keypair()[0], algorithm="RS256")
    response = launch(games_client, token, headers={})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert games_client.get("/v1/session").json["session"]["operator"] == "rs-brand"
    # And an HS256 token for that operator, signed with anything, does not.
    forged = jwt.encode(claims("rs-brand"), "s" * 64, algorithm="HS256")
    assert launch(games_client, forged).status_code == 401


# --- 401 invalid_token ----------------------------------------------------------------------


def _expired(world):
    now = int(time.time())
    return self_mint(secret_of(world), iat=now - 400, exp=now - 60)


def _tampered(world):
    header, payload, signature = self_mint(secret_of(world)).split(".")
    changed = b64url(claims(sub="player-2"))
    return f"{header}.{changed}.{signature}"


def _wrong_secret(world):
    return self_mint("f" * 64)


def _alg_none(world):
    return f"{b64url({'alg': 'none', 'typ': 'JWT'})}.{b64url(claims())}."


def _alg_none_with_signature(world):
    valid = self_mint(secret_of(world)).split(".")
    return f"{b64url({'alg': 'none', 'typ': 'JWT'})}.{valid[1]}.{valid[2]}"


def _wrong_audience(world):
    return self_mint(secret_of(world), aud="someone-else")


def _audience_list_without_us(world):
    return self_mint(secret_of(world), aud=["other", "another"])


def _lifetime_over_600(world):
    now = int(time.time())
    return self_mint(secret_of(world), iat=now, exp=now + 601)


def _issued_in_the_future(world):
    now = int(time.time())
    return self_mint(secret_of(world), iat=now + 120, exp=now + 300)


def _sub_not_a_string(world):
    return self_mint(secret_of(world), sub=12345)


def _empty_jti(world):
    return self_mint(secret_of(world), jti="")


def _unknown_issuer(world):
    return self_mint(secret_of(world), iss="no-such-brand")


def _garbage(world):
    return "this-is-not-a-jwt"


def _three_garbage_parts(world):
    return "a.b.c"


def _too_long(world):
    return self_mint(secret_of(world), padding="x" * 9000)


BAD_TOKENS = {
    "expired": _expired,
    "tampered-payload": _tampered,
    "wrong-secret": _wrong_secret,
    "alg-none": _alg_none,
    "alg-none-with-signature": _alg_none_with_signature,
    "wrong-audience": _wrong_audience,
    "audience-list-without-us": _audience_list_without_us,
    "lifetime-over-600": _lifetime_over_600,
    "issued-in-the-future": _issued_in_the_future,
    "sub-not-a-string": _sub_not_a_string,
    "empty-jti": _empty_jti,
    "unknown-issuer": _unknown_issuer,
    "garbage": _garbage,
    "three-garbage-parts": _three_garbage_parts,
    "too-long": _too_long,
}


@pytest.mark.parametrize("make_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_invalid_token_is_401(games_client, world, make_token):
    response = launch(games_client, make_token(world))
    assert response.status_code == 401, response.json
    assert error_code(response) == "invalid_token"
    assert session_rows() == []


@pytest.mark.parametrize("claim", ["iss", "sub", "aud", "iat", "exp", "jti", "game", "currency"])
def test_token_missing_a_required_claim_is_401(games_client, world, claim):
    token = self_mint(secret_of(world), **{claim: None})
    response = launch(games_client, token)
    assert response.status_code == 401, response.json
    assert error_code(response) == "invalid_token"


@pytest.mark.parametrize("query", [{}, {"token": ""}], ids=["absent", "empty"])
def test_missing_token_is_401(games_client, world, query):
    response = games_client.get("/launch", query_string=query, headers=JSON)
    assert response.status_code == 401
    assert error_code(response) == "invalid_token"


def test_issuer_of_another_operator_signed_with_this_ones_secret_is_401(
    client, games_client, world
):
    make_operator(client, world["aggregator"], "otherbrand")
    token = self_mint(secret_of(world), iss="otherbrand")
    response = launch(games_client, token)
    assert response.status_code == 401
    assert error_code(response) == "invalid_token"


def test_hs256_forged_with_an_rs256_operators_public_key_is_401(
    client, games_client, aggregator, wallet
):
    operator = create_rs256_operator(client, aggregator, walletBaseUrl=wallet.url)
    configure(client, aggregator, operator)
    wallet.use_secret(operator["walletHmacSecret"])
    wallet.add_player("player-1", "USDT", "100")
    public_pem = rsa_keypair()[1]
    header = {"alg": "HS256", "typ": "JWT"}
    token = hand_signed(header, claims("rs-brand"), public_pem.encode())
    response = launch(games_client, token)
    assert response.status_code == 401, response.json
    assert error_code(response) == "invalid_token"
    assert session_rows() == []


def test_a_rejected_token_burns_no_nonce(games_client, world):
    jti = "11111111-1111-4111-8111-111111111111"
    bad = self_mint("f" * 64, jti=jti)
    assert launch(games_client, bad).status_code == 401
    good = self_mint(secret_of(world), jti=jti)
    assert launch(games_client, good).status_code == 302


# --- 403 and 422 after the token verified ---------------------------------------------------


def test_disabled_operator_at_launch_is_403(client, games_client, world):
    minted = mint(games_client, world["aggregator"])
    operator_id = world["operator"]["id"]
    set_status(client, world["aggregator"]["headers"], "operators", operator_id, False)
    response = games_client.get(minted["launchUrl"], headers=JSON)
    assert response.status_code == 403
    assert error_code(response) == "operator_disabled"
    # Refused before the nonce was burned: once enabled again, the same token works.
    set_status(client, world["aggregator"]["headers"], "operators", operator_id, True)
    assert games_client.get(minted["launchUrl"]).status_code == 302


def test_disabled_aggregator_at_launch_is_403(client, games_client, world):
    minted = mint(games_client, world["aggregator"])
    admin = {"X-Admin-Key": ADMIN_KEY}
    set_status(client, admin, "aggregators", world["aggregator"]["id"], False)
    response = games_client.get(minted["launchUrl"], headers=JSON)
    assert response.status_code == 403
    assert error_code(response) == "aggregator_disabled"
    assert session_rows() == []


def test_game_removed_after_minting_is_422(client, games_client, world):
    minted = mint(games_client, world["aggregator"], game="keno")
    without_keno = {**CONFIG, "enabledGames": [g for g in CONFIG["enabledGames"] if g != "keno"]}
    configure(client, world["aggregator"], world["operator"], without_keno)
    response = games_client.get(minted["launchUrl"], headers=JSON)
    assert response.status_code == 422
    assert error_code(response) == "game_not_enabled"
    configure(client, world["aggregator"], world["operator"])
    assert games_client.get(minted["launchUrl"]).status_code == 302


def test_currency_removed_after_minting_is_422(client, games_client, world):
    minted = mint(games_client, world["aggregator"], currency="BTC")
    usdt_only = {**CONFIG, "currencies": {"USDT": CONFIG["currencies"]["USDT"]}}
    configure(client, world["aggregator"], world["operator"], usdt_only)
    response = games_client.get(minted["launchUrl"], headers=JSON)
    assert response.status_code == 422
    assert error_code(response) == "currency_not_configured"
    assert session_rows() == []


# --- error answers: JSON or HTML ------------------------------------------------------------


def _html(response):
    assert response.headers["Content-Type"].startswith("text/html"), response.headers
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "accept",
    ["application/json", "application/json, text/html;q=0.5", "application/*"],
)
def test_errors_are_json_when_json_is_preferred(games_client, world, accept):
    response = launch(games_client, "garbage", headers={"Accept": accept})
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json["error"]
    assert error["code"] == "invalid_token" and error["message"]


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "text/html",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/json;q=0.5, text/html",
        "text/html, application/json",
    ],
)
def test_errors_are_html_otherwise(games_client, world, accept):
    headers = {"Accept": accept} if accept else {}
    response = launch(games_client, "garbage", headers=headers)
    assert response.status_code == 401
    page = _html(response)
    assert "Cannot start the game" in page and "invalid_token" in page
    assert "<a " not in page


def test_html_error_for_a_valid_token_links_back_to_its_return_url(games_client, world):
    minted = mint(games_client, world["aggregator"], returnUrl=LOBBY)
    assert games_client.get(minted["launchUrl"]).status_code == 302
    response = games_client.get(minted["launchUrl"])
    assert response.status_code == 409
    page = _html(response)
    assert "token_already_used" in page
    assert '<a href="https://play.mybrand.com/lobby?tab=slots&amp;from=bp">' in page


def test_html_error_without_return_url_has_no_link(games_client, world):
    minted = mint(games_client, world["aggregator"], sub="nobody")
    response = games_client.get(minted["launchUrl"])
    assert response.status_code == 403
    page = _html(response)
    assert "player_not_found" in page and "<a " not in page


def test_html_error_for_an_invalid_token_has_no_link(games_client, world):
    # The return_url of a token that does not verify must not become a link.
    token = self_mint("f" * 64, return_url="https://evil.example.com/phish")
    response = launch(games_client, token, headers={})
    assert response.status_code == 401
    page = _html(response)
    assert "evil.example.com" not in page and "<a " not in page


def test_a_non_http_return_url_is_refused_and_never_linked(games_client, world):
    token = self_mint(secret_of(world), return_url="javascript:alert(1)")
    assert error_code(launch(games_client, token)) == "invalid_token"
    response = launch(games_client, token, headers={})
    assert response.status_code == 401
    page = _html(response)
    assert "javascript:" not in page and "<a " not in page


def test_html_error_escapes_the_message_context(games_client, world):
    token = self_mint(secret_of(world), return_url='https://x.example.com/"><script>x()</script>')
    assert launch(games_client, token).status_code == 302
    page = _html(launch(games_client, token, headers={}))
    assert "<script>" not in page
