"""A crash at any step of a bet loses nothing: the worker finishes what the request left.

Each checkpoint (common/faults.py) makes a games app "die" right there (FAULT_POINTS). The
request answers 500; then the worker, on a healthy app, settles the round or rolls it back.
The wallet (the real reference wallet, behind the chaos proxy) ends exactly where the round
says: start + payout - amount when the bet was applied and won, start when rolled back; and no
transactionId is ever credited twice.
"""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest

import games
from common.db import database
from common.faults import InjectedFault
from common.models import WalletTransaction, utcnow
from tests.chaos import (
    FAIL,
    LOSE_ANSWER,
    drain,
    latest_round,
    place,
    proxied_world,
    round_row,
    run_worker,
    serve_proxy,
    transactions_of,
    unfinished_money,
    wallet_ledger,
)

START = Decimal("100")
STAKE = Decimal("10")
LIKELY_WIN = {"target": "98", "condition": "under"}
COOKIE = "bp_session"

# Checkpoints on the way of a bet that the wallet accepts: (round status the crash leaves,
# final status, whether the wallet has the bet when the request dies).
BET_PATH = {
    "after_bet_intent": ("bet_pending", "rolled_back", False),
    "after_bet_call": ("bet_pending", "rolled_back", True),
    "after_win_intent": ("win_pending", "settled", True),
    "before_win_call": ("win_pending", "settled", True),
    "after_win_call": ("win_pending", "settled", True),
}
# Checkpoints on the way of a rollback: reached when the bet's outcome is unknown.
ROLLBACK_PATH = ["after_rollback_intent", "before_rollback_call", "after_rollback_call"]


@pytest.fixture(scope="module")
def proxy(wallet_server):
    with serve_proxy(wallet_server.url) as proxy:
        yield proxy


@pytest.fixture
def chaos(games_app, client, aggregator, wallet, proxy):
    return proxied_world(games_app, client, aggregator, wallet, proxy, timeout_ms=300)


@pytest.fixture(scope="module")
def faulty_apps(test_config):
    """games apps that crash at a checkpoint, made once per checkpoint."""
    apps = {}

    def make(*points):
        key = frozenset(points)
        if key not in apps:
            apps[key] = games.create_app({**test_config, "FAULT_POINTS": key})
        return apps[key]

    return make


def _same_session(client, app):
    """A test client of `app` carrying `client`'s player session cookie."""
    other = app.test_client()
    cookie = client.get_cookie(COOKIE)
    other.set_cookie(COOKIE, cookie.value, domain=cookie.domain, path=cookie.path)
    return other


def _crash(player):
    response = place(player, amount=str(STAKE), params=LIKELY_WIN)
    assert response.status_code == 500, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "internal_error"
    return latest_round()


def _assert_nothing_lost_or_doubled(chaos, round_id, final):
    """The round ended `final`; the wallet's balance and ledger agree, nothing twice."""
    row = round_row(round_id)
    assert row.status == final, row.status
    expected = START + row.payout - row.amount if final == "settled" else START
    assert chaos.wallet.balance("player-1") == expected
    ledger = wallet_ledger(chaos.wallet, "player-1")
    closed = Counter(r.reference_transaction_id for r in ledger["win"] + ledger["rollback"])
    assert set(closed.values()) <= {1}, closed
    if final == "settled":
        assert len(ledger["win"]) == 1 and ledger["rollback"] == []
        assert [b.state for b in ledger["bet"]] == ["settled"]
        assert ledger["win"][0].amount == row.payout
    else:
        assert ledger["win"] == [] and len(ledger["rollback"]) == 1
        assert all(b.state == "rolled_back" for b in ledger["bet"] + ledger["tombstone"])
    # Every retry of a transaction carried the same content under the same transactionId.
    by_id = {}
    for call in chaos.proxy.calls():
        if call.transaction_id:
            content = {k: v for k, v in call.body.items() if k != "requestId"}
            assert by_id.setdefault(call.transaction_id, content) == content
    txns = transactions_of(round_id)
    assert set(by_id) <= {t.id for t in txns}  # a bet that died before its call never left
    assert all(t.status in ("acknowledged", "unknown") for t in txns)
    assert Counter(t.kind for t in txns) == (
        {"bet": 1, "win": 1} if final == "settled" else {"bet": 1, "rollback": 1}
    )


def _play_on(chaos, player):
    """After recovery the player plays on normally: the crash left no lease or lock behind."""
    before = chaos.wallet.balance("player-1")
    response = place(player, amount="1", params=LIKELY_WIN)
    assert response.status_code == 201, response.json
    round_ = response.json["round"]
    assert round_["status"] == "settled"
    assert chaos.wallet.balance("player-1") == before - 1 + Decimal(round_["payout"])


@pytest.mark.parametrize("point", list(BET_PATH))
def test_a_crash_on_the_bet_path_is_finished_by_the_worker(chaos, games_app, faulty_apps, point):
    left, final, bet_applied = BET_PATH[point]
    player = chaos.player(balance=str(START))
    crashing = _same_session(player, faulty_apps(point))

    row = _crash(crashing)

    assert row.status == left
    shown = player.get("/v1/rounds").json["rounds"]
    assert [(r["id"], r["status"]) for r in shown] == [(row.id, left)]
    if point == "after_win_call":  # the wallet paid; only the platform does not know yet
        [win] = chaos.proxy.calls("win")
        assert win.wallet_status == 200
        assert chaos.wallet.balance("player-1") == START - STAKE + row.payout
    else:
        assert chaos.wallet.balance("player-1") == (START - STAKE if bet_applied else START)

    passes = drain(games_app)

    assert passes == 1
    _assert_nothing_lost_or_doubled(chaos, row.id, final)
    if point == "after_win_call":
        wins = chaos.proxy.calls("win")
        assert len(wins) == 2 and len({w.request_id for w in wins}) == 2
    _play_on(chaos, player)


@pytest.mark.parametrize("bet_fault", [LOSE_ANSWER, FAIL])
@pytest.mark.parametrize("point", ROLLBACK_PATH)
def test_a_crash_on_the_rollback_path_is_finished_by_the_worker(
    chaos, games_app, faulty_apps, point, bet_fault
):
    """The bet's answer is lost (the wallet took it) or it never arrived; the request dies
    while rolling it back; the worker completes the rollback."""
    player = chaos.player(balance=str(START))
    crashing = _same_session(player, faulty_apps(point))
    chaos.proxy.add("bet", bet_fault)

    row = _crash(crashing)

    assert row.status == "rollback_pending"
    assert player.get(f"/v1/rounds/{row.id}").json["round"]["status"] == "rollback_pending"
    rolled_back_already = point == "after_rollback_call"
    assert len(chaos.proxy.calls("rollback")) == (1 if rolled_back_already else 0)
    applied = bet_fault == LOSE_ANSWER and not rolled_back_already
    assert chaos.wallet.balance("player-1") == (START - STAKE if applied else START)

    drain(games_app)

    _assert_nothing_lost_or_doubled(chaos, row.id, "rolled_back")
    rollbacks = chaos.proxy.calls("rollback")
    assert len(rollbacks) == (2 if rolled_back_already else 1)
    assert rollbacks[0].reference == chaos.proxy.calls("bet")[0].transaction_id
    _play_on(chaos, player)


@pytest.mark.parametrize("point", ["before_win_call", "after_win_call"])
def test_a_worker_that_crashes_mid_retry_is_taken_over_after_its_lease(
    chaos, games_app, faulty_apps, point
):
    player = chaos.player(balance=str(START))
    chaos.proxy.fail("win")
    response = place(player, amount=str(STAKE), params=LIKELY_WIN)
    assert response.json["round"]["status"] == "win_pending"
    round_id = response.json["round"]["id"]

    with pytest.raises(InjectedFault):
        run_worker(faulty_apps(point))
    # The crashed worker's claim holds the win for its lease: a worker at the same moment
    # leaves it alone; one after the lease takes it over.
    assert run_worker(games_app) == [(0, 0)]
    assert unfinished_money() == (1, 0)
    run_worker(games_app, ahead=timedelta(minutes=20))

    assert unfinished_money() == (0, 0)
    _assert_nothing_lost_or_doubled(chaos, round_id, "settled")
    wins = chaos.proxy.calls("win")
    assert len(wins) == (2 if point == "before_win_call" else 3)


def _make_due(*kinds, age=timedelta(minutes=10)):
    """Time passes: the leases of the platform's pending rows of `kinds` run out."""
    with database.connection_context():
        pending = WalletTransaction.select().where(
            (WalletTransaction.status == "pending") & WalletTransaction.kind.in_(kinds)
        )
        for txn in list(pending):
            WalletTransaction.update(
                next_attempt_at=utcnow() - timedelta(seconds=1), created_at=txn.created_at - age
            ).where(WalletTransaction.id == txn.id).execute()


def test_the_worker_cli_finishes_crashed_rounds(chaos, games_app, faulty_apps):
    runner = games_app.test_cli_runner()
    player = chaos.player(balance=str(START))

    won = _crash(_same_session(player, faulty_apps("after_win_intent")))
    stale = _crash(_same_session(player, faulty_apps("after_bet_intent")))

    result = runner.invoke(args=["worker", "--once"])  # nothing is due yet
    assert result.exit_code == 0, result.output
    assert "Rolled back 0 stale bets; 0 credits acknowledged." in result.output

    _make_due("win", "bet")
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Rolled back 1 stale bets; 1 credits acknowledged." in result.output
    assert round_row(won.id).status == "settled"
    assert round_row(stale.id).status == "rollback_pending"

    _make_due("rollback")
    result = runner.invoke(args=["worker", "--once"])
    assert "Rolled back 0 stale bets; 1 credits acknowledged." in result.output
    assert round_row(stale.id).status == "rolled_back"
    assert unfinished_money() == (0, 0)
    assert chaos.wallet.balance("player-1") == START - won.amount + won.payout
    ledger = wallet_ledger(chaos.wallet, "player-1")
    assert len(ledger["win"]) == 1 and len(ledger["rollback"]) == 1
    assert [t.transaction_id for t in ledger["tombstone"]] == [
        t.id for t in transactions_of(stale.id) if t.kind == "bet"
    ]
