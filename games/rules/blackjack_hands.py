"""Blackjack hands: point totals, the dealer's drawing, and what each finished hand returns."""

from decimal import Decimal

from games.rules.cards import FACE_RANKS, draw, rank
from games.rules.multistep import Stream

BLACKJACK = 21
DEALER_STANDS = 17
ACE_BONUS = 10
# Return per unit a hand staked, by result.
RETURNS = {
    "blackjack": Decimal("2.5"),
    "win": Decimal(2),
    "push": Decimal(1),
    "lose": Decimal(0),
}


def card_points(card: str) -> int:
    """A card's points with aces low: A = 1, 2–10 face value, J Q K 10."""
    card_rank = rank(card)
    if card_rank == "A":
        return 1
    return 10 if card_rank in FACE_RANKS else int(card_rank)


def is_ten(card: str) -> bool:
    """Whether a card is worth 10 (10, J, Q, K)."""
    return rank(card) in FACE_RANKS


def total(cards: list[str]) -> tuple[int, bool]:
    """The best total and whether it is soft (an ace counted as 11)."""
    points = sum(card_points(card) for card in cards)
    if any(rank(card) == "A" for card in cards) and points + ACE_BONUS <= BLACKJACK:
        return points + ACE_BONUS, True
    return points, False


def points(cards: list[str]) -> int:
    """The best total."""
    return total(cards)[0]


def is_natural(cards: list[str]) -> bool:
    """Two cards making 21 (a blackjack only for an unsplit hand)."""
    return len(cards) == 2 and points(cards) == BLACKJACK


def new_hand(cards: list[str], stake: str, split: bool = False) -> dict:
    """A player hand as stored in the state."""
    return {
        "cards": cards,
        "stake": stake,
        "doubled": False,
        "split": split,
        "status": "playing",
        "result": None,
        "payout": None,
    }


def dealer_draws(dealer: list[str], stream: Stream) -> list[str]:
    """Draw for the dealer until 17 or more (standing on soft 17); return the cards drawn."""
    drawn = []
    while points(dealer) < DEALER_STANDS:
        drawn.append(draw(stream))
        dealer.append(drawn[-1])
    return drawn


def hand_result(hand: dict, dealer: list[str]) -> str:
    """A finished hand's result against the dealer's final cards."""
    natural = hand["status"] == "blackjack"
    if is_natural(dealer):
        return "push" if natural else "lose"
    if natural:
        return "blackjack"
    player = points(hand["cards"])
    if player > BLACKJACK:
        return "lose"
    dealer_points = points(dealer)
    if dealer_points > BLACKJACK or player > dealer_points:
        return "win"
    return "push" if player == dealer_points else "lose"


def public_hand(hand: dict) -> dict:
    """A hand as the player sees it: cards, total, stake, status and, once settled, result."""
    hand_total, soft = total(hand["cards"])
    return {
        "cards": list(hand["cards"]),
        "total": hand_total,
        "soft": soft,
        "stake": hand["stake"],
        "doubled": hand["doubled"],
        "split": hand["split"],
        "status": hand["status"],
        "result": hand["result"],
        "payout": hand["payout"],
    }


def public_table(state: dict, allowed: list[str]) -> dict:
    """What the player sees: hands, the dealer's up card (every card once over), insurance."""
    finished = state["finished"]
    dealer = list(state["dealer"]) if finished else state["dealer"][:1]
    dealer_total, soft = total(dealer)
    public = {
        "stake": state["stake"],
        "staked": state["staked"],
        "hands": [public_hand(hand) for hand in state["hands"]],
        "activeHand": state["active"],
        "dealer": {"cards": dealer, "total": dealer_total, "soft": soft},
        "insurance": {
            "offered": state["insurance"] is not None,
            "pending": state["insurance"] == "offered",
            "taken": state["insurance"] == "taken",
            "stake": state["insuranceStake"],
            "payout": state["insurancePayout"],
        },
        "finished": finished,
        "allowedActions": allowed,
    }
    if finished:
        public["dealer"]["blackjack"] = is_natural(dealer)
        public.update(
            cards=list(state["cards"]),
            refund=state["refund"],
            payout=state["payout"],
            multiplier=state["multiplier"],
        )
    return public
