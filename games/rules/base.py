"""The game-rules protocol, the Settlement it returns and shared parameter fields."""

import decimal
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, validate

# Payouts must be exact: 100 digits hold any amount × multiplier, and Inexact would raise.
EXACT = decimal.Context(prec=100, traps=[decimal.Inexact, decimal.InvalidOperation])


@dataclass(frozen=True)
class Settlement:
    """One round's result: the outcome shown to players, return per unit staked, exact payout."""

    outcome: dict
    multiplier: Decimal
    payout: Decimal


class ParamsSchema(Schema):
    """Base for game parameter schemas: unknown keys are refused."""

    class Meta:
        unknown = RAISE


@cache
def shared_schema(schema: type[Schema]) -> Schema:
    """One instance of a params schema, reused: a load or dump keeps no state in the instance,
    and building one costs about as much as loading a bet's params with it."""
    return schema()


def max_places(places: int):
    """Return a validator refusing Decimals with more than `places` decimal places."""

    def check(value: Decimal) -> None:
        # as_tuple, not quantize: quantize raises on values wider than the context precision.
        _, digits, exponent = value.as_tuple()
        extra = -places - exponent
        if extra > 0 and any(digits[-extra:]):
            raise ValidationError(f"At most {places} decimal places.")

    return check


def choice(*options: str) -> fields.String:
    """A required string field limited to `options`."""
    return fields.String(required=True, validate=validate.OneOf(options))


def integer_choice(*options: int) -> fields.Integer:
    """A required strict integer field limited to `options`."""
    return fields.Integer(required=True, strict=True, validate=validate.OneOf(options))


def exact_payout(amount: Decimal, multiplier: Decimal) -> Decimal:
    """Return amount × multiplier with no rounding."""
    return EXACT.multiply(amount, multiplier)


class GameRules:
    """A single-round game: validates params, states the stake and settles from floats.

    `stake` and `settle` accept raw params or already loaded ones (loading is idempotent).
    """

    name: ClassVar[str]
    params_schema: ClassVar[type[Schema]]

    def params(self) -> Schema:
        """The game's params schema (one shared instance)."""
        return shared_schema(self.params_schema)

    def load_params(self, params: dict) -> dict[str, Any]:
        """Validate params (marshmallow ValidationError naming the field) and load them."""
        return self.params().load(params)

    def stake(self, amount: Decimal, params: dict) -> Decimal:
        """Return the total staked: the bet amount for every game but roulette."""
        self.load_params(params)
        return amount

    def settle(self, floats: Iterator[float], params: dict, amount: Decimal) -> Settlement:
        """Play the round from the start of its float stream and settle `amount`."""
        outcome, multiplier = self.play(floats, self.load_params(params))
        return Settlement(outcome, multiplier, exact_payout(amount, multiplier))

    def play(self, floats: Iterator[float], params: dict) -> tuple[dict, Decimal]:
        """Return the outcome and the multiplier for loaded params."""
        raise NotImplementedError
