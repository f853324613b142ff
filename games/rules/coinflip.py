"""Coinflip: f ≤ 0.5 is tails, otherwise heads; the called side pays 1.98."""

from decimal import Decimal

from games.rules.base import GameRules, ParamsSchema, choice

PAYS = Decimal("1.98")


class CoinflipParams(ParamsSchema):
    """Coinflip params: the side called."""

    side = choice("heads", "tails")


class Coinflip(GameRules):
    """Coinflip: one float."""

    name = "coinflip"
    params_schema = CoinflipParams

    def play(self, floats, params):
        """Flip and pay 1.98 when the called side lands."""
        side = "tails" if next(floats) <= 0.5 else "heads"
        return {"side": side}, PAYS if side == params["side"] else Decimal(0)
