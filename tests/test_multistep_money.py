"""Money safety of multi-step rounds against the reference wallet (issue 6, SPEC 6).

Every path conserves money; a round left open is settled by the worker (even after the player's
session ended); a crash between an action's wallet call and its recording settles exactly once;
two simultaneous actions on one round apply once; the operator's maxWin caps a payout.
"""

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import requests

import games
from common.db import database
from common.models import Round
from tests.multistep_support import (
    IDLE_AHEAD,
    START,
    assert_wallet_moved,
    bj_total,
    cards_of,
    dealer_final,
    drain,
    floor8,
    hand_return,
    hilo_chance,
    hilo_guesses,
    hilo_rank,
    hilo_right,
    is_natural,
    mine_tiles,
    mines_multiplier,
    plain_deal,
    refused,
    run_worker,
    settled,
    table,
)
from tests.play_support import age_sessions, launch, put_config
from tests.servers import ThreadedServer


@pytest.fixture
def t(games_app, games_client, client, world):
    return table(games_app, games_client, client, world)


@pytest.fixture(scope="module")
def app_with(test_config):
    """games apps with config overrides (FAULT_POINTS, ROUND_IDLE_SECONDS), made once each."""
    apps = {}

    def make(**overrides):
        key = tuple(
            sorted((k, frozenset(v) if isinstance(v, set) else v) for k, v in overrides.items())
        )
        if key not in apps:
            apps[key] = games.create_app({**test_config, **overrides})
        return apps[key]

    return make


def _safe_tiles(t, round_):
    seeds = t.round_seeds(round_["id"])
    layout = mine_tiles(*seeds, round_["params"]["mines"])
    return [tile for tile in range(25) if tile not in layout]


def _hilo_right_guess(t, round_):
    """Make one correct hilo guess (skipping cards where none fits); returns (round, multiplier)."""
    cards = cards_of(*t.round_seeds(round_["id"]))
    position = 0
    while True:
        shown, following = hilo_rank(cards[position]), hilo_rank(cards[position + 1])
        for guess in hilo_guesses(shown):
            if hilo_right(shown, guess, following):
                round_ = t.acted(round_["id"], guess)
                return round_, floor8(Fraction(99, 100) / hilo_chance(shown, guess))
        round_ = t.acted(round_["id"], "skip")
        position += 1


def _row(round_id):
    with database.connection_context():
        return Round.get_by_id(round_id)


def _without_balance(round_):
    return {k: v for k, v in round_.items() if k != "balance"}


# --- every path conserves money ------------------------------------------------------------


EXTRA_STAKES = ("double", "split", "insurance")


def _random_action(rng, game, round_, finish):
    """An allowed action picked at random; once `finish` is set, one that ends the round."""
    allowed = round_["allowedActions"]
    if game == "mines":
        if "cashout" in allowed and (finish or rng.random() < 0.3):
            return "cashout", {}
        hidden = [i for i in range(25) if i not in round_["outcome"]["revealed"]]
        return "reveal", {"tile": rng.choice(hidden)}
    if game == "hilo":
        if "cashout" in allowed and (finish or rng.random() < 0.25):
            return "cashout", {}
        return rng.choice([a for a in allowed if a != "skip" or not finish]), {}
    if finish:
        return "stand", {}
    extra = [a for a in allowed if a in EXTRA_STAKES]
    return rng.choice(extra if extra and rng.random() < 0.5 else allowed), {}


def _play_randomly(t, rng, game):
    """Open a round of `game` and act at random among the allowed actions until it settles."""
    amount = rng.choice(["0.1", "1", "2.5", "0.33333333"])
    round_ = t.opened(game, amount, {"mines": rng.randint(1, 24)} if game == "mines" else {})
    steps = 0
    while round_["status"] == "open":
        action, data = _random_action(rng, game, round_, finish=steps >= 30)
        steps += 1
        response = t.act(round_["id"], action, **data)
        assert response.status_code == 200, response.json
        round_ = response.json["round"]
    return settled(t, round_)


def test_a_random_session_of_every_game_conserves_money(t):
    rng = random.Random(20240611)
    rounds = [
        _play_randomly(t, rng, game) for _ in range(6) for game in ("mines", "hilo", "blackjack")
    ]

    assert_wallet_moved(t, *rounds)
    # The platform and the wallet agree on every transaction, none left pending.
    for round_ in rounds:
        txns = t.transactions(round_["id"])
        assert all(x.status == "acknowledged" for x in txns), txns
        wallet_ids = {w.transaction_id for w in t.wallet_rows(round_["id"])}
        assert {x.id for x in txns} == wallet_ids
    history = t.client.get("/v1/rounds?limit=100").json["rounds"]
    assert {r["id"] for r in history} == {r["id"] for r in rounds}
    assert all(r["status"] == "settled" for r in history)


# --- idle rounds ---------------------------------------------------------------------------


def test_idle_rounds_are_finished_by_the_worker_after_the_session_ended(t, games_app, world):
    deck = t.choose_deck(plain_deal)  # before any round is open: the client seed is locked then
    blackjack = t.opened("blackjack", "1", {})
    mines = t.opened("mines", "2", {"mines": 3})
    safe = _safe_tiles(t, mines)
    for tile in safe[:2]:
        t.acted(mines["id"], "reveal", tile=tile)
    hilo = t.opened("hilo", "1", {})
    hilo, hilo_multiplier = _hilo_right_guess(t, hilo)
    assert hilo["status"] == "open"
    assert t.balance() == START - 4
    assert t.client.delete("/v1/session").status_code == 204
    assert t.client.get("/v1/games/mines/active").status_code == 401

    run_worker(games_app, ahead=timedelta(seconds=600))  # not idle long enough yet
    assert {_row(r["id"]).status for r in (blackjack, mines, hilo)} == {"open"}

    run_worker(games_app, ahead=IDLE_AHEAD)

    assert {_row(r["id"]).status for r in (blackjack, mines, hilo)} == {"settled"}
    launch(t.client, world, game="mines")  # the player comes back with a new session
    blackjack, mines, hilo = (t.round(r["id"]) for r in (blackjack, mines, hilo))
    assert Decimal(mines["payout"]) == 2 * mines_multiplier(3, 2)
    assert (mines["outcome"]["result"], mines["outcome"]["end"]) == ("won", "idle")
    assert Decimal(hilo["payout"]) == hilo_multiplier
    assert (hilo["outcome"]["result"], hilo["outcome"]["end"]) == ("won", "idle")
    dealer = dealer_final([deck[1], deck[3]], iter(deck[4:]))
    assert blackjack["outcome"]["hands"][0]["status"] == "stood"
    assert blackjack["outcome"]["dealer"]["cards"] == dealer
    assert Decimal(blackjack["payout"]) == hand_return([deck[0], deck[2]], dealer, Decimal(1))
    for round_ in (blackjack, mines, hilo):
        assert round_["actions"][-1]["action"] == "idle"
        assert round_["allowedActions"] == []
    assert_wallet_moved(t, blackjack, mines, hilo)
    assert run_worker(games_app, ahead=IDLE_AHEAD) == (0, 0)  # nothing twice


def test_idle_rounds_with_nothing_won_refund_the_stake(t, app_with):
    idle_at_once = app_with(ROUND_IDLE_SECONDS=0)
    mines = t.opened("mines", "3", {"mines": 24})
    hilo = t.acted(t.opened("hilo", "2", {})["id"], "skip")
    assert t.balance() == START - 5
    age_sessions(120)  # the session has expired
    assert t.client.get("/v1/games/hilo/active").status_code == 401

    run_worker(idle_at_once, ahead=timedelta(seconds=1))

    rows = [_row(r["id"]) for r in (mines, hilo)]
    assert [r.status for r in rows] == ["settled", "settled"]
    assert [r.payout for r in rows] == [Decimal(3), Decimal(2)]
    assert [r.multiplier for r in rows] == [Decimal(1), Decimal(1)]
    assert [r.outcome["result"] for r in rows] == ["refunded", "refunded"]
    assert t.balance() == START
    for row in rows:
        wins = [w for w in t.wallet_rows(row.id) if w.kind == "win"]
        assert [w.amount for w in wins] == [row.amount]


# --- crashes -------------------------------------------------------------------------------


@pytest.mark.parametrize("point", ["after_bet_intent", "after_bet_call"])
def test_a_crash_around_an_extra_stake_is_rolled_back_and_the_round_goes_on(t, app_with, point):
    def wanted(c):
        return plain_deal(c) and bj_total([c[0], c[2]]) <= 11

    deck = t.choose_deck(wanted)
    round_ = t.opened("blackjack", "2", {})
    before = t.round(round_["id"])
    crashing = t.same_session(app_with(FAULT_POINTS={point}))

    response = crashing.post(f"/v1/rounds/{round_['id']}/actions", json={"action": "double"})

    assert response.status_code == 500, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "internal_error"
    assert t.round(round_["id"]) == before  # the double was never recorded
    reached_wallet = point == "after_bet_call"
    assert t.balance() == START - (4 if reached_wallet else 2)

    drain(t.games_app)  # the stale extra stake is rolled back

    after = t.round(round_["id"])
    assert _without_balance(after) == _without_balance(before)
    assert (after["status"], after["amount"]) == ("open", "2")
    assert t.balance() == START - 2
    extra = [x for x in t.transactions(round_["id"]) if x.kind == "bet"][1]
    [rollback] = [x for x in t.transactions(round_["id"]) if x.kind == "rollback"]
    assert rollback.reference == extra.id and rollback.status == "acknowledged"
    ledger = {w.transaction_id: w for w in t.wallet_rows(round_["id"])}
    if reached_wallet:
        assert ledger[extra.id].state == "rolled_back"
    else:
        assert ledger[extra.id].kind == "tombstone"

    # The player doubles again: the round is where it was, so the same card comes.
    round_ = settled(t, t.acted(round_["id"], "double"))

    player = [deck[0], deck[2], deck[4]]
    assert round_["outcome"]["hands"][0]["cards"] == player
    dealer = dealer_final([deck[1], deck[3]], iter(deck[5:]))
    assert Decimal(round_["payout"]) == hand_return(player, dealer, Decimal(4))
    assert round_["amount"] == "4"
    assert t.balance() == START - 4 + Decimal(round_["payout"])
    assert_wallet_moved(t, round_)
    assert run_worker(t.games_app) == (0, 0)


def test_a_round_settled_before_the_worker_rolls_back_a_crashed_extra_stake(t, app_with):
    """The double's bet reached the wallet, the request died; the player stands at once and
    the round settles on the opening stake; the worker then refunds the orphaned double."""
    deck = t.choose_deck(plain_deal)
    round_ = t.opened("blackjack", "2", {})
    crashing = t.same_session(app_with(FAULT_POINTS={"after_bet_call"}))
    response = crashing.post(f"/v1/rounds/{round_['id']}/actions", json={"action": "double"})
    assert response.status_code == 500

    round_ = settled(t, t.acted(round_["id"], "stand"))

    dealer = dealer_final([deck[1], deck[3]], iter(deck[4:]))
    payout = hand_return([deck[0], deck[2]], dealer, Decimal(2))
    assert (round_["amount"], Decimal(round_["payout"])) == ("2", payout)
    assert t.balance() == START - 4 + payout  # the orphaned double is still debited

    drain(t.games_app)

    assert t.balance() == START - 2 + payout
    assert_wallet_moved(t, t.round(round_["id"]), start=START)
    states = {(w.kind, w.amount, w.state) for w in t.wallet_rows(round_["id"])}
    assert states == {
        ("bet", Decimal(2), "settled"),
        ("bet", Decimal(2), "rolled_back"),
        ("win", payout, None),
        ("rollback", Decimal(2), None),
    }


def _mines_cashout(t):
    round_ = t.opened("mines", "2", {"mines": 4})
    for tile in _safe_tiles(t, round_)[:3]:
        t.acted(round_["id"], "reveal", tile=tile)
    return round_["id"], "cashout", 2 * mines_multiplier(4, 3), Decimal(2)


def _blackjack_double(t):
    def wanted(c):
        return plain_deal(c) and 9 <= bj_total([c[0], c[2]]) <= 11

    deck = t.choose_deck(wanted)
    round_ = t.opened("blackjack", "2", {})
    player = [deck[0], deck[2], deck[4]]
    dealer = dealer_final([deck[1], deck[3]], iter(deck[5:]))
    return round_["id"], "double", hand_return(player, dealer, Decimal(4)), Decimal(4)


@pytest.mark.parametrize("path", [_mines_cashout, _blackjack_double], ids=["cashout", "double"])
@pytest.mark.parametrize("point", ["after_win_intent", "after_win_call"])
def test_a_crash_after_a_settling_action_is_paid_once_by_the_worker(t, app_with, path, point):
    round_id, action, payout, staked = path(t)
    crashing = t.same_session(app_with(FAULT_POINTS={point}))

    response = crashing.post(f"/v1/rounds/{round_id}/actions", json={"action": action})

    assert response.status_code == 500, response.get_data(as_text=True)
    shown = t.round(round_id)
    assert shown["status"] == "win_pending"
    assert Decimal(shown["payout"]) == payout and Decimal(shown["amount"]) == staked
    paid_already = point == "after_win_call"
    assert t.balance() == START - staked + (payout if paid_already else 0)
    refused(t.act(round_id, action), 409, "action_not_allowed", [])
    assert t.client.get("/v1/games/mines/active").status_code == 404

    drain(t.games_app)

    shown = settled(t, t.round(round_id))
    assert t.balance() == START - staked + payout
    assert_wallet_moved(t, shown)
    assert run_worker(t.games_app) == (0, 0)


# --- concurrency ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(games_app):
    with ThreadedServer(games_app) as served:
        yield served


def _race(server, cookie, round_id, bodies):
    """POST each body as an action on `round_id` at the same moment; returns the responses."""
    barrier = threading.Barrier(len(bodies))

    def attempt(body):
        with requests.Session() as http:
            barrier.wait(timeout=10)
            return http.post(
                f"{server.url}/v1/rounds/{round_id}/actions",
                json=body,
                headers={"Cookie": f"bp_session={cookie}"},
                timeout=30,
            )

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(attempt, bodies))


def test_two_simultaneous_cashouts_pay_once(t, server):
    round_ = t.opened("mines", "1", {"mines": 3})
    safe = _safe_tiles(t, round_)
    for tile in safe[:2]:
        t.acted(round_["id"], "reveal", tile=tile)

    responses = _race(server, t.cookie(), round_["id"], [{"action": "cashout"}] * 2)

    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    loser = next(r for r in responses if r.status_code == 409).json()["error"]
    assert loser["code"] == "action_not_allowed" and loser["details"]["allowed"] == []
    round_ = settled(t, t.round(round_["id"]))
    assert Decimal(round_["payout"]) == mines_multiplier(3, 2)
    assert [a["action"] for a in round_["actions"]].count("cashout") == 1
    assert_wallet_moved(t, round_)  # exactly one win


def test_two_simultaneous_doubles_stake_once(t, server):
    deck = t.choose_deck(plain_deal)
    round_ = t.opened("blackjack", "2", {})

    responses = _race(server, t.cookie(), round_["id"], [{"action": "double"}] * 2)

    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    round_ = settled(t, t.round(round_["id"]))
    assert round_["amount"] == "4"
    assert round_["outcome"]["hands"][0]["cards"] == [deck[0], deck[2], deck[4]]
    bets = [w for w in t.wallet_rows(round_["id"]) if w.kind == "bet"]
    assert [b.amount for b in bets] == [Decimal(2), Decimal(2)]
    assert_wallet_moved(t, round_)


def test_two_simultaneous_reveals_apply_one_after_the_other(t, server):
    round_ = t.opened("mines", "1", {"mines": 2})
    safe = _safe_tiles(t, round_)

    bodies = [{"action": "reveal", "tile": safe[0]}, {"action": "reveal", "tile": safe[1]}]
    responses = _race(server, t.cookie(), round_["id"], bodies)

    assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    seen = sorted(len(r.json()["round"]["outcome"]["revealed"]) for r in responses)
    assert seen == [1, 2]  # the second saw the first's state
    round_ = t.round(round_["id"])
    assert sorted(round_["outcome"]["revealed"]) == sorted(safe[:2])
    assert Decimal(round_["outcome"]["multiplier"]) == mines_multiplier(2, 2)

    same = _race(server, t.cookie(), round_["id"], [{"action": "reveal", "tile": safe[2]}] * 2)

    assert sorted(r.status_code for r in same) == [200, 409]
    loser = next(r for r in same if r.status_code == 409).json()["error"]
    assert loser["details"]["allowed"] == ["reveal", "cashout"]
    assert len(t.round(round_["id"])["outcome"]["revealed"]) == 3
    assert t.balance() == START - 1


# --- maxWin --------------------------------------------------------------------------------


def test_max_win_caps_a_payout_and_the_round_shows_it(games_app, games_client, client, world):
    t = table(games_app, games_client, client, world, maxBet="1", maxWin="1.5")
    small = t.opened("mines", "1", {"mines": 3})
    t.acted(small["id"], "reveal", tile=_safe_tiles(t, small)[0])
    small = settled(t, t.acted(small["id"], "cashout"))
    assert Decimal(small["payout"]) == mines_multiplier(3, 1) < Decimal("1.5")
    assert small["maxWinApplied"] is False

    big = t.opened("mines", "1", {"mines": 3})
    for tile in _safe_tiles(t, big)[:4]:
        t.acted(big["id"], "reveal", tile=tile)
    assert Decimal(t.round(big["id"])["outcome"]["multiplier"]) == mines_multiplier(3, 4) > 1.5
    big = settled(t, t.acted(big["id"], "cashout"))

    assert big["payout"] == "1.5" and big["multiplier"] == "1.5"
    assert big["maxWinApplied"] is True
    # The round's own result view shows what was paid, not the uncapped figure.
    assert (big["outcome"]["payout"], big["outcome"]["multiplier"]) == ("1.5", "1.5")
    assert_wallet_moved(t, small, big)

    def natural(c):
        return is_natural([c[0], c[2]]) and 2 <= bj_total([c[1]]) <= 9

    t.choose_deck(natural)
    response = t.bet("blackjack", "1", {})
    assert response.status_code == 201, response.json
    blackjack = settled(t, response.json["round"])
    assert blackjack["payout"] == "1.5" and blackjack["maxWinApplied"] is True  # not 2.5
    assert_wallet_moved(t, small, big, blackjack)


# --- extra stakes follow the current config -------------------------------------------------


def test_an_extra_stake_is_refused_once_the_game_is_disabled(
    games_app, games_client, client, world
):
    t = table(games_app, games_client, client, world)
    t.choose_deck(lambda c: bj_total([c[0], c[2]]) in (9, 10, 11) and bj_total([c[1]]) < 10)
    round_ = t.opened("blackjack", "1", {})
    put_config(client, world, enabledGames=["dice"])
    refused(t.act(round_["id"], "double"), 422, "game_not_enabled")
    assert t.round(round_["id"])["status"] == "open"  # nothing changed, nothing charged
    assert t.balance() == START - 1
    stood = settled(t, t.acted(round_["id"], "stand"))  # a stake-free action still finishes it
    assert_wallet_moved(t, stood)


def test_unknown_action_fields_are_422(games_app, games_client, client, world):
    t = table(games_app, games_client, client, world)
    round_ = t.opened("mines", "1", {"mines": 3})
    response = t.act(round_["id"], "reveal", tile=_safe_tiles(t, round_)[0], colour="red")
    refused(response, 422, "validation_error")
    assert response.json["error"]["details"]["fields"] == {
        "colour": ["Unknown field for this action."]
    }
