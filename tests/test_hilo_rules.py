"""Hilo rules: step multipliers for every rank (A and K too), play, skips, errors, idle rounds."""

import json
from decimal import Decimal
from fractions import Fraction
from itertools import islice

import pytest
from marshmallow import ValidationError

from games.fairness import RANKS, SUITS, card_from_float, float_stream
from games.rules import MULTI_STEP_GAMES, ActionError, rules_for, verify_outcome
from games.rules.hilo import choices, hilo_rank, is_correct, step_multiplier

HILO = MULTI_STEP_GAMES["hilo"]
ORDER = ["A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K"]


@pytest.fixture(autouse=True)
def clean_state():
    """Pure code: override the suite's database fixture, there is nothing to empty."""


def card(name):
    return (RANKS.index(name[:-1]) * 4 + SUITS.index(name[-1]) + 0.5) / 52


def stream(*cards):
    floats = [card(name) for name in cards]
    return lambda: iter(floats)


def checked(step):
    assert json.loads(json.dumps(step.state)) == step.state
    public = HILO.public_state(step.state)
    assert json.loads(json.dumps(public)) == public
    assert json.loads(json.dumps(step.used)) == step.used
    if step.settlement is not None:
        json.dumps(step.settlement.outcome)
    return step


class Round:
    """Plays one hilo round over a hand-built card stream, checking every step."""

    def __init__(self, *cards, amount="1"):
        self.floats_for = stream(*cards)
        self.step = checked(HILO.open(self.floats_for, {}, Decimal(amount)))

    @property
    def state(self):
        return self.step.state

    def __call__(self, action):
        self.step = checked(HILO.apply(self.floats_for, self.state, action, {}))
        return self.step


def test_registry_and_ranks():
    assert rules_for("hilo") is HILO
    assert HILO.stake(Decimal(3), {}) == 3
    assert [hilo_rank(r + "S") for r in ORDER] == list(range(1, 14))


@pytest.mark.parametrize("r", range(1, 14))
def test_choices_and_step_multipliers_for_every_rank(r):
    offered = choices(r)
    if r == 1:
        assert offered == {"higher": Fraction(12, 13), "same": Fraction(1, 13)}
    elif r == 13:
        assert offered == {"lower": Fraction(12, 13), "same": Fraction(1, 13)}
    else:
        assert offered == {"higher": Fraction(14 - r, 13), "lower": Fraction(r, 13)}
    for guess, chance in offered.items():
        assert step_multiplier(r, guess) == Fraction(99, 100) / chance
        winners = [n for n in range(1, 14) if is_correct(guess, r, n)]
        assert Fraction(len(winners), 13) == chance
        # RTP of one step: exactly 0.99.
        assert chance * step_multiplier(r, guess) == Fraction(99, 100)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [("AS", {"higher": "1.0725", "same": "12.87"}),
     ("KD", {"lower": "1.0725", "same": "12.87"}),
     ("2H", {"higher": "1.0725", "lower": "6.435"}),
     ("7C", {"higher": "1.83857142", "lower": "1.83857142"}),
     ("8C", {"higher": "2.145", "lower": "1.60875"}),
     ("QD", {"higher": "6.435", "lower": "1.0725"}),
     ("10H", {"higher": "3.2175", "lower": "1.287"})],
)  # fmt: skip
def test_public_step_multipliers(shown, expected):
    public = HILO.public_state(Round(shown).state)
    assert public["card"] == shown and public["multiplier"] == "1"
    assert {g: c["stepMultiplier"] for g, c in public["choices"].items()} == expected
    assert {g: c["multiplier"] for g, c in public["choices"].items()} == expected
    assert public["allowedActions"] == [*expected, "skip"]


@pytest.mark.parametrize(
    ("shown", "guess", "following", "correct"),
    [("7S", "higher", "7D", True), ("7S", "higher", "8D", True), ("7S", "higher", "6D", False),
     ("7S", "lower", "7H", True), ("7S", "lower", "AH", True), ("7S", "lower", "8H", False),
     ("AS", "higher", "2D", True), ("AS", "higher", "AD", False), ("AS", "same", "AC", True),
     ("AS", "same", "2C", False), ("KS", "lower", "QD", True), ("KS", "lower", "KD", False),
     ("KS", "same", "KH", True), ("KS", "same", "AH", False), ("2C", "lower", "AC", True),
     ("QC", "higher", "KC", True)],
)  # fmt: skip
def test_guesses_and_equality(shown, guess, following, correct):
    game = Round(shown, following, amount="2")
    step = game(guess)
    assert step.used == {"cards": [following]}
    assert step.state["history"] == [
        {"card": shown, "action": guess, "next": following, "correct": correct}
    ]
    assert step.state["cursor"] == 2
    if correct:
        assert step.settlement is None
        value = step_multiplier(hilo_rank(shown), guess)
        assert step.state["running"] == f"{value.numerator}/{value.denominator}"
        assert "cashout" in HILO.allowed_actions(step.state)
    else:
        assert step.settlement.payout == 0 and step.settlement.multiplier == 0
        assert step.settlement.outcome["result"] == "lost"
        assert step.settlement.outcome["cards"] == [shown, following]
        assert HILO.allowed_actions(step.state) == []


def test_a_chain_of_guesses_multiplies_exactly_and_cashes_out_rounded_down():
    game = Round("7S", "9D", "3C", "KH", "KD", amount="0.1")
    game("higher")
    game("lower")
    game("skip")
    game("same")
    running = (
        Fraction(99, 100)
        * Fraction(13, 7)
        * Fraction(99, 100)
        * Fraction(13, 9)
        * Fraction(99, 100)
        * 13
    )
    assert Fraction(game.state["running"]) == running
    public = HILO.public_state(game.state)
    multiplier = Decimal(int(running * 10**8)) / 10**8
    assert public["multiplier"] == str(multiplier.normalize())
    assert public["card"] == "KD" and public["cards"] == ["7S", "9D", "3C", "KH", "KD"]
    assert [entry["correct"] for entry in public["history"]] == [True, True, None, True]
    assert public["choices"]["same"]["multiplier"] == str(
        (Decimal(int(running * Fraction(1287, 100) * 10**8)) / 10**8).normalize()
    )
    step = game("cashout")
    assert step.used == {}
    assert step.settlement.multiplier == multiplier
    assert step.settlement.payout == Decimal("0.1") * multiplier
    assert step.settlement.outcome["end"] == "cashout"
    assert step.state["cursor"] == 5


def test_skip_changes_nothing_but_the_card():
    game = Round("5S", "JD", "2C", "2H")
    for expected in ("JD", "2C", "2H"):
        step = game("skip")
        assert step.settlement is None and step.used == {"cards": [expected]}
        assert step.state["running"] == "1/1" and step.state["correct"] == 0
        assert HILO.public_state(step.state)["card"] == expected
    assert "cashout" not in HILO.allowed_actions(game.state)
    assert game.state["cursor"] == 4


@pytest.mark.parametrize(
    ("shown", "action", "allowed"),
    [("AS", "lower", ["higher", "same", "skip"]), ("KS", "higher", ["lower", "same", "skip"]),
     ("7S", "same", ["higher", "lower", "skip"]), ("7S", "cashout", ["higher", "lower", "skip"]),
     ("7S", "reveal", ["higher", "lower", "skip"])],
)  # fmt: skip
def test_actions_not_allowed(shown, action, allowed):
    state = Round(shown, "5D").state
    with pytest.raises(ActionError) as error:
        HILO.apply(stream(shown, "5D"), state, action, {})
    assert error.value.allowed == allowed
    with pytest.raises(ActionError):
        HILO.extra_stake(state, action, {})
    assert HILO.extra_stake(state, "skip", {}) == 0


def test_finished_round_allows_nothing():
    game = Round("7S", "2D")
    game("higher")
    with pytest.raises(ActionError) as error:
        HILO.apply(game.floats_for, game.state, "skip", {})
    assert error.value.allowed == []
    with pytest.raises(ActionError):
        HILO.finish_idle(game.floats_for, game.state)


def test_idle_without_a_correct_guess_returns_the_stake():
    game = Round("7S", "9D", amount="4")
    game("skip")
    step = checked(HILO.finish_idle(game.floats_for, game.state))
    assert step.settlement.multiplier == 1 and step.settlement.payout == 4
    assert step.settlement.outcome["result"] == "refunded"
    assert step.used == {"idle": True}


def test_idle_after_a_correct_guess_cashes_out():
    game = Round("QS", "KD", amount="4")
    game("higher")
    step = checked(HILO.finish_idle(game.floats_for, game.state))
    assert step.settlement.multiplier == Decimal("6.435")
    assert step.settlement.payout == Decimal("25.74")
    assert step.settlement.outcome["end"] == "idle"


def test_seeded_round_draws_the_verified_cards_in_order():
    floats_for = lambda: float_stream("server", "client", 3)  # noqa: E731
    step = HILO.open(floats_for, {}, Decimal(1))
    for _ in range(60):
        step = checked(HILO.apply(floats_for, step.state, "skip", {}))
    cards = verify_outcome("hilo", "server", "client", 3, {})["cards"]
    assert len(cards) == 52 and step.state["cards"][:52] == cards
    expected = [card_from_float(f) for f in islice(float_stream("server", "client", 3), 61)]
    assert step.state["cards"] == expected


def test_params_refused():
    with pytest.raises(ValidationError):
        HILO.open(stream("5S"), {"extra": 1}, Decimal(1))
    with pytest.raises(ValidationError):
        verify_outcome("hilo", "s", "c", 0, {"x": 1})
