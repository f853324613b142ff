"""Money amounts: parsed from and formatted to decimal strings, never floats."""

import re
from decimal import Context, Decimal, InvalidOperation

MAX_PLACES = 18
MAX_INTEGER_DIGITS = 14
# Wide enough for every amount we store (14 + 18 digits): the default 28 digits would round.
MONEY_CONTEXT = Context(prec=64)


# ASCII digits only: Decimal() alone would also take "1_000", "+5", "1e3" and other scripts' digits.
DECIMAL_STRING = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


class AmountError(ValueError):
    """A value that is not an acceptable amount of money; the message says why."""


def parse_amount(value, max_places=MAX_PLACES):
    """Return `value` (a decimal string, int or Decimal) as a finite Decimal, or raise."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise AmountError('Must be a decimal string such as "0.5".')
    if isinstance(value, str) and not DECIMAL_STRING.match(value):
        raise AmountError('Not a plain decimal number such as "12.5".')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise AmountError("Not a valid decimal number.") from None
    if not amount.is_finite():
        raise AmountError("Must be a finite number.")
    places = -amount.as_tuple().exponent if amount.as_tuple().exponent < 0 else 0
    if places > max_places:
        raise AmountError(f"At most {max_places} decimal places are allowed.")
    # copy_abs, not abs(): abs() rounds to the context's 28 digits (99999999999999.99...9 -> 1E+14).
    if amount.copy_abs() >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise AmountError(f"At most {MAX_INTEGER_DIGITS} digits before the decimal point.")
    return amount


def format_amount(amount):
    """Plain decimal notation without trailing zeros: Decimal('1E+2') -> '100'."""
    if amount is None:
        return None
    text = format(normalize_amount(Decimal(amount)), "f")
    return "0" if text in ("-0", "0") else text


def normalize_amount(amount):
    """`amount` without trailing zeros, never rounded (Decimal.normalize rounds to 28 digits)."""
    return amount.normalize(MONEY_CONTEXT)
