"""What a bet must pass before money moves: limits, decimals, params, config (GAMES.md 5)."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from common.db import database
from common.models import PlayerSession, Round, utcnow
from tests.conftest import ADMIN_KEY
from tests.play_support import (
    age_sessions,
    bet,
    error_code,
    launch,
    placed,
    put_config,
    wallet_kinds,
)
from tests.world import CONFIG, GAMES


def _assert_refused(games_client, world, response, status, code, field=None):
    assert response.status_code == status, response.json
    assert error_code(response) == code, response.json
    assert response.json["error"]["message"]
    if field:
        assert field in response.json["error"]["details"]["fields"], response.json
    assert world["wallet"].transactions() == []
    with database.connection_context():
        assert Round.select().count() == 0


BAD_AMOUNTS = [
    ("0.09", "bet_out_of_limits"),
    ("0.09999999", "bet_out_of_limits"),
    ("500.00000001", "bet_out_of_limits"),
    ("501", "bet_out_of_limits"),
    ("0", "bet_out_of_limits"),
    ("-1", "bet_out_of_limits"),
    ("0.000000000", "validation_error"),
    ("1.123456789", "validation_error"),
    ("1.000000000", "validation_error"),
    ("abc", "validation_error"),
    ("", "validation_error"),
    (" 1", "validation_error"),
    ("1e2", "validation_error"),
    ("NaN", "validation_error"),
    ("Infinity", "validation_error"),
    ("1,5", "validation_error"),
    (None, "validation_error"),
    (True, "validation_error"),
    ([1], "validation_error"),
    ({"value": "1"}, "validation_error"),
]


def test_bad_amount_is_422_with_the_reason_and_moves_nothing(games_client, world):
    launch(games_client, world)
    for amount, code in BAD_AMOUNTS:
        response = bet(games_client, "dice", amount)
        assert (response.status_code, error_code(response)) == (422, code), (amount, response.json)
        _assert_refused(games_client, world, response, 422, code, "amount")
    assert world["wallet"].balance("player-1") == Decimal(100)


def test_limit_message_names_the_limits(games_client, world):
    launch(games_client, world)
    response = bet(games_client, "dice", "600")
    assert "0.1" in response.json["error"]["message"]
    assert "500" in response.json["error"]["message"]


def test_missing_amount_is_422(games_client, world):
    launch(games_client, world)
    response = games_client.post(
        "/v1/games/dice/bets", json={"params": {"target": "50", "condition": "under"}}
    )
    _assert_refused(games_client, world, response, 422, "validation_error", "amount")


def test_unknown_body_field_is_422(games_client, world):
    launch(games_client, world)
    response = games_client.post(
        "/v1/games/coinflip/bets",
        json={"amount": "1", "params": {"side": "heads"}, "currency": "BTC"},
    )
    _assert_refused(games_client, world, response, 422, "validation_error", "currency")


def _raw_bet(games_client, game, text):
    return games_client.post(f"/v1/games/{game}/bets", data=text, content_type="application/json")


@pytest.mark.parametrize(
    ("number", "expected"), [("1.5", "1.5"), ("2", "2"), ("0.12345678", "0.12345678")]
)
def test_json_number_amount_is_taken_exactly(games_client, world, number, expected):
    launch(games_client, world)
    response = _raw_bet(
        games_client, "coinflip", f'{{"amount": {number}, "params": {{"side": "tails"}}}}'
    )
    assert response.status_code == 201, response.json
    round_ = response.json["round"]
    assert round_["amount"] == expected
    balance = world["wallet"].balance("player-1")
    assert balance == Decimal(100) - Decimal(expected) + Decimal(round_["payout"])
    bets = [t for t in world["wallet"].transactions("player-1") if t.kind == "bet"]
    assert [t.amount for t in bets] == [Decimal(expected)]


def test_json_number_with_nine_places_is_refused(games_client, world):
    launch(games_client, world)
    response = _raw_bet(
        games_client, "coinflip", '{"amount": 1.123456789, "params": {"side": "tails"}}'
    )
    _assert_refused(games_client, world, response, 422, "validation_error", "amount")


@pytest.mark.parametrize("amount", ["0.1", "0.10000000", "500"])
def test_amount_at_the_limits_is_accepted(games_client, world, amount):
    world["wallet"].add_player("whale", "USDT", "1000")
    launch(games_client, world, sub="whale")
    round_ = placed(games_client, "dice", amount)
    assert Decimal(round_["amount"]) == Decimal(amount)
    assert world["wallet"].balance("whale") == Decimal(1000) - Decimal(amount) + Decimal(
        round_["payout"]
    )


def test_btc_session_bets_the_smallest_amount_exactly(games_client, world):
    wallet = world["wallet"]
    wallet.add_player("satoshi", "BTC", "0.001")
    launch(games_client, world, sub="satoshi", currency="BTC")
    round_ = placed(games_client, "dice", "0.000005", {"target": "2", "condition": "under"})
    assert round_["amount"] == "0.000005"
    payout = Decimal(round_["payout"])
    assert payout in (Decimal(0), Decimal("0.0002475"))  # 49.5x
    assert wallet.balance("satoshi") == Decimal("0.001") - Decimal("0.000005") + payout
    assert Decimal(round_["balance"]) == wallet.balance("satoshi")
    bets = [t for t in wallet.transactions("satoshi") if t.kind == "bet"]
    assert [(t.amount, t.currency) for t in bets] == [(Decimal("0.000005"), "BTC")]
    with database.connection_context():
        assert Round.get_by_id(round_["id"]).amount == Decimal("0.000005")


@pytest.mark.parametrize("amount", ["0.000004", "0.00000499", "0.01000001", "1"])
def test_btc_limits_apply_to_btc_sessions(games_client, world, amount):
    world["wallet"].add_player("satoshi", "BTC", "5")
    launch(games_client, world, sub="satoshi", currency="BTC")
    response = bet(games_client, "dice", amount)
    _assert_refused(games_client, world, response, 422, "bet_out_of_limits", "amount")


INVALID_PARAMS = [
    ("dice", {}),
    ("dice", {"target": "50"}),
    ("dice", {"target": "abc", "condition": "under"}),
    ("dice", {"target": "50", "condition": "sideways"}),
    ("dice", {"target": "50.123", "condition": "under"}),
    ("dice", {"target": "99", "condition": "under"}),
    ("dice", {"target": "1", "condition": "over"}),
    ("dice", {"target": "0", "condition": "under"}),
    ("dice", {"target": "50", "condition": "under", "extra": 1}),
    ("limbo", {"target": "1"}),
    ("limbo", {"target": "1.005"}),
    ("limbo", {"target": "1000000.01"}),
    ("coinflip", {"side": "edge"}),
    ("coinflip", {"side": None}),
    ("roulette", {"bets": []}),
    ("roulette", {"bets": [{"type": "split", "numbers": [1, 5], "amount": "1"}]}),
    ("roulette", {"bets": [{"type": "red", "numbers": [1], "amount": "1"}]}),
    ("roulette", {"bets": [{"type": "straight", "amount": "1"}]}),
    ("roulette", {"bets": [{"type": "straight", "numbers": [37], "amount": "1"}]}),
    ("roulette", {"bets": [{"type": "snake", "amount": "1"}]}),
    ("roulette", {"bets": [{"type": "red", "amount": "-1"}]}),
    ("wheel", {"risk": "low", "segments": 15}),
    ("wheel", {"risk": "extreme", "segments": 10}),
    ("wheel", {"risk": "low", "segments": "10"}),
    ("plinko", {"risk": "low", "rows": 7}),
    ("plinko", {"risk": "low", "rows": 17}),
    ("plinko", {"risk": "low", "rows": 8.5}),
    ("keno", {"risk": "classic", "picks": []}),
    ("keno", {"risk": "classic", "picks": list(range(1, 12))}),
    ("keno", {"risk": "classic", "picks": [1, 1, 2]}),
    ("keno", {"risk": "classic", "picks": [0, 5]}),
    ("keno", {"risk": "classic", "picks": [41]}),
    ("keno", {"risk": "huge", "picks": [1]}),
    ("baccarat", {"side": "dragon"}),
    ("baccarat", "player"),
]


@pytest.mark.parametrize("game", GAMES)
def test_invalid_params_are_422_invalid_params(games_client, world, game):
    launch(games_client, world)
    cases = [params for name, params in INVALID_PARAMS if name == game]
    assert cases
    for params in cases:
        response = bet(games_client, game, "1", params)
        assert response.status_code == 422, (params, response.json)
        assert error_code(response) == "invalid_params", (params, response.json)
        _assert_refused(games_client, world, response, 422, "invalid_params", "params")


def test_every_game_refuses_missing_params(games_client, world):
    launch(games_client, world)
    for game in GAMES:
        response = games_client.post(f"/v1/games/{game}/bets", json={"amount": "1"})
        assert response.status_code == 422, (game, response.json)
        assert error_code(response) == "invalid_params", (game, response.json)
    assert world["wallet"].transactions() == []


@pytest.mark.parametrize("game", ["poker", "crash", "DICE"])
def test_unknown_or_unplayable_game_is_404(games_client, world, game):
    launch(games_client, world)
    response = games_client.post(
        f"/v1/games/{game}/bets", json={"amount": "1", "params": {"side": "heads"}}
    )
    assert response.status_code == 404, response.json
    assert error_code(response) == "game_not_found"
    assert world["wallet"].transactions() == []


def test_roulette_amount_must_equal_the_chips_sum(games_client, world):
    launch(games_client, world)
    chips = {
        "bets": [
            {"type": "red", "amount": "1"},
            {"type": "straight", "numbers": [17], "amount": "0.25"},
        ]
    }
    for amount in ("1", "1.5", "2.5"):
        response = bet(games_client, "roulette", amount, chips)
        _assert_refused(games_client, world, response, 422, "validation_error", "amount")
        assert "1.25" in response.json["error"]["message"]
    round_ = placed(games_client, "roulette", "1.25", chips)
    pocket = round_["outcome"]["pocket"]
    red = pocket in {1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36}
    expected = (Decimal(2) if red else 0) + (Decimal(9) if pocket == 17 else 0)
    assert Decimal(round_["payout"]) == expected
    assert world["wallet"].balance("player-1") == Decimal(100) - Decimal("1.25") + expected


def test_roulette_chips_sum_is_checked_against_limits(games_client, world):
    launch(games_client, world)
    chips = {"bets": [{"type": "red", "amount": "0.05"}, {"type": "black", "amount": "0.04"}]}
    response = bet(games_client, "roulette", "0.09", chips)
    _assert_refused(games_client, world, response, 422, "bet_out_of_limits", "amount")


def test_game_disabled_after_launch_is_refused(client, games_client, world):
    launch(games_client, world, game="dice")
    put_config(client, world, enabledGames=[g for g in GAMES if g != "limbo"])
    response = bet(games_client, "limbo")
    _assert_refused(games_client, world, response, 422, "game_not_enabled")
    put_config(client, world, enabledGames=["limbo"])
    response = bet(games_client, "dice")  # even the landing game
    _assert_refused(games_client, world, response, 422, "game_not_enabled")
    assert placed(games_client, "limbo")["status"] == "settled"


def test_currency_removed_after_launch_is_refused(client, games_client, world):
    launch(games_client, world)
    put_config(client, world, currencies={"BTC": CONFIG["currencies"]["BTC"]})
    response = bet(games_client, "dice")
    _assert_refused(games_client, world, response, 422, "currency_not_configured")


def test_limits_changed_after_launch_apply_at_once(client, games_client, world):
    launch(games_client, world)
    put_config(client, world, currencies={"USDT": {"minBet": "2", "maxBet": "3"}})
    response = bet(games_client, "dice", "1")
    _assert_refused(games_client, world, response, 422, "bet_out_of_limits", "amount")
    assert placed(games_client, "dice", "2.5")["amount"] == "2.5"


def test_max_win_caps_the_payout(client, games_client, world):
    wallet = world["wallet"]
    launch(games_client, world)
    put_config(client, world, currencies={"USDT": {"minBet": "1", "maxBet": "10", "maxWin": "10"}})
    # Limbo at 1.01 wins about 98% of rounds: 10 x 1.01 = 10.1, capped to 10.
    for _ in range(5):
        round_ = placed(games_client, "limbo", "10", {"target": "1.01"})
        if round_["payout"] != "0":
            break
    assert round_["payout"] == "10" and round_["multiplier"] == "1"
    win = wallet.transactions("player-1")[-1]
    assert (win.kind, win.amount) == ("win", Decimal(10))


def test_operator_disabled_after_launch_is_403(client, games_client, world):
    launch(games_client, world)
    response = client.post(
        f"/api/v1/bo/operators/{world['operator']['id']}/disable",
        headers=world["aggregator"]["headers"],
    )
    assert response.status_code == 200, response.json
    response = bet(games_client, "dice")
    _assert_refused(games_client, world, response, 403, "operator_disabled")


def test_aggregator_disabled_after_launch_is_403(client, games_client, world):
    launch(games_client, world)
    response = client.post(
        f"/api/v1/bo/aggregators/{world['aggregator']['id']}/disable",
        headers={"X-Admin-Key": ADMIN_KEY},
    )
    assert response.status_code == 200, response.json
    response = bet(games_client, "dice")
    _assert_refused(games_client, world, response, 403, "aggregator_disabled")


def test_expired_session_is_401(games_client, world):
    launch(games_client, world)
    age_sessions(29)
    assert placed(games_client, "dice")["status"] == "settled"  # refreshes the idle deadline
    age_sessions(31)
    response = bet(games_client, "dice")
    assert response.status_code == 401
    assert error_code(response) == "session_required"
    assert len(world["wallet"].transactions()) == 2  # the first round's bet and win only


def test_session_past_its_absolute_expiry_is_401(games_client, world):
    launch(games_client, world)
    with database.connection_context():
        PlayerSession.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    response = bet(games_client, "dice")
    assert response.status_code == 401
    assert world["wallet"].transactions() == []


def test_logged_out_session_is_401(games_client, world):
    launch(games_client, world)
    assert games_client.delete("/v1/session").status_code in (200, 204)
    response = bet(games_client, "dice")
    assert response.status_code == 401
    assert world["wallet"].transactions() == []


def test_insufficient_funds_is_402_and_the_round_is_void_without_rollback(games_client, world):
    wallet = world["wallet"]
    wallet.add_player("poor", "USDT", "0.5")
    launch(games_client, world, sub="poor")
    response = bet(games_client, "dice", "1")
    assert response.status_code == 402, response.json
    assert error_code(response) == "insufficient_funds"
    round_id = response.json["error"]["details"]["roundId"]
    assert wallet.balance("poor") == Decimal("0.5")
    assert "rollback" not in wallet_kinds(wallet, "poor")
    assert "win" not in wallet_kinds(wallet, "poor")
    history = games_client.get("/v1/rounds").json["rounds"]
    assert [r["id"] for r in history] == [round_id]
    void = history[0]
    assert void["status"] == "void"
    assert void["payout"] is None and void["multiplier"] is None and void["outcome"] is None
    # The refused round used its nonce; the next bet that fits is played and settled.
    round_ = placed(games_client, "dice", "0.5")
    assert round_["status"] == "settled"
    assert round_["fairness"]["nonce"] == void["fairness"]["nonce"] + 1
    assert wallet.balance("poor") == Decimal(round_["payout"])


def test_frozen_player_bet_is_refused_and_void(games_client, world):
    wallet = world["wallet"]
    wallet.add_player("cold", "USDT", "10")
    launch(games_client, world, sub="cold")
    from refwallet.models import Player

    wallet._run(lambda: Player.update(frozen=True).where(Player.sub == "cold").execute())
    response = bet(games_client, "dice", "1")
    assert response.status_code == 403, response.json
    assert error_code(response) == "bet_refused"
    assert response.json["error"]["details"]["walletCode"] == "PLAYER_FROZEN"
    assert wallet.balance("cold") == Decimal(10)
    assert "rollback" not in wallet_kinds(wallet, "cold")
    assert games_client.get("/v1/rounds").json["rounds"][0]["status"] == "void"


def test_refusal_bodies_are_json_error_shape(games_client, world):
    launch(games_client, world)
    response = bet(games_client, "dice", "abc")
    body = json.loads(response.get_data(as_text=True))
    assert set(body) == {"error"}
    assert set(body["error"]) >= {"code", "message"}
