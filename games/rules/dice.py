"""Dice: roll = floor(f × 10001) / 100; under wins when roll < target, over when roll > target."""

from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from games.rules.base import GameRules, ParamsSchema, choice, max_places

MIN_CHANCE = Decimal("0.01")
MAX_CHANCE = Decimal("98")
HUNDRED = Decimal(100)


def win_chance(target: Decimal, condition: str) -> Decimal:
    """Return the win chance in percent: target under, 100 − target over."""
    return target if condition == "under" else HUNDRED - target


def payout_multiplier(chance: Decimal) -> Decimal:
    """Return 99 / chance truncated to 4 decimal places, in integer arithmetic."""
    hundredths = int(chance * 100)
    return Decimal(99_000_000 // hundredths).scaleb(-4)


class DiceParams(ParamsSchema):
    """Dice params: a 2-dp target and over/under, giving a win chance of 0.01–98%."""

    target = fields.Decimal(
        required=True,
        as_string=True,
        validate=[validate.Range(MIN_CHANCE, HUNDRED - MIN_CHANCE), max_places(2)],
    )
    condition = choice("over", "under")

    @validates_schema
    def check_chance(self, data, **kwargs):
        """Refuse targets whose win chance falls outside 0.01–98%."""
        chance = win_chance(data["target"], data["condition"])
        if not MIN_CHANCE <= chance <= MAX_CHANCE:
            raise ValidationError(
                f"Win chance must be {MIN_CHANCE}–{MAX_CHANCE}%; "
                f"{data['condition']} {data['target']} gives {chance}%.",
                field_name="target",
            )


class Dice(GameRules):
    """Dice: one float; a roll of 0.00–100.00 against the target."""

    name = "dice"
    params_schema = DiceParams

    def play(self, floats, params):
        """Roll and compare; a roll equal to the target loses either way."""
        roll = int(next(floats) * 10001)
        target = int(params["target"] * 100)
        won = roll < target if params["condition"] == "under" else roll > target
        chance = win_chance(params["target"], params["condition"])
        multiplier = payout_multiplier(chance) if won else Decimal(0)
        return {"roll": str(Decimal(roll).scaleb(-2))}, multiplier
