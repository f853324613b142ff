"""Baccarat (punto banco, infinite deck): player pays 2, banker 1.95, tie 9; ties push sides."""

from decimal import Decimal

from games.rules.base import GameRules, ParamsSchema, choice
from games.rules.cards import baccarat_total, baccarat_value, draw

PAYS = {"player": Decimal("2"), "banker": Decimal("1.95"), "tie": Decimal("9")}
PUSH = Decimal("1")
# Banker total -> player third-card points on which the banker draws.
BANKER_DRAWS_ON = {
    0: range(10),
    1: range(10),
    2: range(10),
    3: (0, 1, 2, 3, 4, 5, 6, 7, 9),
    4: (2, 3, 4, 5, 6, 7),
    5: (4, 5, 6, 7),
    6: (6, 7),
    7: (),
}


def player_draws(player_total: int) -> bool:
    """Return whether the player takes a third card (no natural on either side): 0–5."""
    return player_total <= 5


def banker_draws(banker_total: int, player_third: int | None) -> bool:
    """Return whether the banker draws, given the player's third-card points (None: stood)."""
    if player_third is None:
        return banker_total <= 5
    return player_third in BANKER_DRAWS_ON.get(banker_total, ())


def winner(player_total: int, banker_total: int) -> str:
    """Return "player", "banker" or "tie"."""
    if player_total == banker_total:
        return "tie"
    return "player" if player_total > banker_total else "banker"


def multiplier_for(side: str, result: str) -> Decimal:
    """Return the return per unit staked on `side`: a tie returns player and banker stakes."""
    if side == result:
        return PAYS[side]
    return PUSH if result == "tie" else Decimal(0)


class BaccaratParams(ParamsSchema):
    """Baccarat params: the side backed."""

    side = choice(*PAYS)


class Baccarat(GameRules):
    """Baccarat: cards P1 B1 P2 B2, then the player's third card, then the banker's."""

    name = "baccarat"
    params_schema = BaccaratParams

    def play(self, floats, params):
        """Deal, apply the drawing rules and pay the backed side."""
        first, second, third, fourth = (draw(floats) for _ in range(4))
        player, banker = [first, third], [second, fourth]
        if max(baccarat_total(player), baccarat_total(banker)) < 8:
            player_third = None
            if player_draws(baccarat_total(player)):
                player.append(draw(floats))
                player_third = baccarat_value(player[-1])
            if banker_draws(baccarat_total(banker), player_third):
                banker.append(draw(floats))
        player_total, banker_total = baccarat_total(player), baccarat_total(banker)
        result = winner(player_total, banker_total)
        outcome = {
            "playerCards": player,
            "bankerCards": banker,
            "playerTotal": player_total,
            "bankerTotal": banker_total,
            "winner": result,
        }
        return outcome, multiplier_for(params["side"], result)
