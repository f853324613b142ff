"""Mines rules: GAMES.md vectors through open(), the multiplier table, play, errors, idle rounds."""

import json
from decimal import Decimal
from fractions import Fraction
from math import comb

import pytest
from marshmallow import ValidationError

from games.fairness import float_stream
from games.rules import MULTI_STEP_GAMES, ActionError, rules_for, verify_outcome
from games.rules.mines import exact_multiplier, multiplier

MINES = MULTI_STEP_GAMES["mines"]
SERVER = "5ff5c610e633b2a91c46d1be1f74286b"
CLIENT = "854581b6f52eaa86503f1dc6433655f9"


@pytest.fixture(autouse=True)
def clean_state():
    """Pure code: override the suite's database fixture, there is nothing to empty."""


def bucket(k, n):
    return (k + 0.5) / n


def floats_for_mines(tiles):
    """A stream whose first picks are `tiles`."""
    remaining, floats = list(range(25)), []
    for tile in tiles:
        floats.append(bucket(remaining.index(tile), len(remaining)))
        remaining.remove(tile)
    return lambda: iter(floats)


def no_floats():
    raise AssertionError("mines actions must not read the stream")


def checked(step):
    """Every state, public state, log and settlement survives a JSON round trip."""
    assert json.loads(json.dumps(step.state)) == step.state
    public = MINES.public_state(step.state)
    assert json.loads(json.dumps(public)) == public
    assert json.loads(json.dumps(step.used)) == step.used
    if step.settlement is not None:
        json.dumps(step.settlement.outcome)
    return step


def opened(tiles, amount="1"):
    return checked(MINES.open(floats_for_mines(tiles), {"mines": len(tiles)}, Decimal(amount)))


def act(state, action, **data):
    return checked(MINES.apply(no_floats, state, action, data))


def test_registry():
    assert rules_for("mines") is MINES
    assert MINES.name == "mines"
    assert MINES.stake(Decimal("2.5"), {"mines": 3}) == Decimal("2.5")


@pytest.mark.parametrize(("nonce", "mines", "tiles"), [(1, 2, [1, 21]), (4, 5, [0, 6, 16, 18, 22])])
def test_vectors_through_open(nonce, mines, tiles):
    step = checked(
        MINES.open(lambda: float_stream(SERVER, CLIENT, nonce), {"mines": mines}, Decimal(1))
    )
    assert sorted(step.state["mineTiles"]) == tiles
    assert step.state["cursor"] == mines
    assert step.settlement is None
    assert step.used == {"floats": mines}
    outcome = verify_outcome("mines", SERVER, CLIENT, nonce, {"mines": mines})
    assert outcome == {"mines": step.state["mineTiles"]}


def test_mines_are_the_first_picks_of_24():
    full = verify_outcome("mines", SERVER, CLIENT, 4, {"mines": 24})["mines"]
    for mines in range(1, 25):
        assert verify_outcome("mines", SERVER, CLIENT, 4, {"mines": mines})["mines"] == full[:mines]


def closed_form(mines, safe):
    """floor(0.99 × C(25,d) / C(25−m,d) × 10⁸) / 10⁸ in integer arithmetic."""
    scaled = 99 * comb(25, safe) * 10**8 // (100 * comb(25 - mines, safe))
    return Decimal(scaled) / Decimal(10**8)


@pytest.mark.parametrize("mines", range(1, 25))
def test_multiplier_table_matches_closed_form(mines):
    for safe in range(1, 26 - mines):
        assert multiplier(mines, safe) == closed_form(mines, safe)
        assert exact_multiplier(mines, safe) == Fraction(99, 100) * Fraction(
            comb(25, safe), comb(25 - mines, safe)
        )
    with pytest.raises(ValueError):
        multiplier(mines, 26 - mines)


@pytest.mark.parametrize(
    ("mines", "safe", "value"),
    [(1, 1, "1.03125"), (1, 24, "24.75"), (24, 1, "24.75"), (3, 22, "2277"), (5, 1, "1.2375"),
     (3, 1, "1.125"), (10, 2, "2.82857142"), (2, 1, "1.07608695")],
)  # fmt: skip
def test_multiplier_spot_values(mines, safe, value):
    assert multiplier(mines, safe) == Decimal(value)


@pytest.mark.parametrize("mines", range(1, 25))
def test_expected_return_of_every_cashout_point_is_exactly_099(mines):
    for safe in range(1, 26 - mines):
        survive = Fraction(1)
        for i in range(safe):
            survive *= Fraction(25 - mines - i, 25 - i)
        assert survive * exact_multiplier(mines, safe) == Fraction(99, 100)
        rounded = survive * Fraction(multiplier(mines, safe))
        assert Fraction(99, 100) - Fraction(1, 10**8) < rounded <= Fraction(99, 100)


def test_reveal_and_cashout_pays_stake_times_multiplier():
    step = opened([3, 7, 11], amount="0.00000003")
    assert MINES.allowed_actions(step.state) == ["reveal"]
    public = MINES.public_state(step.state)
    assert public["multiplier"] is None and public["nextMultiplier"] == "1.125"
    assert "mines" not in public and "mineTiles" not in public
    state = step.state
    for tile, value in [(0, "1.125"), (24, "1.28571428")]:
        step = act(state, "reveal", tile=tile)
        assert step.settlement is None and step.used == {"tile": tile, "safe": True}
        state = step.state
        assert MINES.public_state(state)["multiplier"] == value
    assert MINES.allowed_actions(state) == ["reveal", "cashout"]
    public = MINES.public_state(state)
    assert public["revealed"] == [0, 24] and public["nextMultiplier"] == "1.47857142"
    assert not set(public).intersection({"mines", "mineTiles", "hit"})
    step = act(state, "cashout")
    settlement = step.settlement
    assert settlement.multiplier == Decimal("1.28571428")
    assert settlement.payout == Decimal("0.00000003") * Decimal("1.28571428")
    assert settlement.outcome["mines"] == [3, 7, 11]
    assert settlement.outcome["result"] == "won" and settlement.outcome["end"] == "cashout"
    assert step.state["finished"] and MINES.allowed_actions(step.state) == []


def test_a_mine_loses_and_shows_all_mines_in_pick_order():
    state = opened([9, 2], amount="5").state
    state = act(state, "reveal", tile=4).state
    step = act(state, "reveal", tile=2)
    assert step.used == {"tile": 2, "safe": False}
    assert step.settlement.payout == 0 and step.settlement.multiplier == 0
    outcome = step.settlement.outcome
    assert outcome["mines"] == [9, 2] and outcome["hit"] == 2 and outcome["result"] == "lost"
    assert outcome["revealed"] == [4] and outcome["payout"] == "0"
    assert MINES.public_state(step.state) == outcome


def test_revealing_every_safe_tile_wins_automatically():
    mines = list(range(1, 25))
    step = act(opened(mines, amount="2").state, "reveal", tile=0)
    assert step.settlement.multiplier == Decimal("24.75")
    assert step.settlement.payout == Decimal("49.5")
    assert step.settlement.outcome["end"] == "cleared"
    state = opened([12]).state
    for tile in [t for t in range(25) if t != 12]:
        step = act(state, "reveal", tile=tile)
        state = step.state
    assert step.settlement.multiplier == Decimal("24.75")


def test_apply_does_not_change_the_given_state():
    state = opened([5]).state
    before = json.dumps(state)
    act(state, "reveal", tile=6)
    assert json.dumps(state) == before


@pytest.mark.parametrize(
    "data",
    [{"tile": 25}, {"tile": -1}, {"tile": "3"}, {"tile": True}, {"tile": 1.0}, {}, {"tile": None}],
)
def test_bad_tiles_are_refused(data):
    state = opened([5]).state
    with pytest.raises(ActionError) as error:
        MINES.apply(no_floats, state, "reveal", data)
    assert error.value.allowed == ["reveal"]


def test_actions_not_allowed():
    state = opened([5]).state
    for action in ("cashout", "hit", "skip"):
        with pytest.raises(ActionError) as error:
            MINES.apply(no_floats, state, action, {})
        assert error.value.allowed == ["reveal"]
        assert error.value.message
        with pytest.raises(ActionError):
            MINES.extra_stake(state, action, {})
    state = act(state, "reveal", tile=1).state
    with pytest.raises(ActionError, match="already revealed") as error:
        MINES.apply(no_floats, state, "reveal", {"tile": 1})
    assert error.value.allowed == ["reveal", "cashout"]
    assert MINES.extra_stake(state, "reveal", {"tile": 2}) == 0
    assert MINES.extra_stake(state, "cashout", {}) == 0
    finished = act(state, "cashout").state
    for action in ("reveal", "cashout"):
        with pytest.raises(ActionError) as error:
            MINES.apply(no_floats, finished, action, {"tile": 3})
        assert error.value.allowed == []
    with pytest.raises(ActionError):
        MINES.finish_idle(no_floats, finished)


def test_idle_with_no_safe_tile_returns_the_stake():
    step = checked(MINES.finish_idle(no_floats, opened([5, 6], amount="3").state))
    assert step.settlement.multiplier == 1 and step.settlement.payout == Decimal(3)
    assert step.settlement.outcome["result"] == "refunded"
    assert step.settlement.outcome["mines"] == [5, 6]
    assert step.used == {"idle": True}


def test_idle_after_safe_tiles_cashes_out():
    state = act(opened([5, 6], amount="3").state, "reveal", tile=0).state
    step = checked(MINES.finish_idle(no_floats, state))
    assert step.settlement.multiplier == multiplier(2, 1) == Decimal("1.07608695")
    assert step.settlement.payout == 3 * Decimal("1.07608695")
    assert step.settlement.outcome["end"] == "idle"


@pytest.mark.parametrize(
    "params", [{"mines": 0}, {"mines": 25}, {"mines": "3"}, {}, {"mines": 3, "extra": 1}]
)
def test_bad_params(params):
    with pytest.raises(ValidationError):
        MINES.open(floats_for_mines([1]), params, Decimal(1))
    with pytest.raises(ValidationError):
        verify_outcome("mines", SERVER, CLIENT, 0, params)
