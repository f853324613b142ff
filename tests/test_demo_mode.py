"""Demo mode: a platform-held play-money balance, no wallet calls, rounds marked demo."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ADMIN_KEY
from tests.play_support import (
    VALID_PARAMS,
    bet,
    error_code,
    net,
    placed,
    put_config,
    rotate,
    session_token,
    verify,
)
from tests.world import GAMES


def demo_launch(games_client, operator="mybrand", game="dice", currency="USDT", **headers):
    query = {
        k: v
        for k, v in {"operator": operator, "game": game, "currency": currency}.items()
        if v is not None
    }
    return games_client.get("/demo/launch", query_string=query, headers=headers)


def start_demo(games_client, **kwargs):
    response = demo_launch(games_client, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def test_demo_launch_redirects_with_a_session_cookie(games_client, world):
    response = start_demo(games_client, game="keno")
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == "https://play.mybrand.com"
    assert parse_qs(location.query) == {"game": ["keno"], "currency": ["USDT"], "demo": ["1"]}
    assert "bp_session=" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert session_token(games_client)
    session = games_client.get("/v1/session")
    assert session.status_code == 200, session.json
    session = session.json["session"]
    assert session["balance"] == "1000"
    assert session["operator"] == "mybrand"
    assert session["currency"] == "USDT" and session["game"] == "keno"
    assert session["limits"] == {"minBet": "0.1", "maxBet": "500"}
    assert world["wallet"].transactions() == []


def test_each_demo_launch_is_a_new_player(games_app, world):
    first, second = games_app.test_client(), games_app.test_client()
    start_demo(first)
    start_demo(second)
    a, b = (c.get("/v1/session").json["session"]["sub"] for c in (first, second))
    assert a != b and a.startswith("demo-") and b.startswith("demo-")


def test_demo_bets_move_only_the_platform_balance(games_client, world):
    wallet = world["wallet"]
    start_demo(games_client)
    rounds = []
    for game in GAMES:
        response = bet(games_client, game, "1")
        assert response.status_code == 201, response.json
        round_ = response.json["round"]
        assert round_["demo"] is True and round_["status"] == "settled"
        assert round_["outcome"] and round_["payout"] is not None
        rounds.append(round_)
        assert Decimal(round_["balance"]) == Decimal(1000) + net(rounds)
    assert [r["fairness"]["nonce"] for r in rounds] == list(range(len(GAMES)))
    session = games_client.get("/v1/session").json["session"]
    assert Decimal(session["balance"]) == Decimal(1000) + net(rounds)
    assert wallet.transactions() == []
    assert wallet.balance("player-1") == Decimal(100)
    history = games_client.get("/v1/rounds").json["rounds"]
    assert [r["id"] for r in history] == [r["id"] for r in reversed(rounds)]
    assert all(r["demo"] is True for r in history)


def test_demo_rounds_are_provably_fair_too(games_app, games_client, world):
    start_demo(games_client)
    round_ = placed(games_client, "plinko")
    seed = rotate(games_client)["previous"]["serverSeed"]
    fairness = round_["fairness"]
    checked = verify(
        games_app.test_client(),
        "plinko",
        seed,
        fairness["clientSeed"],
        fairness["nonce"],
        round_["params"],
    )
    assert checked.json["outcome"] == round_["outcome"]


def test_demo_balance_is_exact_with_small_stakes(games_client, world):
    start_demo(games_client, currency="BTC")
    round_ = placed(games_client, "dice", "0.000005")
    assert round_["amount"] == "0.000005"
    assert Decimal(round_["balance"]) == Decimal(1000) - Decimal("0.000005") + Decimal(
        round_["payout"]
    )


def test_insufficient_demo_balance_is_402(client, games_client, world):
    put_config(client, world, demoStartingBalance="1.5")
    start_demo(games_client)
    first = placed(games_client, "dice", "1", {"target": "2", "condition": "under"})
    remaining = Decimal("0.5") + Decimal(first["payout"])
    response = bet(games_client, "dice", "2" if remaining < 2 else "500")
    assert response.status_code == 402, response.json
    assert error_code(response) == "insufficient_funds"
    session = games_client.get("/v1/session").json["session"]
    assert Decimal(session["balance"]) == remaining
    rounds = games_client.get("/v1/rounds").json["rounds"]
    assert [r["status"] for r in rounds] == ["void", "settled"]  # like a real refusal
    assert games_client.get("/v1/fairness").json["nonce"] == 2  # a void round used a nonce too
    assert world["wallet"].transactions() == []


def test_zero_demo_balance_cannot_bet(client, games_client, world):
    put_config(client, world, demoStartingBalance="0")
    start_demo(games_client)
    assert games_client.get("/v1/session").json["session"]["balance"] == "0"
    response = bet(games_client, "coinflip", "0.1")
    assert response.status_code == 402


def test_demo_bets_follow_limits_and_params(games_client, world):
    start_demo(games_client)
    assert bet(games_client, "dice", "0.01").status_code == 422
    assert bet(games_client, "dice", "1", {"target": "x"}).status_code == 422
    assert games_client.get("/v1/session").json["session"]["balance"] == "1000"


def test_demo_idempotency_key_replays(games_client, world):
    start_demo(games_client)
    first = bet(games_client, "limbo", "3", VALID_PARAMS["limbo"], key="demo-key")
    second = bet(games_client, "limbo", "3", VALID_PARAMS["limbo"], key="demo-key")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json["round"]["id"] == first.json["round"]["id"]
    session = games_client.get("/v1/session").json["session"]
    assert Decimal(session["balance"]) == Decimal(997) + Decimal(first.json["round"]["payout"])


def test_game_disabled_after_demo_launch_is_refused(client, games_client, world):
    start_demo(games_client)
    put_config(client, world, enabledGames=["limbo"])
    response = bet(games_client, "dice")
    assert response.status_code == 422
    assert error_code(response) == "game_not_enabled"


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"operator": "nobody"}, 404, "operator_not_found"),
        ({"operator": ""}, 404, "operator_not_found"),
        ({"operator": None}, 404, "operator_not_found"),
        ({"game": "crash"}, 422, "game_not_enabled"),
        ({"game": "poker"}, 422, "game_not_enabled"),
        ({"game": None}, 422, "game_not_enabled"),
        ({"currency": "EUR"}, 422, "currency_not_configured"),
        ({"currency": None}, 422, "currency_not_configured"),
    ],
)
def test_demo_launch_refusals(games_client, world, query, status, code):
    response = demo_launch(games_client, **query, Accept="application/json")
    assert response.status_code == status, response.get_data(as_text=True)
    assert error_code(response) == code
    assert games_client.get_cookie("bp_session") is None
    html = demo_launch(games_client, **query)
    assert html.status_code == status
    assert html.mimetype == "text/html" and code in html.get_data(as_text=True)


def test_demo_launch_of_a_disabled_game_is_422(client, games_client, world):
    put_config(client, world, enabledGames=["limbo"])
    response = demo_launch(games_client, game="dice", Accept="application/json")
    assert response.status_code == 422
    assert error_code(response) == "game_not_enabled"


def test_demo_launch_of_a_disabled_operator_is_403(client, games_client, world):
    response = client.post(
        f"/api/v1/bo/operators/{world['operator']['id']}/disable",
        headers={"X-Admin-Key": ADMIN_KEY},
    )
    assert response.status_code == 200
    response = demo_launch(games_client, Accept="application/json")
    assert response.status_code == 403
    assert error_code(response) == "operator_disabled"


def test_demo_session_expires_like_any_other(games_client, world):
    from tests.play_support import age_sessions

    start_demo(games_client)
    age_sessions(31)
    assert bet(games_client, "dice").status_code == 401
