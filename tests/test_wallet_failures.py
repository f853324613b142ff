"""Wallet failures (SPEC 6), with a chaos proxy in front of the real reference wallet.

Definite refusals void the round with no rollback; any other bet failure (timeout, 5xx, lost
answer, dropped connection, bad signature) is rolled back; wins and rollbacks that fail are
retried by the worker, always with the same transactionId, until the wallet acknowledges them.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from refwallet.models import Player
from refwallet.players import set_frozen
from tests.chaos import (
    CLOSE,
    CORRUPT,
    FAIL,
    LOSE_ANSWER,
    drain,
    place,
    proxied_world,
    round_row,
    run_worker,
    serve_proxy,
    transactions_of,
    wallet_ledger,
)

OPERATORS = "/api/v1/bo/aggregator/operators"
# dice under 98: wins 98 % of the time, pays 1.0102; the payout is read from the round anyway.
LIKELY_WIN = {"target": "98", "condition": "under"}


@pytest.fixture(scope="module")
def proxy(wallet_server):
    with serve_proxy(wallet_server.url) as proxy:
        yield proxy


@pytest.fixture
def chaos(games_app, client, aggregator, wallet, proxy):
    return proxied_world(games_app, client, aggregator, wallet, proxy, timeout_ms=300)


def _error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == code, error
    return error


def _player_round(player, round_id):
    response = player.get(f"/v1/rounds/{round_id}")
    assert response.status_code == 200, response.json
    return response.json["round"]


def _history(player):
    response = player.get("/v1/rounds")
    assert response.status_code == 200, response.json
    return {r["id"]: r for r in response.json["rounds"]}


def _bo_round(client, chaos, round_id):
    response = client.get(
        f"{OPERATORS}/{chaos.operator['id']}/rounds/{round_id}", headers=chaos.aggregator["headers"]
    )
    assert response.status_code == 200, response.json
    return response.json["round"]


def _assert_one_id_many_requests(calls, attempts):
    """`calls` are retries of one transaction: same transactionId and content, new requestIds."""
    assert len(calls) == attempts, calls
    assert len({c.transaction_id for c in calls}) == 1
    assert len({c.request_id for c in calls}) == attempts
    contents = [{k: v for k, v in c.body.items() if k != "requestId"} for c in calls]
    assert all(content == contents[0] for content in contents), contents


# --- definite refusals: void, no rollback -------------------------------------------------------


def test_insufficient_funds_is_402_and_voids_the_round_without_rollback(chaos):
    player = chaos.player("poor", balance="5")

    response = place(player, amount="10")

    error = _error(response, 402, "insufficient_funds")
    round_id = error["details"]["roundId"]
    assert error["details"]["walletCode"] == "INSUFFICIENT_FUNDS"
    assert _player_round(player, round_id)["status"] == "void"
    assert _player_round(player, round_id)["payout"] is None
    assert [c.action for c in chaos.proxy.calls()] == ["bet"]
    assert chaos.proxy.calls("bet")[0].wallet_status == 402
    assert chaos.wallet.balance("poor") == Decimal("5")
    [bet] = transactions_of(round_id)
    assert (bet.kind, bet.status) == ("bet", "refused")
    # Nothing for the worker to do: no rollback, ever.
    assert run_worker(chaos.games_app, passes=2) == [(0, 0), (0, 0)]
    assert chaos.proxy.calls("rollback") == []
    ledger = wallet_ledger(chaos.wallet, "poor")
    assert [row.state for row in ledger["bet"]] == ["refused"]
    assert ledger["rollback"] == ledger["tombstone"] == []
    # A bet the balance covers still goes through afterwards.
    assert place(player, amount="5").status_code == 201


def test_a_refusal_whose_answer_is_lost_is_rolled_back_harmlessly(chaos):
    """The wallet refused the bet (INSUFFICIENT_FUNDS) but the answer never arrived: the
    platform cannot know, so it rolls back; the wallet acknowledges and nothing moves."""
    player = chaos.player("poor", balance="5")
    chaos.proxy.lose_answer("bet")

    response = place(player, amount="10")

    round_id = _error(response, 502, "bet_outcome_unknown")["details"]["roundId"]
    [bet_call] = chaos.proxy.calls("bet")
    assert bet_call.wallet_status == 402
    [rollback] = chaos.proxy.calls("rollback")
    assert rollback.reference == bet_call.transaction_id and rollback.wallet_status == 200
    assert round_row(round_id).status == "rolled_back"
    assert chaos.wallet.balance("poor") == Decimal("5")
    ledger = wallet_ledger(chaos.wallet, "poor")
    assert [row.state for row in ledger["bet"]] == ["refused"]
    assert len(ledger["rollback"]) == 1


def _freeze(chaos, sub):
    chaos.wallet_call(set_frozen, sub, True)


def _switch_currency(chaos, sub):
    chaos.wallet_call(lambda: Player.update(currency="EUR").where(Player.sub == sub).execute())


@pytest.mark.parametrize(
    ("arrange", "wallet_code"),
    [(_freeze, "PLAYER_FROZEN"), (_switch_currency, "CURRENCY_MISMATCH")],
)
def test_other_definite_refusals_are_403_and_void_without_rollback(chaos, arrange, wallet_code):
    player = chaos.player("player-1", balance="100")
    arrange(chaos, "player-1")

    response = place(player, amount="10")

    error = _error(response, 403, "bet_refused")
    assert error["details"]["walletCode"] == wallet_code
    round_id = error["details"]["roundId"]
    assert _player_round(player, round_id)["status"] == "void"
    assert [c.action for c in chaos.proxy.calls()] == ["bet"]
    run_worker(chaos.games_app, passes=2)
    assert chaos.proxy.calls("rollback") == []
    assert chaos.wallet.balance("player-1") == Decimal("100")
    assert [t.kind for t in transactions_of(round_id)] == ["bet"]


# --- unknown bet outcomes: rollback -------------------------------------------------------------


def test_bet_timeout_rolls_back_before_the_late_bet_lands(chaos):
    """The rollback overtakes the delayed bet: the wallet keeps a tombstone and refuses the bet
    when it finally arrives, so no money moves at all."""
    player = chaos.player(balance="100")
    chaos.proxy.delay("bet", 1.5)

    response = place(player, amount="10")

    error = _error(response, 502, "bet_outcome_unknown")
    round_id = error["details"]["roundId"]
    bet_call = chaos.proxy.calls("bet")[0]
    [rollback] = chaos.proxy.calls("rollback")
    assert rollback.reference == bet_call.transaction_id
    assert rollback.transaction_id != bet_call.transaction_id
    assert Decimal(rollback.body["amount"]) == Decimal("10")
    assert _player_round(player, round_id)["status"] in ("rollback_pending", "rolled_back")

    assert bet_call.done.wait(5)
    assert bet_call.wallet_status == 409  # DUPLICATE_TRANSACTION: the tombstone refused it
    assert bet_call.wallet_body["error"]["code"] == "DUPLICATE_TRANSACTION"
    drain(chaos.games_app)
    assert chaos.wallet.balance("player-1") == Decimal("100")
    assert round_row(round_id).status == "rolled_back"
    assert _player_round(player, round_id)["status"] == "rolled_back"
    ledger = wallet_ledger(chaos.wallet, "player-1")
    assert [row.transaction_id for row in ledger["tombstone"]] == [bet_call.transaction_id]
    assert ledger["bet"] == [] and ledger["win"] == []


def test_bet_timeout_with_the_bet_landing_first_is_refunded_by_the_worker(chaos):
    """The genuine unknown outcome: the wallet debits the bet after the platform gave up, the
    first rollback fails, and the worker's retry refunds it."""
    player = chaos.player(balance="100")
    chaos.proxy.delay("bet", 0.8)
    chaos.proxy.fail("rollback")

    response = place(player, amount="10")

    round_id = _error(response, 502, "bet_outcome_unknown")["details"]["roundId"]
    assert round_row(round_id).status == "rollback_pending"
    assert _history(player)[round_id]["status"] == "rollback_pending"
    bet_call = chaos.proxy.calls("bet")[0]
    assert bet_call.done.wait(5) and bet_call.wallet_status == 200
    assert chaos.wallet.balance("player-1") == Decimal("90")  # the wallet took the late bet

    drain(chaos.games_app)

    assert chaos.wallet.balance("player-1") == Decimal("100")
    assert round_row(round_id).status == "rolled_back"
    rollbacks = chaos.proxy.calls("rollback")
    _assert_one_id_many_requests(rollbacks, 2)
    assert rollbacks[0].reference == bet_call.transaction_id
    ledger = wallet_ledger(chaos.wallet, "player-1")
    assert [row.state for row in ledger["bet"]] == ["rolled_back"]
    assert len(ledger["rollback"]) == 1 and ledger["win"] == []


@pytest.mark.parametrize(
    ("mode", "wallet_applied"),
    [(FAIL, False), (CLOSE, False), (LOSE_ANSWER, True), (CORRUPT, True)],
)
def test_bet_failures_of_unknown_outcome_are_rolled_back(chaos, mode, wallet_applied):
    """5xx, a dropped connection, a lost answer and a badly signed answer: 502, then a
    rollback referencing the bet; the player ends where they started."""
    player = chaos.player(balance="100")
    chaos.proxy.add("bet", mode)

    response = place(player, amount="10")

    round_id = _error(response, 502, "bet_outcome_unknown")["details"]["roundId"]
    [bet_call] = chaos.proxy.calls("bet")
    assert bet_call.forwarded is wallet_applied
    [rollback] = chaos.proxy.calls("rollback")
    assert rollback.reference == bet_call.transaction_id
    assert rollback.status == 200
    row = round_row(round_id)
    assert row.status == "rolled_back"
    shown = _player_round(player, round_id)
    assert shown["status"] == "rolled_back" and shown["payout"] is None
    assert Decimal(shown["balance"]) == Decimal("100")
    assert chaos.wallet.balance("player-1") == Decimal("100")
    bet, rollback_txn = transactions_of(round_id)
    assert (bet.status, rollback_txn.kind, rollback_txn.status) == (
        "unknown",
        "rollback",
        "acknowledged",
    )
    ledger = wallet_ledger(chaos.wallet, "player-1")
    assert len(ledger["rollback"]) == 1 and ledger["win"] == []
    if wallet_applied:
        assert [row.state for row in ledger["bet"]] == ["rolled_back"]
    else:
        assert [row.transaction_id for row in ledger["tombstone"]] == [bet_call.transaction_id]
    assert run_worker(chaos.games_app) == [(0, 0)]


def test_a_rollback_to_an_empty_balance_shows_zero_not_nothing(chaos):
    """The wallet answers the rollback with balance "0": the round shows "0"."""
    player = chaos.player(balance="0")
    chaos.proxy.fail("bet")

    response = place(player, amount="1")

    round_id = _error(response, 502, "bet_outcome_unknown")["details"]["roundId"]
    shown = _player_round(player, round_id)
    assert shown["status"] == "rolled_back"
    assert shown["balance"] == "0"


def test_failing_rollbacks_are_retried_with_backoff_and_one_transaction_id(client, chaos):
    player = chaos.player(balance="100")
    chaos.proxy.lose_answer("bet")  # the wallet took the bet; the platform cannot know
    chaos.proxy.fail("rollback", times=2)
    chaos.proxy.close("rollback")
    chaos.proxy.lose_answer("rollback")  # refunded, but the answer is lost: retried again

    response = place(player, amount="10")

    round_id = _error(response, 502, "bet_outcome_unknown")["details"]["roundId"]
    assert _history(player)[round_id]["status"] == "rollback_pending"
    assert chaos.wallet.balance("player-1") == Decimal("90")
    # Backoff: the next try is scheduled ahead; a worker pass right now does not retry it.
    [_bet, pending] = transactions_of(round_id)
    assert pending.status == "pending" and pending.attempts == 1
    assert run_worker(chaos.games_app, ahead=timedelta(0)) == [(0, 0)]
    assert len(chaos.proxy.calls("rollback")) == 1

    passes = drain(chaos.games_app)

    assert passes == 4
    rollbacks = chaos.proxy.calls("rollback")
    _assert_one_id_many_requests(rollbacks, 5)
    assert [c.mode for c in rollbacks] == [FAIL, FAIL, CLOSE, LOSE_ANSWER, "pass"]
    assert rollbacks[0].reference == chaos.proxy.calls("bet")[0].transaction_id
    assert round_row(round_id).status == "rolled_back"
    assert chaos.wallet.balance("player-1") == Decimal("100")
    ledger = wallet_ledger(chaos.wallet, "player-1")
    assert len(ledger["rollback"]) == 1
    assert [row.state for row in ledger["bet"]] == ["rolled_back"]

    detail = _bo_round(client, chaos, round_id)
    assert detail["status"] == "rolled_back"
    bet_txn, rollback_txn = detail["transactions"]
    assert (bet_txn["kind"], bet_txn["status"]) == ("bet", "unknown")
    assert rollback_txn["transactionId"] == rollbacks[0].transaction_id
    assert rollback_txn["referenceTransactionId"] == bet_txn["transactionId"]
    assert (rollback_txn["status"], rollback_txn["attempts"]) == ("acknowledged", 5)
    log = rollback_txn["attemptLog"]
    assert [a["requestId"] for a in log] == [c.request_id for c in rollbacks]
    assert [a["outcome"] for a in log] == ["failed"] * 4 + ["ack"]


# --- wins that fail: retried until acknowledged ---------------------------------------------


@pytest.mark.parametrize("mode", [FAIL, LOSE_ANSWER, CLOSE, CORRUPT])
def test_failing_wins_leave_the_round_pending_until_the_worker_pays_once(client, chaos, mode):
    player = chaos.player(balance="100")
    chaos.proxy.add("win", mode, times=3)

    response = place(player, amount="10", params=LIKELY_WIN)

    assert response.status_code == 201, response.json
    shown = response.json["round"]
    round_id, payout = shown["id"], Decimal(shown["payout"])
    assert shown["status"] == "win_pending"
    assert Decimal(shown["balance"]) == Decimal("90")  # after the bet, before the win
    assert _history(player)[round_id]["status"] == "win_pending"
    assert _player_round(player, round_id)["payout"] == shown["payout"]

    passes = drain(chaos.games_app)

    assert passes == 3
    wins = chaos.proxy.calls("win")
    _assert_one_id_many_requests(wins, 4)
    assert wins[0].reference == chaos.proxy.calls("bet")[0].transaction_id
    assert Decimal(wins[0].body["amount"]) == payout
    assert round_row(round_id).status == "settled"
    assert _player_round(player, round_id)["status"] == "settled"
    assert chaos.wallet.balance("player-1") == Decimal("90") + payout
    ledger = wallet_ledger(chaos.wallet, "player-1")
    assert len(ledger["win"]) == 1 and ledger["rollback"] == []
    assert ledger["win"][0].transaction_id == wins[0].transaction_id

    detail = _bo_round(client, chaos, round_id)
    assert detail["status"] == "settled"
    bet_txn, win_txn = detail["transactions"]
    assert (bet_txn["kind"], bet_txn["status"], bet_txn["attempts"]) == ("bet", "acknowledged", 1)
    assert (win_txn["kind"], win_txn["status"], win_txn["attempts"]) == ("win", "acknowledged", 4)
    assert win_txn["referenceTransactionId"] == bet_txn["transactionId"]
    assert [a["requestId"] for a in win_txn["attemptLog"]] == [c.request_id for c in wins]
    assert [a["outcome"] for a in win_txn["attemptLog"]] == ["failed"] * 3 + ["ack"]


def test_a_lost_win_of_zero_is_still_sent_until_acknowledged(chaos):
    """A lost round still closes the wallet's bet with a win of "0", retried like any win."""
    player = chaos.player(balance="100")
    chaos.proxy.fail("win")

    response = place(player, amount="10", params={"target": "0.01", "condition": "under"})

    shown = response.json["round"]
    if shown["payout"] != "0":  # a 1-in-10001 roll of 0.00: nothing to check
        pytest.skip("the 0.01 % dice bet won")
    assert shown["status"] == "win_pending"
    drain(chaos.games_app)
    wins = chaos.proxy.calls("win")
    _assert_one_id_many_requests(wins, 2)
    assert wins[0].body["amount"] == "0"
    assert round_row(shown["id"]).status == "settled"
    assert chaos.wallet.balance("player-1") == Decimal("90")
    assert [row.state for row in wallet_ledger(chaos.wallet, "player-1")["bet"]] == ["settled"]
