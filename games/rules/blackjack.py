"""Blackjack (infinite deck) against a dealer who peeks on A/10 and stands on all 17s.

Cards come from the stream in order: player, dealer (up), player, dealer (hole), then every later
draw in the order it happens (a split deals the first hand's second card, then the second's).
Blackjack pays 3:2 (returns 2.5 × stake). Double on any first two cards (one card, then stand);
split once on two cards of the same rank, double after split allowed; split aces take one card
each and stand; 21 after a split is not a blackjack. A hand reaching 21 stands automatically.
Insurance (half the stake, rounded down to 8 decimal places like every stake; pays 2:1) is offered
on an ace up card: the first action is either `insurance` or any other action, which declines it;
the dealer peeks after that decision, and a dealer blackjack then ends the round before the
declining action applies (a double or split stake already collected for it is returned). On a
10-value up card the dealer peeks at the deal.
The dealer draws only if some player hand has not bust. No surrender.
"""

from decimal import Decimal
from fractions import Fraction

from games.rules.base import EXACT, ParamsSchema, Settlement
from games.rules.blackjack_hands import (
    BLACKJACK,
    RETURNS,
    dealer_draws,
    hand_result,
    is_natural,
    new_hand,
    points,
    public_table,
)
from games.rules.cards import draw, rank
from games.rules.multistep import MultiStepRules, Step, Stream, floor_places, ratio, text

VERIFY_CARDS = 52
INSURANCE_RETURN = Decimal(3)


class BlackjackParams(ParamsSchema):
    """Blackjack has no params."""


class Blackjack(MultiStepRules):
    """Blackjack: one hand dealt, up to two after a split, played in order."""

    name = "blackjack"
    params_schema = BlackjackParams

    def open(self, floats_for, params, amount):
        """Deal; settle at once on naturals unless insurance is to be offered first."""
        self.load_params(params)
        stream = Stream(floats_for)
        cards = [draw(stream) for _ in range(4)]
        stake = text(amount)
        hand = new_hand([cards[0], cards[2]], stake)
        if is_natural(hand["cards"]):
            hand["status"] = "blackjack"
        state = {
            "stake": stake,
            "staked": stake,
            "cursor": 0,
            "cards": list(cards),
            "dealer": [cards[1], cards[3]],
            "hands": [hand],
            "active": 0,
            "insurance": "offered" if rank(cards[1]) == "A" else None,
            "insuranceStake": None,
            "insurancePayout": None,
            "refund": "0",
            "finished": False,
            "payout": None,
            "multiplier": None,
        }
        settlement = None
        if state["insurance"] is None:
            settlement = self._peek(state)
        state["cursor"] = stream.cursor
        return Step(state, settlement, {"cards": cards})

    def allowed_actions(self, state):
        """Actions for the active hand, plus `insurance` while it is offered."""
        if state["finished"]:
            return []
        hand = state["hands"][state["active"]]
        cards = hand["cards"]
        if hand["status"] == "blackjack":
            actions = ["stand"]
        else:
            actions = ["hit", "stand"]
            if len(cards) == 2:
                actions.append("double")
                if len(state["hands"]) == 1 and rank(cards[0]) == rank(cards[1]):
                    actions.append("split")
        if state["insurance"] == "offered":
            actions.append("insurance")
        return actions

    def extra_stake(self, state, action, data):
        """Double: the hand's stake; split: the stake; insurance: half the stake; else 0."""
        self.check_action(state, action, data)
        return self._extra(state, action)

    def _extra(self, state: dict, action: str) -> Decimal:
        if action == "double":
            return Decimal(state["hands"][state["active"]]["stake"])
        if action == "split":
            return Decimal(state["stake"])
        if action == "insurance":
            # A stake sent to the wallet has at most 8 decimal places: half of 0.00000003 is
            # 0.00000001, not 0.000000015.
            return floor_places(Fraction(state["stake"]) / 2)
        return Decimal(0)

    def act(self, stream, state, action, data):
        """Apply the action; the cards it drew (the dealer's included) are logged."""
        before = len(state["cards"])
        settlement = self._act(stream, state, action)
        return settlement, {"cards": state["cards"][before:]}

    def idle(self, stream, state):
        """Stand every remaining hand (declining insurance) and play the dealer out."""
        before, settlement = len(state["cards"]), None
        while settlement is None:
            settlement = self._act(stream, state, "stand")
        return settlement, {"cards": state["cards"][before:]}

    def _act(self, stream: Stream, state: dict, action: str) -> Settlement | None:
        extra = self._extra(state, action)
        state["staked"] = text(EXACT.add(Decimal(state["staked"]), extra))
        if state["insurance"] == "offered":
            state["insurance"] = "taken" if action == "insurance" else "declined"
            if action == "insurance":
                state["insuranceStake"] = text(extra)
            elif is_natural(state["dealer"]):
                state["refund"] = text(extra)
            settlement = self._peek(state)
            if settlement is not None or action == "insurance":
                return settlement
        hand = state["hands"][state["active"]]
        if action == "hit":
            self._hit(stream, state, hand)
        elif action == "stand":
            hand["status"] = "stood"
        elif action == "double":
            hand["stake"] = text(EXACT.add(Decimal(hand["stake"]), extra))
            hand["doubled"] = True
            self._hit(stream, state, hand)
            if hand["status"] == "playing":
                hand["status"] = "stood"
        else:
            self._split(stream, state, hand)
        return self._advance(stream, state)

    def _draw(self, stream: Stream, state: dict) -> str:
        card = draw(stream)
        state["cards"].append(card)
        return card

    def _hit(self, stream: Stream, state: dict, hand: dict) -> None:
        hand["cards"].append(self._draw(stream, state))
        hand_points = points(hand["cards"])
        if hand_points > BLACKJACK:
            hand["status"] = "bust"
        elif hand_points == BLACKJACK:
            hand["status"] = "stood"

    def _split(self, stream: Stream, state: dict, hand: dict) -> None:
        aces = rank(hand["cards"][0]) == "A"
        state["hands"] = [new_hand([card], hand["stake"], split=True) for card in hand["cards"]]
        for split_hand in state["hands"]:
            self._hit(stream, state, split_hand)
            if aces:
                split_hand["status"] = "stood"

    def _peek(self, state: dict) -> Settlement | None:
        """Settle on a dealer blackjack or a player natural; else the player acts."""
        if is_natural(state["dealer"]) or state["hands"][0]["status"] == "blackjack":
            return self._settle(state)
        return None

    def _advance(self, stream: Stream, state: dict) -> Settlement | None:
        """Move to the next hand still playing; with none left the dealer plays and it settles."""
        for index, hand in enumerate(state["hands"]):
            if hand["status"] == "playing":
                state["active"] = index
                return None
        if any(hand["status"] != "bust" for hand in state["hands"]):
            state["cards"].extend(dealer_draws(state["dealer"], stream))
        return self._settle(state)

    def _settle(self, state: dict) -> Settlement:
        dealer = state["dealer"]
        payout = Decimal(state["refund"])
        for hand in state["hands"]:
            hand["result"] = hand_result(hand, dealer)
            hand_payout = EXACT.multiply(Decimal(hand["stake"]), RETURNS[hand["result"]])
            hand["payout"] = text(hand_payout)
            payout = EXACT.add(payout, hand_payout)
        if state["insurance"] == "taken":
            won = INSURANCE_RETURN if is_natural(dealer) else Decimal(0)
            insurance = EXACT.multiply(Decimal(state["insuranceStake"]), won)
            state["insurancePayout"] = text(insurance)
            payout = EXACT.add(payout, insurance)
        multiplier = ratio(payout, Decimal(state["staked"]))
        state.update(finished=True, active=None, payout=text(payout), multiplier=text(multiplier))
        return Settlement(self.public_state(state), multiplier, payout)

    def public_state(self, state):
        """The hands, the dealer's up card (all dealer cards once over), insurance, actions."""
        return public_table(state, self.allowed_actions(state))

    def verify(self, floats, params):
        """The first 52 cards of the stream."""
        self.load_params(params)
        return {"cards": [draw(floats) for _ in range(VERIFY_CARDS)]}
