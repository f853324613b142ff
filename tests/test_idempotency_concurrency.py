"""Idempotency-Key replays and one player's concurrent bets against a real threaded server."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests

from common.db import database
from common.models import Round
from games.sessions import COOKIE_NAME
from tests.play_support import bet, error_code, launch, net, put_config, wallet_kinds
from tests.servers import ThreadedServer

THREADS = 8
DICE = {"target": "50", "condition": "over"}


def test_same_key_twice_replays_the_round_and_debits_once(games_client, world):
    wallet = world["wallet"]
    launch(games_client, world)
    first = bet(games_client, "dice", "2", DICE, key="bet-0001")
    assert first.status_code == 201, first.json
    balance = wallet.balance("player-1")
    second = bet(games_client, "dice", "2", DICE, key="bet-0001")
    assert second.status_code == 200, second.json
    assert second.json["round"] == first.json["round"]
    assert wallet_kinds(wallet, "player-1") == ["bet", "win"]
    assert wallet.balance("player-1") == balance
    assert balance == Decimal(98) + Decimal(first.json["round"]["payout"])
    assert len(games_client.get("/v1/rounds").json["rounds"]) == 1
    # A new key is a new bet with the next nonce.
    third = bet(games_client, "dice", "2", DICE, key="bet-0002")
    assert third.status_code == 201
    assert third.json["round"]["id"] != first.json["round"]["id"]
    assert third.json["round"]["fairness"]["nonce"] == 1
    assert wallet_kinds(wallet, "player-1").count("bet") == 2


def test_key_replay_with_json_number_amount_matches(games_client, world):
    launch(games_client, world)
    first = bet(games_client, "coinflip", "1.50", {"side": "heads"}, key="k")
    second = games_client.post(
        "/v1/games/coinflip/bets",
        data='{"amount": 1.5, "params": {"side": "heads"}}',
        content_type="application/json",
        headers={"Idempotency-Key": "k"},
    )
    assert first.status_code == 201 and second.status_code == 200, second.json
    assert second.json["round"]["id"] == first.json["round"]["id"]


@pytest.mark.parametrize(
    ("game", "amount", "params"),
    [
        ("dice", "3", DICE),
        ("dice", "2", {"target": "50", "condition": "under"}),
        ("limbo", "2", {"target": "2"}),
    ],
)
def test_same_key_for_a_different_bet_is_422(games_client, world, game, amount, params):
    wallet = world["wallet"]
    launch(games_client, world)
    first = bet(games_client, "dice", "2", DICE, key="reused")
    assert first.status_code == 201
    response = bet(games_client, game, amount, params, key="reused")
    assert response.status_code == 422, response.json
    assert error_code(response) == "idempotency_key_reused"
    assert wallet_kinds(wallet, "player-1") == ["bet", "win"]
    assert len(games_client.get("/v1/rounds").json["rounds"]) == 1


def test_keys_are_per_player(games_app, games_client, world):
    world["wallet"].add_player("player-2", "USDT", "100")
    launch(games_client, world)
    other = games_app.test_client()
    launch(other, world, sub="player-2")
    mine = bet(games_client, "dice", "1", DICE, key="shared-key")
    theirs = bet(other, "dice", "5", DICE, key="shared-key")
    assert mine.status_code == theirs.status_code == 201, theirs.json
    assert mine.json["round"]["id"] != theirs.json["round"]["id"]


@pytest.mark.parametrize("key", ["", "k" * 129, "a\x00b", "tab\tkey", "new\x7fline"])
def test_bad_idempotency_key_is_422(games_client, world, key):
    launch(games_client, world)
    response = games_client.post(
        "/v1/games/dice/bets",
        json={"amount": "1", "params": DICE},
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 422, response.json
    assert error_code(response) == "invalid_idempotency_key"
    assert world["wallet"].transactions() == []


def test_a_refused_bet_is_replayed_not_retried(games_client, world):
    """A key whose bet was refused for funds answers with the void round, not a second try."""
    wallet = world["wallet"]
    wallet.add_player("poor", "USDT", "0.5")
    launch(games_client, world, sub="poor")
    first = bet(games_client, "dice", "1", DICE, key="poor-1")
    assert first.status_code == 402
    second = bet(games_client, "dice", "1", DICE, key="poor-1")
    assert second.status_code == 200, second.json
    assert second.json["round"]["id"] == first.json["error"]["details"]["roundId"]
    assert second.json["round"]["status"] == "void"
    assert wallet_kinds(wallet, "poor") == ["bet"]


@pytest.fixture(scope="module")
def games_url(games_app):
    with ThreadedServer(games_app) as server:
        yield server.url


def _race(count, send):
    barrier = threading.Barrier(count)

    def attempt(index):
        barrier.wait(timeout=30)
        with requests.Session() as http:  # a requests.Session is not thread-safe
            return send(http, index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


def _post_bet(games_url, token, amount, key=None):
    def send(http, index):
        headers = {"Idempotency-Key": key} if key else {}
        return http.post(
            f"{games_url}/v1/games/dice/bets",
            json={"amount": amount(index), "params": DICE},
            cookies={COOKIE_NAME: token},
            headers=headers,
            timeout=60,
        )

    return send


def _busy_or(response, *statuses):
    if response.status_code == 409:
        assert response.json()["error"]["code"] == "player_busy"
        return False
    assert response.status_code in statuses, (response.status_code, response.text)
    return True


def test_concurrent_bets_of_one_player_are_serialised(games_client, games_url, world):
    wallet = world["wallet"]
    token = launch(games_client, world)
    amounts = [Decimal("0.5") + Decimal(i) / 100 for i in range(THREADS)]
    responses = _race(THREADS, _post_bet(games_url, token, lambda i: str(amounts[i])))
    assert all(r.status_code < 500 for r in responses), [r.text for r in responses]
    played = [r.json()["round"] for r in responses if _busy_or(r, 201)]
    assert played, "no bet succeeded"
    assert sorted(r["fairness"]["nonce"] for r in played) == list(range(len(played)))
    assert len({r["id"] for r in played}) == len(played)
    assert all(r["status"] == "settled" for r in played)
    assert wallet.balance("player-1") == Decimal(100) + net(played)
    kinds = wallet_kinds(wallet, "player-1")
    assert kinds.count("bet") == kinds.count("win") == len(played)
    assert "rollback" not in kinds
    # Each response's balance is the wallet's balance right after that round.
    by_nonce = sorted(played, key=lambda r: r["fairness"]["nonce"])
    running = Decimal(100)
    for round_ in by_nonce:
        running += Decimal(round_["payout"]) - Decimal(round_["amount"])
        assert Decimal(round_["balance"]) == running
    assert games_client.get("/v1/fairness").json["nonce"] == len(played)
    with database.connection_context():
        assert Round.select().count() == len(played)


def test_concurrent_bets_with_the_same_key_make_one_round(games_client, games_url, world):
    wallet = world["wallet"]
    token = launch(games_client, world)
    responses = _race(THREADS, _post_bet(games_url, token, lambda i: "1", key="same-key"))
    assert all(r.status_code < 500 for r in responses), [r.text for r in responses]
    answered = [r for r in responses if _busy_or(r, 200, 201)]
    assert [r.status_code for r in answered].count(201) == 1, [r.status_code for r in answered]
    assert len({r.json()["round"]["id"] for r in answered}) == 1
    assert wallet_kinds(wallet, "player-1") == ["bet", "win"]
    (round_,) = games_client.get("/v1/rounds").json["rounds"]
    assert wallet.balance("player-1") == Decimal(99) + Decimal(round_["payout"])
    assert games_client.get("/v1/fairness").json["nonce"] == 1
    with database.connection_context():
        assert Round.select().count() == 1


def test_concurrent_bets_of_different_players_all_play(games_app, games_url, world):
    wallet = world["wallet"]
    tokens = []
    for index in range(4):
        sub = f"racer-{index}"
        wallet.add_player(sub, "USDT", "10")
        tokens.append((sub, launch(games_app.test_client(), world, sub=sub)))

    def send(http, index):
        sub, token = tokens[index % 4]
        return sub, http.post(
            f"{games_url}/v1/games/dice/bets",
            json={"amount": "1", "params": DICE},
            cookies={COOKIE_NAME: token},
            timeout=60,
        )

    results = _race(THREADS, send)
    for sub, _token in tokens:
        mine = [r for s, r in results if s == sub]
        played = [r.json()["round"] for r in mine if _busy_or(r, 201)]
        assert sorted(r["fairness"]["nonce"] for r in played) == list(range(len(played)))
        assert wallet.balance(sub) == Decimal(10) + net(played)


@pytest.mark.parametrize(
    "changes",
    [
        {"enabledGames": ["limbo"]},
        {"currencies": {"USDT": {"minBet": "0.1", "maxBet": "2"}}},
        {"currencies": {"BTC": {"minBet": "0.000005", "maxBet": "0.01"}}},
    ],
)
def test_a_retry_gets_its_round_even_after_the_config_changed(client, games_client, world, changes):
    """The first answer was lost; the config changed; the retry must not deny a placed bet."""
    wallet = world["wallet"]
    launch(games_client, world)
    first = bet(games_client, "dice", "5", DICE, key="lost-answer")
    assert first.status_code == 201
    put_config(client, world, **changes)
    retry = bet(games_client, "dice", "5", DICE, key="lost-answer")
    assert retry.status_code == 200, retry.json
    assert retry.json["round"] == first.json["round"]
    assert wallet_kinds(wallet, "player-1") == ["bet", "win"]
    # A new bet, or the key with other content, is refused by the current config.
    fresh = bet(games_client, "dice", "5", DICE, key="new-key")
    assert fresh.status_code == 422
    other = bet(games_client, "dice", "4", DICE, key="lost-answer")
    assert other.status_code == 422
    assert wallet_kinds(wallet, "player-1") == ["bet", "win"]
