"""Blackjack rules over hand-built card streams: naturals, peeks, insurance, splits, doubles."""

import json
from decimal import Decimal
from itertools import islice

import pytest
from marshmallow import ValidationError

from games.fairness import RANKS, SUITS, card_from_float, float_stream
from games.rules import MULTI_STEP_GAMES, ActionError, rules_for, verify_outcome
from games.rules.blackjack_hands import total

BLACKJACK = MULTI_STEP_GAMES["blackjack"]


@pytest.fixture(autouse=True)
def clean_state():
    """Pure code: override the suite's database fixture, there is nothing to empty."""


def card(name):
    return (RANKS.index(name[:-1]) * 4 + SUITS.index(name[-1]) + 0.5) / 52


def checked(step):
    assert json.loads(json.dumps(step.state)) == step.state
    public = BLACKJACK.public_state(step.state)
    assert json.loads(json.dumps(public)) == public
    assert json.loads(json.dumps(step.used)) == step.used
    if step.settlement is not None:
        assert json.loads(json.dumps(step.settlement.outcome)) == step.settlement.outcome
        assert step.settlement.outcome == public
    return step


class Table:
    """One round over cards dealt player, dealer up, player, dealer hole, then draws."""

    def __init__(self, player1, up, player2, hole, *draws, amount="10"):
        floats = [card(name) for name in (player1, up, player2, hole, *draws)]
        self.floats_for = lambda: iter(floats)
        self.step = checked(BLACKJACK.open(self.floats_for, {}, Decimal(amount)))
        self.extras = []

    @property
    def state(self):
        return self.step.state

    @property
    def public(self):
        return BLACKJACK.public_state(self.state)

    @property
    def allowed(self):
        return BLACKJACK.allowed_actions(self.state)

    def __call__(self, action):
        self.extras.append(BLACKJACK.extra_stake(self.state, action, {}))
        self.step = checked(BLACKJACK.apply(self.floats_for, self.state, action, {}))
        return self.step

    @property
    def settlement(self):
        return self.step.settlement


def test_registry_and_totals():
    assert rules_for("blackjack") is BLACKJACK
    assert BLACKJACK.stake(Decimal(5), {}) == 5
    assert total(["AS", "6D"]) == (17, True)
    assert total(["AS", "6D", "10C"]) == (17, False)
    assert total(["AS", "AD"]) == (12, True)
    assert total(["KS", "QD", "2C"]) == (22, False)


def test_player_natural_pays_3_to_2_at_the_deal():
    table = Table("AS", "9D", "KH", "7C", amount="10")
    settlement = table.settlement
    assert settlement.payout == Decimal(25) and settlement.multiplier == Decimal("2.5")
    assert table.state["cursor"] == 4 and table.step.used == {"cards": ["AS", "9D", "KH", "7C"]}
    assert settlement.outcome["hands"][0]["result"] == "blackjack"
    assert settlement.outcome["dealer"]["cards"] == ["9D", "7C"]
    assert settlement.outcome["cards"] == ["AS", "9D", "KH", "7C"]
    assert table.allowed == []


def test_odd_stake_natural_pays_exactly():
    table = Table("AS", "9D", "KH", "7C", amount="0.00000001")
    assert table.settlement.payout == Decimal("0.000000025")


def test_both_naturals_push_on_the_ten_peek():
    table = Table("AS", "KD", "QH", "AC")
    assert table.settlement.payout == 10 and table.settlement.multiplier == 1
    assert table.settlement.outcome["hands"][0]["result"] == "push"
    assert table.settlement.outcome["dealer"] == {
        "cards": ["KD", "AC"], "total": 21, "soft": True, "blackjack": True
    }  # fmt: skip


def test_dealer_natural_on_the_ten_peek_beats_the_player():
    table = Table("10S", "10D", "9H", "AC")
    assert table.settlement.payout == 0 and table.settlement.multiplier == 0
    assert table.settlement.outcome["hands"][0]["result"] == "lose"


def test_ten_up_without_natural_lets_the_player_act_and_hides_the_hole():
    table = Table("10S", "QD", "6H", "7C", "4S")
    assert table.settlement is None
    assert table.allowed == ["hit", "stand", "double"]
    assert table.public["dealer"] == {"cards": ["QD"], "total": 10, "soft": False}
    assert table.public["insurance"]["offered"] is False
    assert "cards" not in table.public and "7C" not in json.dumps(table.public)
    step = table("hit")
    assert step.used == {"cards": ["4S"]} and step.settlement is None
    step = table("stand")
    assert step.used == {"cards": []}  # the dealer's 17 stands
    assert step.settlement.payout == 20
    assert step.settlement.outcome["dealer"]["cards"] == ["QD", "7C"]


def test_dealer_stands_on_soft_17():
    table = Table("10S", "6D", "8H", "AC")
    step = table("stand")
    assert step.used == {"cards": []}
    assert step.settlement.outcome["dealer"]["total"] == 17
    assert step.settlement.payout == 20


def test_dealer_hits_soft_16_and_16():
    table = Table("10S", "5D", "9H", "AC", "AD", "9S")
    step = table("stand")  # A5 soft 16 -> +A soft 17: stands
    assert step.used == {"cards": ["AD"]}
    assert step.settlement.outcome["dealer"]["cards"] == ["5D", "AC", "AD"]
    assert step.settlement.payout == 20
    table = Table("10S", "6D", "9H", "10C", "5S")
    step = table("stand")
    assert step.settlement.outcome["dealer"]["total"] == 21
    assert step.settlement.payout == 0


def test_dealer_bust_and_player_bust():
    table = Table("10S", "6D", "2H", "10C", "KS")
    step = table("stand")
    assert step.settlement.outcome["dealer"]["total"] == 26
    assert step.settlement.payout == 20
    table = Table("10S", "6D", "2H", "10C", "5D", "KS", "9C")
    table("hit")
    assert table.settlement is None and table.allowed == ["hit", "stand"]
    step = table("hit")
    assert step.used == {"cards": ["KS"]}  # every hand bust: the dealer does not draw
    assert step.settlement.payout == 0
    assert step.settlement.outcome["hands"][0]["status"] == "bust"
    assert step.settlement.outcome["dealer"]["cards"] == ["6D", "10C"]


def test_push():
    table = Table("10S", "8D", "8H", "10C")
    assert table("stand").settlement.payout == 10
    assert table.settlement.outcome["hands"][0]["result"] == "push"


def test_hitting_21_stands_automatically():
    table = Table("5S", "9D", "6H", "8C", "QS")
    step = table("hit")
    assert step.settlement.payout == 20


def test_double():
    table = Table("5S", "10D", "6H", "7C", "10S")
    assert table.allowed == ["hit", "stand", "double"]
    step = table("double")
    assert table.extras == [Decimal(10)]
    assert step.used == {"cards": ["10S"]}
    hand = step.settlement.outcome["hands"][0]
    assert hand["stake"] == "20" and hand["doubled"] and hand["total"] == 21
    assert step.settlement.payout == 40 and step.settlement.multiplier == 2
    assert step.settlement.outcome["staked"] == "20"


def test_double_stands_after_one_card_even_when_low():
    table = Table("2S", "10D", "3H", "7C", "2D")
    step = table("double")
    assert step.settlement.payout == 0 and step.settlement.outcome["staked"] == "20"
    assert step.settlement.outcome["hands"][0]["cards"] == ["2S", "3H", "2D"]


def test_double_only_on_two_cards():
    table = Table("2S", "10D", "3H", "7C", "2D", "2C")
    table("hit")
    with pytest.raises(ActionError) as error:
        table("double")
    assert error.value.allowed == ["hit", "stand"]


def test_split_aces_take_one_card_each_and_21_is_not_blackjack():
    table = Table("AS", "6D", "AD", "10C", "KH", "9S", "2C")
    assert table.allowed == ["hit", "stand", "double", "split"]
    step = table("split")
    assert table.extras == [Decimal(10)]
    assert step.used == {"cards": ["KH", "9S", "2C"]}
    outcome = step.settlement.outcome
    assert [h["cards"] for h in outcome["hands"]] == [["AS", "KH"], ["AD", "9S"]]
    assert [h["result"] for h in outcome["hands"]] == ["win", "win"]
    assert outcome["dealer"]["total"] == 18
    assert step.settlement.payout == 40 and step.settlement.multiplier == 2


def test_split_ten_and_ace_makes_21_paying_even_money():
    table = Table("KS", "7D", "KD", "10C", "AH", "5S")
    table("split")
    assert table.state["hands"][0]["status"] == "stood" and table.state["active"] == 1
    assert table.allowed == ["hit", "stand", "double"]  # split once
    step = table("stand")
    outcome = step.settlement.outcome
    assert [h["payout"] for h in outcome["hands"]] == ["20", "0"]
    assert step.settlement.payout == 20 and step.settlement.multiplier == 1


def test_double_after_split():
    table = Table("8S", "5D", "8D", "10C", "3H", "10S", "10D", "10H")
    step = table("split")
    assert step.used == {"cards": ["3H", "10S"]} and step.settlement is None
    assert table.public["activeHand"] == 0
    assert [h["total"] for h in table.public["hands"]] == [11, 18]
    assert table.allowed == ["hit", "stand", "double"]
    table("double")
    assert table.public["activeHand"] == 1
    step = table("stand")
    assert table.extras == [Decimal(10), Decimal(10), Decimal(0)]
    outcome = step.settlement.outcome
    assert outcome["dealer"]["cards"] == ["5D", "10C", "10H"]
    assert [(h["stake"], h["payout"]) for h in outcome["hands"]] == [("20", "40"), ("10", "20")]
    assert outcome["staked"] == "30"
    assert step.settlement.payout == 60 and step.settlement.multiplier == 2


def test_split_needs_the_same_rank():
    table = Table("10S", "5D", "KD", "10C")
    assert table.allowed == ["hit", "stand", "double"]
    with pytest.raises(ActionError) as error:
        table("split")
    assert error.value.allowed == ["hit", "stand", "double"]


def test_split_mixed_results_give_a_fractional_multiplier():
    table = Table("9S", "7D", "9D", "10C", "9H", "10H", "5C")
    table("split")
    table("stand")  # 18 vs 17 wins
    step = table("hit")  # 19 + 5 busts; dealer stands on 17
    assert step.settlement.payout == 20 and step.settlement.outcome["staked"] == "20"
    table = Table("9S", "7D", "9D", "10C", "9H", "10H", "5C", "8C")
    table("split")
    table("double")  # hand one 9S 9H = 18, doubled with 5C: 23 busts
    step = table("stand")
    assert step.settlement.payout == 20  # hand two 9+10 = 19 beats 17
    assert step.settlement.multiplier == Decimal("0.66666666")


def test_ace_up_offers_insurance_before_the_peek():
    table = Table("10S", "AD", "9H", "KC")
    assert table.settlement is None
    assert table.allowed == ["hit", "stand", "double", "insurance"]
    assert table.public["insurance"] == {
        "offered": True, "pending": True, "taken": False, "stake": None, "payout": None
    }  # fmt: skip
    assert table.public["dealer"]["cards"] == ["AD"]
    assert BLACKJACK.extra_stake(table.state, "insurance", {}) == Decimal(5)


def test_insurance_paid_on_dealer_blackjack():
    table = Table("10S", "AD", "9H", "KC")
    step = table("insurance")
    assert step.used == {"cards": []}
    outcome = step.settlement.outcome
    assert outcome["insurance"]["payout"] == "15" and outcome["hands"][0]["payout"] == "0"
    assert outcome["staked"] == "15"
    assert step.settlement.payout == 15 and step.settlement.multiplier == 1


def test_insurance_lost_and_play_continues():
    table = Table("10S", "AD", "9H", "7C", "2S")
    step = table("insurance")
    assert step.settlement is None and step.used == {"cards": []}
    assert table.allowed == ["hit", "stand", "double"]
    assert table.public["insurance"]["taken"] and table.public["insurance"]["stake"] == "5"
    assert table.public["dealer"]["cards"] == ["AD"]
    step = table("hit")  # 21 stands; dealer soft 18
    assert step.settlement.outcome["insurance"]["payout"] == "0"
    assert step.settlement.payout == 20
    assert step.settlement.multiplier == Decimal("1.33333333")


def test_declining_insurance_by_acting_then_dealer_blackjack_ends_before_the_action():
    table = Table("10S", "AD", "6H", "KC", "5S")
    step = table("hit")
    assert step.used == {"cards": []}
    assert step.settlement.payout == 0
    assert step.settlement.outcome["hands"][0]["cards"] == ["10S", "6H"]
    assert step.settlement.outcome["insurance"]["taken"] is False


def test_declined_double_against_dealer_blackjack_returns_the_double_stake():
    table = Table("5S", "AD", "6H", "KC", "10S")
    step = table("double")
    assert table.extras == [Decimal(10)]
    assert step.used == {"cards": []}
    outcome = step.settlement.outcome
    assert outcome["refund"] == "10" and outcome["staked"] == "20"
    assert outcome["hands"][0]["stake"] == "10" and not outcome["hands"][0]["doubled"]
    assert step.settlement.payout == 10 and step.settlement.multiplier == Decimal("0.5")


def test_declining_insurance_without_dealer_blackjack_applies_the_action():
    table = Table("8S", "AD", "8H", "6C", "3S", "10D", "4C")
    table("split")
    assert table.public["insurance"]["offered"] and not table.public["insurance"]["pending"]
    assert "insurance" not in table.allowed
    assert table.state["refund"] == "0"
    table("stand")
    step = table("stand")
    # dealer A6 is soft 17 and stands: 11 and 18
    assert [h["result"] for h in step.settlement.outcome["hands"]] == ["lose", "win"]
    assert step.settlement.payout == 20


@pytest.mark.parametrize("action", ["stand", "insurance"])
def test_player_natural_against_an_ace_offers_even_money(action):
    table = Table("AS", "AD", "KH", "7C")
    assert table.settlement is None
    assert table.allowed == ["stand", "insurance"]
    step = table(action)
    assert step.settlement.payout == 25
    assert step.settlement.outcome["hands"][0]["result"] == "blackjack"


def test_even_money_against_dealer_blackjack():
    table = Table("AS", "AD", "KH", "QC")
    step = table("insurance")
    assert step.settlement.payout == 25  # push 10 + insurance 5 × 3
    assert step.settlement.multiplier == Decimal("1.66666666")
    table = Table("AS", "AD", "KH", "QC")
    assert table("stand").settlement.payout == 10


def test_insurance_only_as_the_first_decision_and_only_on_an_ace():
    table = Table("10S", "AD", "2H", "7C", "3S", "4S")
    table("hit")
    with pytest.raises(ActionError) as error:
        table("insurance")
    assert error.value.allowed == ["hit", "stand"]
    table = Table("10S", "9D", "2H", "7C")
    with pytest.raises(ActionError):
        table("insurance")


def test_finished_rounds_allow_nothing():
    table = Table("AS", "9D", "KH", "7C")
    for action in ("hit", "stand", "double", "split", "insurance"):
        with pytest.raises(ActionError) as error:
            table(action)
        assert error.value.allowed == []
    with pytest.raises(ActionError):
        BLACKJACK.finish_idle(table.floats_for, table.state)
    with pytest.raises(ActionError):
        BLACKJACK.apply(table.floats_for, Table("10S", "9D", "2H", "7C").state, "surrender", {})


def test_finish_idle_stands_every_hand_and_plays_the_dealer():
    table = Table("8S", "6D", "8H", "10C", "3H", "10S", "5D")
    table("split")
    step = checked(BLACKJACK.finish_idle(table.floats_for, table.state))
    assert step.used == {"idle": True, "cards": ["5D"]}
    outcome = step.settlement.outcome
    assert outcome["dealer"]["cards"] == ["6D", "10C", "5D"]
    assert [h["status"] for h in outcome["hands"]] == ["stood", "stood"]
    assert step.settlement.payout == 0


def test_finish_idle_declines_pending_insurance():
    table = Table("10S", "AD", "9H", "KC")
    step = checked(BLACKJACK.finish_idle(table.floats_for, table.state))
    assert step.settlement.payout == 0 and not step.settlement.outcome["insurance"]["taken"]
    table = Table("10S", "AD", "9H", "6C", "4S")
    step = checked(BLACKJACK.finish_idle(table.floats_for, table.state))
    assert step.used == {"idle": True, "cards": []}  # soft 17
    assert step.settlement.payout == 20


def test_seeded_rounds_use_the_verified_cards_in_order():
    for nonce in range(40):
        floats_for = lambda n=nonce: float_stream("server", "client", n)  # noqa: E731
        step = checked(BLACKJACK.open(floats_for, {}, Decimal(1)))
        while step.settlement is None:
            allowed = BLACKJACK.allowed_actions(step.state)
            action = "hit" if "hit" in allowed and nonce % 2 else "stand"
            step = checked(BLACKJACK.apply(floats_for, step.state, action, {}))
        cards = step.state["cards"]
        assert step.state["cursor"] == len(cards)
        stream = islice(float_stream("server", "client", nonce), len(cards))
        assert cards == [card_from_float(f) for f in stream]
        verified = verify_outcome("blackjack", "server", "client", nonce, {})["cards"]
        assert len(verified) == 52 and verified[: len(cards)] == cards


def test_params_refused():
    with pytest.raises(ValidationError):
        BLACKJACK.open(lambda: iter([0.1] * 4), {"decks": 6}, Decimal(1))
