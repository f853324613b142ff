"""Single-round game rules: outcomes and payouts from hand-built float streams, and params."""

from decimal import Decimal

import pytest
from marshmallow import ValidationError

from games.fairness import RANKS, SUITS, float_stream
from games.rules import SINGLE_ROUND_GAMES, rules_for, tables, verify_outcome
from games.rules.roulette import NUMBER_SETS, OUTSIDE


@pytest.fixture(autouse=True)
def clean_state():
    """Pure code: override the suite's database fixture, there is nothing to empty."""


def settle(game, floats, params, amount="1"):
    return rules_for(game).settle(iter(floats), params, Decimal(amount))


def bucket(k, n):
    """A float that lands in bucket k of floor(f × n)."""
    return (k + 0.5) / n


def card(name):
    return bucket(RANKS.index(name[:-1]) * 4 + SUITS.index(name[-1]), 52)


def keno_floats(numbers):
    remaining, floats = list(range(1, 41)), []
    for number in numbers:
        floats.append(bucket(remaining.index(number), len(remaining)))
        remaining.remove(number)
    return floats


def test_registry():
    assert set(SINGLE_ROUND_GAMES) == {
        "dice", "limbo", "coinflip", "roulette", "wheel", "plinko", "keno", "baccarat"
    }  # fmt: skip
    assert all(rules.name == name for name, rules in SINGLE_ROUND_GAMES.items())
    with pytest.raises(KeyError):
        rules_for("poker")


@pytest.mark.parametrize(
    ("target", "condition", "multiplier"),
    [("0.01", "under", "9900"), ("98", "under", "1.0102"), ("2", "over", "1.0102"),
     ("99.99", "over", "9900"), ("50", "under", "1.98"), ("33.33", "under", "2.9702"),
     ("66.67", "over", "2.9702")],
)  # fmt: skip
def test_dice_multiplier_is_99_over_chance_truncated(target, condition, multiplier):
    hundredths = int(Decimal(target) * 100)
    roll = hundredths - 1 if condition == "under" else hundredths + 1
    result = settle("dice", [bucket(roll, 10001)], {"target": target, "condition": condition}, "2")
    assert result.outcome == {"roll": str(Decimal(roll).scaleb(-2))}
    assert result.multiplier == Decimal(multiplier)
    assert result.payout == 2 * Decimal(multiplier)


@pytest.mark.parametrize(
    ("roll", "condition", "won"),
    [(4999, "under", True), (5000, "under", False), (5000, "over", False), (5001, "over", True),
     (0, "under", True), (10000, "over", True), (10000, "under", False), (0, "over", False)],
)  # fmt: skip
def test_dice_boundary_roll_equal_to_target_loses(roll, condition, won):
    result = settle("dice", [bucket(roll, 10001)], {"target": "50.00", "condition": condition})
    assert (result.multiplier > 0) is won
    assert result.payout == result.multiplier


@pytest.mark.parametrize(
    ("k", "target", "result", "won"),
    [(2**24 - 1, "1.01", "0.99", False), (16444992, "1.01", "1.01", True),
     (16444993, "1.01", "1.00", False), (15, "1000000", "1038090.24", True),
     (16, "1000000", "977026.10", False), (0, "1000000", "16609443.84", True)],
)  # fmt: skip
def test_limbo_pays_target_when_result_reaches_it(k, target, result, won):
    outcome = settle("limbo", [(k + 0.5) / 2**24], {"target": target}, "3")
    assert outcome.outcome == {"result": result}
    assert outcome.multiplier == (Decimal(target) if won else 0)
    assert outcome.payout == 3 * outcome.multiplier


def test_limbo_payout_is_exact_for_large_amounts():
    amount = "12345678901234.12345678"
    result = settle("limbo", [0.0], {"target": "999999.99"}, amount)
    # 32 significant digits: more than the default context's 28 would keep.
    assert str(result.payout) == "12345678777777334444.4387654322"


@pytest.mark.parametrize(
    ("f", "side"), [(0.0, "tails"), (0.5, "tails"), (0.5000000002, "heads"), (0.99, "heads")]
)
def test_coinflip(f, side):
    assert settle("coinflip", [f], {"side": side}).multiplier == Decimal("1.98")
    other = "heads" if side == "tails" else "tails"
    assert settle("coinflip", [f], {"side": other}).outcome == {"side": side}
    assert settle("coinflip", [f], {"side": other}).payout == 0


ROULETTE_BETS = [
    ("straight", [0], 0, 36), ("straight", [17], 17, 36), ("split", [0, 3], 3, 18),
    ("split", [17, 20], 20, 18), ("split", [35, 36], 35, 18), ("street", [34, 35, 36], 36, 12),
    ("street", [0, 2, 3], 0, 12), ("corner", [25, 26, 28, 29], 29, 9),
    ("corner", [0, 1, 2, 3], 2, 9), ("line", list(range(31, 37)), 31, 6),
    ("dozen", list(range(13, 25)), 24, 3),
    ("column", list(range(2, 36, 3)), 35, 3), ("red", None, 1, 2), ("black", None, 2, 2),
    ("odd", None, 35, 2), ("even", None, 36, 2), ("low", None, 18, 2), ("high", None, 19, 2),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "numbers", "pocket", "pays"), ROULETTE_BETS)
def test_roulette_bet_types(kind, numbers, pocket, pays):
    bet = {"type": kind, "amount": "0.5"} | ({"numbers": numbers} if numbers else {})
    won = settle("roulette", [bucket(pocket, 37)], {"bets": [bet]}, "0.5")
    assert won.outcome == {"pocket": pocket}
    assert (won.multiplier, won.payout) == (pays, Decimal("0.5") * pays)
    losing = next(p for p in range(37) if p not in (numbers or OUTSIDE[kind]))
    lost = settle("roulette", [bucket(losing, 37)], {"bets": [bet]}, "0.5")
    assert (lost.multiplier, lost.payout) == (0, 0)


def test_roulette_zero_loses_every_outside_bet():
    bets = [{"type": kind, "amount": "1"} for kind in OUTSIDE]
    bets += [{"type": "dozen", "numbers": list(range(1, 13)), "amount": "1"}]
    assert settle("roulette", [0.0], {"bets": bets}, "7").payout == 0


def test_roulette_sums_chips_and_stake_must_match_amount():
    bets = [
        {"type": "straight", "numbers": [7], "amount": "0.25"},
        {"type": "red", "amount": "1"},
        {"type": "black", "amount": "2"},
    ]
    rules = rules_for("roulette")
    assert rules.stake(Decimal("3.25"), {"bets": bets}) == Decimal("3.25")
    with pytest.raises(ValueError, match="sum of the chips"):
        rules.stake(Decimal("3"), {"bets": bets})
    result = rules.settle(iter([bucket(7, 37)]), {"bets": bets}, Decimal("3.25"))
    assert result.payout == Decimal("11")
    assert result.multiplier == Decimal("3.38461538")


def test_roulette_number_set_counts():
    counts = {kind: len(sets) for kind, sets in NUMBER_SETS.items()}
    assert counts == {"straight": 37, "split": 60, "street": 14, "corner": 23, "line": 11,
                      "dozen": 3, "column": 3}  # fmt: skip


@pytest.mark.parametrize(("risk", "segments"), [(r, s) for r in ("low", "medium", "high")
                                                 for s in (10, 20, 30, 40, 50)])  # fmt: skip
def test_wheel_pays_each_segment(risk, segments):
    table = tables.table("wheel", risk, segments)
    for segment, multiplier in enumerate(table):
        result = settle("wheel", [bucket(segment, segments)], {"risk": risk, "segments": segments})
        assert (result.outcome, result.multiplier) == ({"segment": segment}, multiplier)


@pytest.mark.parametrize("risk", ["low", "medium", "high"])
@pytest.mark.parametrize("rows", range(8, 17))
def test_plinko_reaches_every_slot(risk, rows):
    table = tables.table("plinko", risk, rows)
    assert len(table) == rows + 1
    for slot, multiplier in enumerate(table):
        path = [1] * slot + [0] * (rows - slot)
        floats = [0.75 if step else 0.25 for step in path]
        result = settle("plinko", floats, {"risk": risk, "rows": rows})
        assert result.outcome == {"path": path, "slot": slot}
        assert result.multiplier == multiplier


@pytest.mark.parametrize("risk", ["classic", "low", "medium", "high"])
@pytest.mark.parametrize("picks", range(1, 11))
def test_keno_pays_every_hit_count(risk, picks):
    table = tables.table("keno", risk, picks)
    assert len(table) == picks + 1
    chosen = list(range(1, picks + 1))
    for hits, multiplier in enumerate(table):
        drawn = list(range(picks - hits + 1, picks - hits + 11))
        result = settle("keno", keno_floats(drawn), {"risk": risk, "picks": chosen})
        assert result.outcome == {"drawn": drawn, "hits": hits}
        assert result.multiplier == multiplier


def baccarat(cards, side="player", amount="1"):
    """Deal exactly `cards` (P1 B1 P2 B2 then thirds); a further draw would raise StopIteration."""
    return settle("baccarat", [card(name) for name in cards], {"side": side}, amount)


@pytest.mark.parametrize(
    ("cards", "player", "banker", "totals", "winner"),
    [
        # naturals stand, even against a drawing hand
        ("4D KH 5S 3C", "4D 5S", "KH 3C", (9, 3), "player"),
        ("2D 6H 3S 2C", "2D 3S", "6H 2C", (5, 8), "banker"),
        ("AD 4H 7S 4C", "AD 7S", "4H 4C", (8, 8), "tie"),
        # player stands on 6-7; banker then draws on 0-5 and stands on 6-7
        ("6D 2H QS 3C 9H", "6D QS", "2H 3C 9H", (6, 4), "player"),
        ("7D 6H KS JC", "7D KS", "6H JC", (7, 6), "player"),
        ("3D 7H 3S KC", "3D 3S", "7H KC", (6, 7), "banker"),
        # player draws on 0-5, banker follows the third-card table
        ("2D 3H 3S KC 8H", "2D 3S 8H", "3H KC", (3, 3), "tie"),
        ("2D 3H 3S KC 9H AC", "2D 3S 9H", "3H KC AC", (4, 4), "tie"),
        ("KD 2H JS 2C AH", "KD JS AH", "2H 2C", (1, 4), "banker"),
        ("KD 2H JS 2C 2H 5C", "KD JS 2H", "2H 2C 5C", (2, 9), "banker"),
        ("KD 2H JS 2C 8H", "KD JS 8H", "2H 2C", (8, 4), "player"),
        ("AD 5H AS QC 3H", "AD AS 3H", "5H QC", (5, 5), "tie"),
        ("AD 5H AS QC 4H 4C", "AD AS 4H", "5H QC 4C", (6, 9), "banker"),
        ("AD 6H AS QC 5H", "AD AS 5H", "6H QC", (7, 6), "player"),
        ("AD 6H AS QC 6H 3D", "AD AS 6H", "6H QC 3D", (8, 9), "banker"),
        ("AD 6H AS QC 8H", "AD AS 8H", "6H QC", (0, 6), "banker"),
        ("AD 7H AS QC 6H", "AD AS 6H", "7H QC", (8, 7), "player"),
        ("2D KH 3S 2C 8H 7D", "2D 3S 8H", "KH 2C 7D", (3, 9), "banker"),
        ("KD KH QS QC JH JC", "KD QS JH", "KH QC JC", (0, 0), "tie"),
    ],
)  # fmt: skip
def test_baccarat_drawing_rules(cards, player, banker, totals, winner):
    outcome = baccarat(cards.split()).outcome
    assert outcome == {
        "playerCards": player.split(),
        "bankerCards": banker.split(),
        "playerTotal": totals[0],
        "bankerTotal": totals[1],
        "winner": winner,
    }


@pytest.mark.parametrize(
    ("cards", "side", "multiplier"),
    [
        (["4D", "KH", "5S", "3C"], "player", "2"),
        (["4D", "KH", "5S", "3C"], "banker", "0"),
        (["4D", "KH", "5S", "3C"], "tie", "0"),
        (["2D", "6H", "3S", "2C"], "banker", "1.95"),
        (["2D", "6H", "3S", "2C"], "player", "0"),
        (["AD", "4H", "7S", "4C"], "tie", "9"),
        (["AD", "4H", "7S", "4C"], "player", "1"),
        (["AD", "4H", "7S", "4C"], "banker", "1"),
    ],
)
def test_baccarat_pays_and_tie_returns_side_stakes(cards, side, multiplier):
    result = baccarat(cards, side, "2.5")
    assert result.multiplier == Decimal(multiplier)
    assert result.payout == Decimal("2.5") * Decimal(multiplier)


def test_verify_outcome_is_the_settled_outcome():
    params = {"risk": "medium", "rows": 12}
    settled = rules_for("plinko").settle(float_stream("s", "c", 9), params, Decimal("5"))
    assert verify_outcome("plinko", "s", "c", 9, params) == settled.outcome
    with pytest.raises(KeyError):
        verify_outcome("poker", "s", "c", 0, {})


BAD_PARAMS = [
    ("dice", {"target": "98.01", "condition": "under"}, "target"),
    ("dice", {"target": "1.99", "condition": "over"}, "target"),
    ("dice", {"target": "0", "condition": "under"}, "target"),
    ("dice", {"target": "50.001", "condition": "under"}, "target"),
    ("dice", {"target": "abc", "condition": "under"}, "target"),
    ("dice", {"target": "NaN", "condition": "under"}, "target"),
    ("dice", {"target": "50", "condition": "sideways"}, "condition"),
    ("dice", {"condition": "under"}, "target"),
    ("dice", {"target": "50", "condition": "under", "extra": 1}, "extra"),
    ("limbo", {"target": "1.00"}, "target"),
    ("limbo", {"target": "1000000.01"}, "target"),
    ("limbo", {"target": "2.001"}, "target"),
    ("limbo", {"target": "1E+400"}, "target"),
    ("coinflip", {"side": "edge"}, "side"),
    ("wheel", {"risk": "low", "segments": 15}, "segments"),
    ("wheel", {"risk": "extreme", "segments": 10}, "risk"),
    ("wheel", {"risk": "low", "segments": "10"}, "segments"),
    ("plinko", {"risk": "low", "rows": 7}, "rows"),
    ("plinko", {"risk": "low", "rows": 17}, "rows"),
    ("plinko", {"risk": "classic", "rows": 8}, "risk"),
    ("keno", {"risk": "classic", "picks": []}, "picks"),
    ("keno", {"risk": "classic", "picks": list(range(1, 12))}, "picks"),
    ("keno", {"risk": "classic", "picks": [1, 1]}, "picks"),
    ("keno", {"risk": "classic", "picks": [0, 41]}, "picks"),
    ("keno", {"risk": "extreme", "picks": [1]}, "risk"),
    ("baccarat", {"side": "dragon"}, "side"),
    ("baccarat", {}, "side"),
    ("roulette", {"bets": []}, "bets"),
    ("roulette", {}, "bets"),
]


@pytest.mark.parametrize(("game", "params", "field"), BAD_PARAMS)
def test_bad_params_are_refused_naming_the_field(game, params, field):
    with pytest.raises(ValidationError) as error:
        rules_for(game).settle(iter([0.5] * 20), params, Decimal(1))
    assert field in error.value.messages


BAD_CHIPS = [
    ({"type": "split", "numbers": [1, 5]}, "numbers"),
    ({"type": "split", "numbers": [3, 4]}, "numbers"),
    ({"type": "split", "numbers": [0, 4]}, "numbers"),
    ({"type": "street", "numbers": [2, 3, 4]}, "numbers"),
    ({"type": "corner", "numbers": [3, 4, 6, 7]}, "numbers"),
    ({"type": "line", "numbers": [1, 2, 3, 4, 5, 7]}, "numbers"),
    ({"type": "dozen", "numbers": list(range(1, 12))}, "numbers"),
    ({"type": "column", "numbers": list(range(1, 34, 3))}, "numbers"),
    ({"type": "straight", "numbers": [37]}, "numbers"),
    ({"type": "straight", "numbers": [1, 1]}, "numbers"),
    ({"type": "straight"}, "numbers"),
    ({"type": "red", "numbers": [1]}, "numbers"),
    ({"type": "basket", "numbers": [0, 1, 2, 3]}, "type"),
    ({"type": "red", "amount": "0"}, "amount"),
    ({"type": "red", "amount": "-1"}, "amount"),
    ({"type": "red", "amount": "0.000000001"}, "amount"),
    ({"type": "red", "amount": "1E+200"}, "amount"),
    ({"type": "red", "colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("chip", "field"), BAD_CHIPS)
def test_bad_roulette_chips_are_refused_naming_the_field(chip, field):
    with pytest.raises(ValidationError) as error:
        rules_for("roulette").stake(Decimal(1), {"bets": [{"amount": "1"} | chip]})
    assert field in error.value.messages["bets"][0]


@pytest.mark.parametrize(
    ("game", "params"),
    [
        ("dice", {"target": Decimal("50.5"), "condition": "over"}),
        ("limbo", {"target": "2.50"}),
        ("roulette", {"bets": [{"type": "split", "numbers": [0, 1], "amount": "0.10"}]}),
        ("keno", {"risk": "low", "picks": [40, 3]}),
    ],
)
def test_params_dump_as_json_and_load_again(game, params):
    schema = rules_for(game).params_schema()
    loaded = schema.load(params)
    dumped = schema.dump(loaded)
    assert schema.load(dumped) == loaded
    assert "Decimal" not in repr(dumped)
