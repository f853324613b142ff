"""The player's session after /launch: GET/DELETE /v1/session, expiry, and CORS (SPEC 4)."""

from datetime import datetime, timedelta

import pytest

from common.db import database
from common.models import PlayerSession, utcnow
from tests.conftest import make_operator
from tests.launch_helpers import cookie_attributes, mint, set_status
from tests.world import CONFIG

FRONTEND = "https://play.mybrand.com"
LOBBY = "https://play.mybrand.com/lobby"


@pytest.fixture
def player(games_client, world):
    """player-1 launched into dice (USDT, language en, a return URL); the client holds the
    cookie. Returns the cookie's value."""
    minted = mint(games_client, world["aggregator"], language="en", returnUrl=LOBBY)
    response = games_client.get(minted["launchUrl"])
    assert response.status_code == 302, response.get_data(as_text=True)
    return cookie_attributes(response)[0]


def the_session():
    with database.connection_context():
        (session,) = PlayerSession.select()
        return session


def move_session(**fields):
    with database.connection_context():
        PlayerSession.update(**fields).execute()


def parse_timestamp(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def test_session_shape(games_client, player):
    response = games_client.get("/v1/session")
    assert response.status_code == 200, response.json
    session = response.json["session"]
    assert set(session) == {
        "sub",
        "operator",
        "currency",
        "game",
        "language",
        "balance",
        "featureFlags",
        "limits",
        "returnUrl",
        "expiresAt",
    }
    assert session["sub"] == "player-1"
    assert session["operator"] == "mybrand"
    assert (session["currency"], session["game"], session["language"]) == ("USDT", "dice", "en")
    assert session["balance"] == "100"
    assert session["featureFlags"] == CONFIG["featureFlags"]
    assert session["limits"] == {"minBet": "0.1", "maxBet": "500"}
    assert session["returnUrl"] == LOBBY
    row = the_session()
    expected = min(row.expires_at, row.last_seen_at + timedelta(minutes=30))
    assert abs(parse_timestamp(session["expiresAt"]) - expected) < timedelta(seconds=1)


def test_session_without_optional_context_has_nulls(games_client, world):
    world["wallet"].add_player("btc-player", "BTC", "0.5")
    minted = mint(games_client, world["aggregator"], sub="btc-player", currency="BTC", game="keno")
    assert games_client.get(minted["launchUrl"]).status_code == 302
    session = games_client.get("/v1/session").json["session"]
    assert session["language"] == "en"  # the operator's default
    assert session["returnUrl"] is None
    assert session["limits"] == {"minBet": "0.000005", "maxBet": "0.01"}
    assert (session["currency"], session["game"], session["balance"]) == ("BTC", "keno", "0.5")


def test_limits_follow_the_current_config(client, games_client, world, player):
    config = {
        **CONFIG,
        "currencies": {**CONFIG["currencies"], "USDT": {"minBet": "1", "maxBet": "2"}},
    }
    response = client.put(
        f"/api/v1/bo/aggregator/operators/{world['operator']['id']}/config",
        json=config,
        headers=world["aggregator"]["headers"],
    )
    assert response.status_code == 200
    assert games_client.get("/v1/session").json["session"]["limits"] == {
        "minBet": "1",
        "maxBet": "2",
    }


def test_no_cookie_is_401_session_required(games_client, world):
    response = games_client.get("/v1/session")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "session_required"
    assert games_client.delete("/v1/session").status_code == 401


@pytest.mark.parametrize("value", ["", "not-a-session", "x" * 500])
def test_unknown_cookie_is_401(games_client, world, value):
    games_client.set_cookie("bp_session", value)
    response = games_client.get("/v1/session")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "session_required"


def test_the_cookie_hash_is_not_a_credential(games_client, player):
    games_client.set_cookie("bp_session", the_session().token_hash)
    assert games_client.get("/v1/session").status_code == 401


def test_logout_ends_the_session_and_clears_the_cookie(games_client, player):
    response = games_client.delete("/v1/session")
    assert response.status_code == 204
    value, attributes = cookie_attributes(response)
    assert value == ""
    assert attributes.get("path") == "/" and attributes.get("httponly") is True
    assert "expires" in attributes or attributes.get("max-age") == "0"
    assert games_client.get("/v1/session").status_code == 401
    # The server ended it: the old cookie, sent again, no longer works.
    games_client.set_cookie("bp_session", player)
    response = games_client.get("/v1/session")
    assert response.status_code == 401
    assert the_session().ended_at is not None


def test_two_launches_are_two_sessions(games_client, world, player):
    other_client = games_client.application.test_client()
    minted = mint(other_client, world["aggregator"], game="limbo")
    assert other_client.get(minted["launchUrl"]).status_code == 302
    assert other_client.get("/v1/session").json["session"]["game"] == "limbo"
    assert games_client.get("/v1/session").json["session"]["game"] == "dice"
    assert other_client.delete("/v1/session").status_code == 204
    assert games_client.get("/v1/session").status_code == 200


# --- expiry ---------------------------------------------------------------------------------


def test_idle_for_31_minutes_is_401(games_client, player):
    move_session(last_seen_at=utcnow() - timedelta(minutes=31))
    response = games_client.get("/v1/session")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "session_required"


def test_idle_for_29_minutes_is_alive_and_activity_renews_it(games_client, player):
    move_session(last_seen_at=utcnow() - timedelta(minutes=29))
    assert games_client.get("/v1/session").status_code == 200
    assert utcnow() - the_session().last_seen_at < timedelta(minutes=1)
    # Renewed: the idle deadline moved forward by the activity.
    expires = parse_timestamp(games_client.get("/v1/session").json["session"]["expiresAt"])
    assert expires > utcnow() + timedelta(minutes=28)


def test_past_the_absolute_deadline_is_401(games_client, player):
    move_session(expires_at=utcnow() - timedelta(seconds=1))
    response = games_client.get("/v1/session")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "session_required"


def test_absolute_deadline_is_12_hours_after_launch(games_client, player):
    row = the_session()
    assert row.expires_at - row.created_at == timedelta(hours=12)
    assert row.last_seen_at == row.created_at
    # Near the absolute deadline, expiresAt is that deadline, however active the player is.
    move_session(expires_at=utcnow() + timedelta(minutes=5))
    expires = parse_timestamp(games_client.get("/v1/session").json["session"]["expiresAt"])
    assert expires < utcnow() + timedelta(minutes=6)


def test_cookie_max_age_is_the_absolute_timeout(games_client, world):
    response = games_client.get(mint(games_client, world["aggregator"])["launchUrl"])
    assert cookie_attributes(response)[1].get("max-age") == str(12 * 3600)


# --- CORS -----------------------------------------------------------------------------------


def test_cors_allows_the_operators_frontend_origin_with_credentials(games_client, player):
    response = games_client.get("/v1/session", headers={"Origin": FRONTEND})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in response.headers.get("Vary", "")


def test_cors_preflight_from_the_frontend_origin(games_client, player):
    headers = {
        "Origin": FRONTEND,
        "Access-Control-Request-Method": "DELETE",
        "Access-Control-Request-Headers": "content-type",
    }
    games_client.delete_cookie("bp_session")  # browsers send no cookie with a preflight
    response = games_client.options("/v1/session", headers=headers)
    assert 200 <= response.status_code < 300, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "DELETE" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


def test_cors_preflight_for_game_paths(games_client, world):
    headers = {"Origin": FRONTEND, "Access-Control-Request-Method": "POST"}
    response = games_client.options("/v1/games/dice/bets", headers=headers)
    assert response.headers.get("Access-Control-Allow-Origin") == FRONTEND


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        "http://play.mybrand.com",
        "https://play.mybrand.com:8443",
        "https://play.mybrand.com.evil.com",
        "null",
    ],
)
def test_cors_refuses_foreign_origins(games_client, player, origin):
    response = games_client.get("/v1/session", headers={"Origin": origin})
    assert response.status_code == 200  # the cookie still authenticates; the browser hides it
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = games_client.options(
        "/v1/session", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_cors_with_a_session_allows_only_its_own_operators_origin(
    client, games_client, world, player
):
    make_operator(
        client, world["aggregator"], "otherbrand", gameFrontendBaseUrl="https://other.example"
    )
    other = "https://other.example"
    # Preflight (no session): any active operator's origin may ask.
    preflight = games_client.options(
        "/v1/session", headers={"Origin": other, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.headers.get("Access-Control-Allow-Origin") == other
    # With mybrand's session, only mybrand's origin may read the answer.
    response = games_client.get("/v1/session", headers={"Origin": other})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_refuses_a_disabled_operators_origin(client, games_client, world):
    set_status(client, world["aggregator"]["headers"], "operators", world["operator"]["id"], False)
    response = games_client.options(
        "/v1/session", headers={"Origin": FRONTEND, "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_no_cors_on_aggregator_paths(games_client, world):
    response = games_client.get(
        "/v1/aggregator/operators",
        headers={**world["aggregator"]["headers"], "Origin": FRONTEND},
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
