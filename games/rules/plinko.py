"""Plinko: one float per row, floor(f × 2) = 1 bounces right; slot = number of right bounces."""

from marshmallow import fields, validate

from games.rules import tables
from games.rules.base import GameRules, ParamsSchema, choice

MIN_ROWS = 8
MAX_ROWS = 16


class PlinkoParams(ParamsSchema):
    """Plinko params: risk level and 8–16 rows."""

    risk = choice(*tables.risks("plinko"))
    rows = fields.Integer(required=True, strict=True, validate=validate.Range(MIN_ROWS, MAX_ROWS))


class Plinko(GameRules):
    """Plinko: `rows` floats."""

    name = "plinko"
    params_schema = PlinkoParams

    def play(self, floats, params):
        """Drop the ball row by row and pay the slot's multiplier."""
        rows = params["rows"]
        path = [int(next(floats) * 2) for _ in range(rows)]
        slot = sum(path)
        multiplier = tables.table("plinko", params["risk"], rows)[slot]
        return {"path": path, "slot": slot}, multiplier
