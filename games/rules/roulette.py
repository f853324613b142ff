"""European roulette: pocket = floor(f × 37); chips on inside and outside bets, summed."""

from decimal import ROUND_DOWN, Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from games.rules.base import EXACT, GameRules, ParamsSchema, Settlement, choice, max_places

POCKETS = 37
MAX_BETS = 200
RED = frozenset({1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36})
NUMBERS = frozenset(range(1, POCKETS))
MULTIPLIER_STEP = Decimal("0.00000001")
MAX_CHIP = Decimal(10) ** 14  # amounts have at most 14 integer digits


def _sets(*groups) -> frozenset[frozenset[int]]:
    return frozenset(frozenset(group) for group in groups)


# Inside and dozen/column bets name their numbers; each must be one of these sets.
NUMBER_SETS = {
    "straight": _sets(*([n] for n in range(POCKETS))),
    "split": _sets(
        *([n, n + 1] for n in range(1, 36) if n % 3),
        *([n, n + 3] for n in range(1, 34)),
        [0, 1],
        [0, 2],
        [0, 3],
    ),
    "street": _sets(*(range(n, n + 3) for n in range(1, 37, 3)), [0, 1, 2], [0, 2, 3]),
    "corner": _sets(*([n, n + 1, n + 3, n + 4] for n in range(1, 33) if n % 3), [0, 1, 2, 3]),
    "line": _sets(*(range(n, n + 6) for n in range(1, 32, 3))),
    "dozen": _sets(*(range(n, n + 12) for n in (1, 13, 25))),
    "column": _sets(*(range(n, 37, 3) for n in (1, 2, 3))),
}
# Even-money bets carry no numbers.
OUTSIDE = {
    "red": RED,
    "black": NUMBERS - RED,
    "odd": frozenset(n for n in NUMBERS if n % 2),
    "even": frozenset(n for n in NUMBERS if not n % 2),
    "low": frozenset(range(1, 19)),
    "high": frozenset(range(19, 37)),
}
PAYS = {
    "straight": Decimal(36),
    "split": Decimal(18),
    "street": Decimal(12),
    "corner": Decimal(9),
    "line": Decimal(6),
    "dozen": Decimal(3),
    "column": Decimal(3),
    **dict.fromkeys(OUTSIDE, Decimal(2)),
}


def covered(bet: dict) -> frozenset[int]:
    """Return the pockets a loaded bet wins on (0 is on no outside bet)."""
    return OUTSIDE.get(bet["type"]) or frozenset(bet["numbers"])


class RouletteBetSchema(ParamsSchema):
    """One chip: bet type, its numbers (inside, dozen and column bets) and amount."""

    type = choice(*PAYS)
    numbers = fields.List(fields.Integer(strict=True, validate=validate.Range(0, POCKETS - 1)))
    amount = fields.Decimal(
        required=True,
        as_string=True,
        validate=[
            validate.Range(0, MAX_CHIP, min_inclusive=False, max_inclusive=False),
            max_places(8),
        ],
    )

    @validates_schema
    def check_numbers(self, data, **kwargs):
        """Refuse numbers that do not form one of the bet type's sets."""
        kind, numbers = data["type"], data.get("numbers")
        if kind in OUTSIDE:
            if numbers is not None:
                raise ValidationError(f"A {kind} bet takes no numbers.", field_name="numbers")
            return
        if numbers is None:
            raise ValidationError(f"A {kind} bet needs numbers.", field_name="numbers")
        if len(set(numbers)) != len(numbers) or frozenset(numbers) not in NUMBER_SETS[kind]:
            raise ValidationError(f"{sorted(numbers)} is not a valid {kind}.", field_name="numbers")


class RouletteParams(ParamsSchema):
    """Roulette params: 1–200 chips."""

    bets = fields.List(
        fields.Nested(RouletteBetSchema),
        required=True,
        validate=validate.Length(1, MAX_BETS),
    )


def total_staked(bets: list[dict]) -> Decimal:
    """Return the exact sum of the chips."""
    total = Decimal(0)
    for bet in bets:
        total = EXACT.add(total, bet["amount"])
    return total


def trimmed(value: Decimal) -> Decimal:
    """Return `value` without trailing fractional zeros, never in exponent notation."""
    text = format(value, "f")
    return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)


class Roulette(GameRules):
    """Roulette: one float; every chip settles against the same pocket."""

    name = "roulette"
    params_schema = RouletteParams

    def stake(self, amount, params):
        """Return the chips' sum, which must equal the bet amount."""
        total = total_staked(self.load_params(params)["bets"])
        if total != amount:
            raise ValueError(
                f"amount {amount} must equal the sum of the chips in params.bets ({total})"
            )
        return total

    def settle(self, floats, params, amount):
        """Spin and pay every chip covering the pocket; `amount` is the chips' sum."""
        bets = self.load_params(params)["bets"]
        pocket = int(next(floats) * POCKETS)
        payout = Decimal(0)
        for bet in bets:
            if pocket in covered(bet):
                payout = EXACT.add(payout, EXACT.multiply(bet["amount"], PAYS[bet["type"]]))
        ratio = (payout / total_staked(bets)).quantize(MULTIPLIER_STEP, rounding=ROUND_DOWN)
        return Settlement({"pocket": pocket}, trimmed(ratio), payout)
