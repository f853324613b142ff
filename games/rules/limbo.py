"""Limbo: result = floor(2²⁴ / (floor(f × 2²⁴) + 1) × 0.99 × 100) / 100; wins when ≥ target."""

from decimal import Decimal

from marshmallow import fields, validate

from games.rules.base import GameRules, ParamsSchema, max_places

SCALE = 2**24
MIN_TARGET = Decimal("1.01")
MAX_TARGET = Decimal("1000000")


def result_cents(f: float) -> int:
    """Return the result in hundredths, computed exactly in integers.

    Evaluating the formula in doubles instead gives one cent less in the 44 of 2²⁴ cases where
    2²⁴ × 99 / (k + 1) is a whole number; the exact value is the formula's.
    """
    k = int(f * SCALE)  # exact: f has 32 bits, so this keeps its first three bytes
    return SCALE * 99 // (k + 1)


class LimboParams(ParamsSchema):
    """Limbo params: a target multiplier of 1.01–1000000 with at most 2 decimal places."""

    target = fields.Decimal(
        required=True,
        as_string=True,
        validate=[validate.Range(MIN_TARGET, MAX_TARGET), max_places(2)],
    )


class Limbo(GameRules):
    """Limbo: one float; pays the target when the result reaches it."""

    name = "limbo"
    params_schema = LimboParams

    def play(self, floats, params):
        """Draw the result and pay the target if result ≥ target."""
        result = Decimal(result_cents(next(floats))).scaleb(-2)
        target = params["target"]
        return {"result": str(result)}, target if result >= target else Decimal(0)
