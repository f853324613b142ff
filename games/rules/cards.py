"""Card helpers shared by the card games: drawing from the float stream and point values."""

from collections.abc import Iterator

from games.fairness import card_from_float

FACE_RANKS = frozenset({"10", "J", "Q", "K"})


def draw(floats: Iterator[float]) -> str:
    """Take the next card of the infinite deck from the float stream."""
    return card_from_float(next(floats))


def rank(card: str) -> str:
    """Return a card's rank: "10" for "10H", "A" for "AC"."""
    return card[:-1]


def baccarat_value(card: str) -> int:
    """Return a card's baccarat points: A = 1, 2–9 face value, 10 and pictures 0."""
    card_rank = rank(card)
    if card_rank == "A":
        return 1
    if card_rank in FACE_RANKS:
        return 0
    return int(card_rank)


def baccarat_total(cards: list[str]) -> int:
    """Return a baccarat hand's total: the points modulo 10."""
    return sum(baccarat_value(card) for card in cards) % 10
