"""Money is conserved: thousands of random rounds against the real reference wallet over HTTP.

The wallet's balance moves by exactly the sum of (payout - amount) of the rounds, every round
settles, every bet is closed by exactly one win; and under random wallet faults (through the
chaos proxy) the worker finishes every round with nothing lost or paid twice.
"""

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from common.db import database, is_sqlite
from common.models import Round, WalletTransaction
from tests.chaos import (
    SINGLE_ROUND_GAMES,
    drain,
    launch,
    proxied_world,
    random_bet,
    rng_for,
    run_worker,
    serve_proxy,
    wallet_ledger,
)

# Sized to keep the test near 30 s: SQLite plays one player at a time (the GIL, not the
# database, is the limit there); PostgreSQL is latency-bound, so players play in parallel.
ROUNDS = {"sqlite": 1500, "postgresql": 1200}
THREADS = {"sqlite": 1, "postgresql": 4}
CHAOS_ROUNDS = 250
START = {"USDT": Decimal("100000"), "BTC": Decimal("10")}


def _backend():
    return "sqlite" if is_sqlite() else "postgresql"


def _players(games_app, aggregator, wallet, operator_code, count):
    """`count` players per currency, each with a session: [(currency, sub, client)]."""
    players = []
    for index in range(count):
        for currency in START:
            sub = f"conserve-{currency.lower()}-{index}"
            wallet.add_player(sub, currency, str(START[currency]))
            client = launch(games_app, aggregator, operator_code, sub, currency)
            players.append((currency, sub, client))
    return players


def _play_as(seed, players, rounds):
    rng = rng_for(seed)
    played = []
    for _ in range(rounds):
        currency, sub, client = players[0] if rng.random() < 0.7 else players[1]
        game = rng.choice(SINGLE_ROUND_GAMES)
        amount, params = random_bet(rng, game, currency)
        response = client.post(f"/v1/games/{game}/bets", json={"amount": amount, "params": params})
        played.append((currency, sub, game, amount, response.status_code, response.get_json()))
    return played


def _play(seed, players, rounds, threads):
    """Play `rounds` random rounds (70 % USDT), `threads` players of each currency at once."""
    pairs = [players[i : i + 2] for i in range(0, len(players), 2)][:threads]
    shares = [rounds // len(pairs) + (i < rounds % len(pairs)) for i in range(len(pairs))]
    if len(pairs) == 1:
        return _play_as(seed, pairs[0], rounds)
    with ThreadPoolExecutor(len(pairs)) as pool:
        futures = [
            pool.submit(_play_as, seed + i, pair, share)
            for i, (pair, share) in enumerate(zip(pairs, shares, strict=True))
        ]
        return [item for future in futures for item in future.result()]


def _check_wallet_ledger(wallet, sub, rounds_by_bet):
    """Every bet has exactly one win (and no rollback); each win pays its round's payout."""
    ledger = wallet_ledger(wallet, sub)
    wins = Counter(row.reference_transaction_id for row in ledger["win"])
    assert set(wins) == {row.transaction_id for row in ledger["bet"]}
    assert set(wins.values()) <= {1}
    for row in ledger["win"]:
        assert row.amount == rounds_by_bet[row.reference_transaction_id].payout
    assert ledger["rollback"] == [] and ledger["tombstone"] == []
    return ledger


def test_thousands_of_random_rounds_conserve_money_exactly(world, games_app):
    wallet, aggregator = world["wallet"], world["aggregator"]
    rounds, threads = ROUNDS[_backend()], THREADS[_backend()]
    players = _players(games_app, aggregator, wallet, "mybrand", threads)
    started = time.monotonic()

    played = _play(20240601, players, rounds, threads)

    elapsed = time.monotonic() - started
    bad = [p for p in played if p[4] != 201]
    assert not bad, bad[:5]
    expected = {sub: START[currency] for currency, sub, _client in players}
    for _currency, sub, game, amount, _status, body in played:
        round_ = body["round"]
        assert round_["status"] == "settled", round_
        assert round_["game"] == game and Decimal(round_["amount"]) == Decimal(amount)
        if game != "roulette":  # a roulette multiplier is payout / stake, rounded
            assert Decimal(round_["payout"]) == Decimal(amount) * Decimal(round_["multiplier"])
        expected[sub] += Decimal(round_["payout"]) - Decimal(round_["amount"])
    for sub, balance in expected.items():
        assert wallet.balance(sub) == balance, sub
    # Every game was played in both currencies, and rounds were both won and lost.
    assert {(p[0], p[2]) for p in played} == {(c, g) for c in START for g in SINGLE_ROUND_GAMES}
    payouts = [Decimal(p[5]["round"]["payout"]) for p in played]
    assert any(p == 0 for p in payouts) and any(p > 0 for p in payouts)

    with database.connection_context():
        rows = list(Round.select())
        assert len(rows) == rounds
        assert {r.status for r in rows} == {"settled"}
        txns = list(WalletTransaction.select())
        assert Counter(t.kind for t in txns) == {"bet": rounds, "win": rounds}
        assert {t.status for t in txns} == {"acknowledged"}
        by_round = {r.id: r for r in rows}
        rounds_by_bet = {t.id: by_round[t.round_id] for t in txns if t.kind == "bet"}
    wallet_bets = set()
    for _currency, sub, _client in players:
        ledger = _check_wallet_ledger(wallet, sub, rounds_by_bet)
        wallet_bets |= {row.transaction_id for row in ledger["bet"]}
    assert wallet_bets == set(rounds_by_bet)
    # The session's last known balance agrees with the wallet.
    for _currency, sub, client in players:
        session = client.get("/v1/session").json["session"]
        assert Decimal(session["balance"]) == expected[sub]
    print(f"{rounds} rounds in {elapsed:.1f} s ({threads} thread(s))")


@pytest.fixture(scope="module")
def proxy(wallet_server):
    with serve_proxy(wallet_server.url) as proxy:
        yield proxy


@pytest.fixture
def chaos_world(games_app, client, aggregator, wallet, proxy):
    return proxied_world(games_app, client, aggregator, wallet, proxy, timeout_ms=300)


def test_random_wallet_faults_lose_nothing_once_the_worker_is_done(chaos_world, games_app):
    """Random 500s, lost answers, dropped connections and bad signatures on bet, win and
    rollback: every round ends settled or rolled back, and the wallet matches exactly."""
    proxy, wallet = chaos_world.proxy, chaos_world.wallet
    threads = THREADS[_backend()]
    players = _players(games_app, chaos_world.aggregator, wallet, chaos_world.code, threads)
    proxy.reset()
    proxy.chaos(rng_for(78), rate=0.15)

    played = _play(77, players, CHAOS_ROUNDS, threads)
    # The worker meets faults too for a few passes, then a calm wallet.
    run_worker(games_app, passes=5)
    proxy.calm()
    drain(games_app)

    statuses = Counter(p[4] for p in played)
    assert set(statuses) <= {201, 502}, statuses
    assert statuses[502] > 0 and statuses[201] > 0
    answered = Counter(p[5]["round"]["status"] for p in played if p[4] == 201)
    assert set(answered) <= {"settled", "win_pending"} and answered["win_pending"] > 0
    expected = {sub: START[currency] for currency, sub, _client in players}
    with database.connection_context():
        rows = list(Round.select())
        txns = list(WalletTransaction.select())
    assert len(rows) == CHAOS_ROUNDS
    for row in rows:
        assert row.status in ("settled", "rolled_back"), row.status
        if row.status == "settled":
            expected[row.sub] += row.payout - row.amount
    assert Counter(r.status for r in rows)["rolled_back"] == statuses[502]
    assert {t.status for t in txns if t.kind != "bet"} == {"acknowledged"}
    for sub, balance in expected.items():
        assert wallet.balance(sub) == balance, sub
        ledger = wallet_ledger(wallet, sub)
        closed = Counter(row.reference_transaction_id for row in ledger["win"] + ledger["rollback"])
        # Each bet's transactionId is closed once, by a win or by a rollback, never both.
        assert set(closed.values()) <= {1}
        open_bets = [row for row in ledger["bet"] if row.state == "open"]
        assert open_bets == []
    # Retries reused transactionIds: the wallet saw no id the platform does not know.
    ids = {t.id for t in txns}
    assert {c.transaction_id for c in proxy.calls() if c.transaction_id} <= ids
    faults = Counter(c.mode for c in proxy.calls())
    assert len(faults) > 3, faults
