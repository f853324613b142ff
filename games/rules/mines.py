"""Mines: 1–24 mines on 25 tiles; each safe tile raises the multiplier, a mine loses the round.

Mine tiles are the first `mines` picks without replacement over the 25 tiles (the first `mines`
of the standard's 24 picks). After d safe tiles cashout pays 0.99 × C(25, d) / C(25 − mines, d),
rounded down to 8 decimal places. Revealing every safe tile cashes out automatically.
"""

from decimal import Decimal
from fractions import Fraction
from math import comb

from marshmallow import fields, validate

from games.fairness import MINE_TILES, pick_without_replacement
from games.rules.base import ParamsSchema, Settlement
from games.rules.multistep import (
    ActionError,
    MultiStepRules,
    Step,
    Stream,
    floor_places,
    text,
)

HOUSE = Fraction(99, 100)


def exact_multiplier(mines: int, safe: int) -> Fraction:
    """0.99 × C(25, safe) / C(25 − mines, safe): the fair multiplier after `safe` safe tiles."""
    if not 0 <= safe <= MINE_TILES - mines:
        raise ValueError(f"{safe} safe tiles is impossible with {mines} mines")
    return HOUSE * comb(MINE_TILES, safe) / comb(MINE_TILES - mines, safe)


def multiplier(mines: int, safe: int) -> Decimal:
    """The cashout multiplier after `safe` safe tiles: the exact one rounded down to 8 dp."""
    return floor_places(exact_multiplier(mines, safe))


class MinesParams(ParamsSchema):
    """Mines params: how many of the 25 tiles are mines."""

    mines = fields.Integer(required=True, strict=True, validate=validate.Range(1, MINE_TILES - 1))


class Mines(MultiStepRules):
    """Mines: the mines are fixed at open; actions `reveal {tile}` and `cashout`."""

    name = "mines"
    params_schema = MinesParams
    action_fields = {"reveal": {"tile"}}

    def open(self, floats_for, params, amount):
        """Place the mines (one float per mine)."""
        mines = self.load_params(params)["mines"]
        stream = Stream(floats_for)
        state = {
            "stake": text(amount),
            "mineCount": mines,
            "mineTiles": pick_without_replacement(stream, MINE_TILES, mines),
            "revealed": [],
            "cursor": stream.cursor,
            "finished": False,
            "result": None,
            "end": None,
            "hit": None,
            "multiplier": None,
            "payout": None,
        }
        return Step(state, None, {"floats": stream.cursor})

    def allowed_actions(self, state):
        """`reveal`, plus `cashout` once a safe tile is revealed; [] when finished."""
        if state["finished"]:
            return []
        return ["reveal", "cashout"] if state["revealed"] else ["reveal"]

    def act(self, stream, state, action, data):
        """Reveal a tile (a mine loses, the last safe tile wins) or cash out."""
        if action == "cashout":
            return self._settle(state, "won", "cashout"), {}
        tile = data.get("tile")
        if isinstance(tile, bool) or not isinstance(tile, int) or not 0 <= tile < MINE_TILES:
            raise ActionError(
                f"tile must be an integer 0..{MINE_TILES - 1}.", self.allowed_actions(state)
            )
        if tile in state["revealed"]:
            raise ActionError(f"Tile {tile} is already revealed.", self.allowed_actions(state))
        if tile in state["mineTiles"]:
            state["hit"] = tile
            return self._settle(state, "lost", "mine"), {"tile": tile, "safe": False}
        state["revealed"].append(tile)
        used = {"tile": tile, "safe": True}
        if len(state["revealed"]) == MINE_TILES - state["mineCount"]:
            return self._settle(state, "won", "cleared"), used
        return None, used

    def idle(self, stream, state):
        """Cash out what is won; with no safe tile yet, return the stake (multiplier 1)."""
        if state["revealed"]:
            return self._settle(state, "won", "idle"), {}
        return self._settle(state, "refunded", "idle"), {}

    def _settle(self, state: dict, result: str, end: str) -> Settlement:
        return self.finish(
            state, result, end, multiplier(state["mineCount"], len(state["revealed"]))
        )

    def public_state(self, state):
        """Revealed tiles and multipliers; the mines (in pick order) only once the round ended."""
        mines, safe = state["mineCount"], len(state["revealed"])
        public = {
            "mineCount": mines,
            "stake": state["stake"],
            "revealed": list(state["revealed"]),
            "finished": state["finished"],
            "allowedActions": self.allowed_actions(state),
        }
        if state["finished"]:
            public.update(
                mines=list(state["mineTiles"]),
                hit=state["hit"],
                result=state["result"],
                end=state["end"],
                multiplier=state["multiplier"],
                payout=state["payout"],
            )
            return public
        public["multiplier"] = text(multiplier(mines, safe)) if safe else None
        public["nextMultiplier"] = text(multiplier(mines, safe + 1))
        return public

    def verify(self, floats, params):
        """The mine tiles in pick order."""
        mines = self.load_params(params)["mines"]
        return {"mines": pick_without_replacement(floats, MINE_TILES, mines)}
