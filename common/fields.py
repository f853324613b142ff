"""Custom peewee fields: exact money and JSON stored as text."""

import json
from decimal import Decimal

from peewee import Field, TextField

from common.money import format_amount, normalize_amount

# MONEY is mapped per backend in common.db: TEXT on SQLite (which has no exact decimal type and
# would turn a NUMERIC column into a float), NUMERIC(32, 18) on PostgreSQL.
MONEY_COLUMN_TYPES = {"sqlite": "TEXT", "postgresql": "NUMERIC(32, 18)"}


class MoneyField(Field):
    """A Decimal stored exactly: 14 integer digits and 18 decimal places round-trip."""

    field_type = "MONEY"

    def db_value(self, value):
        return None if value is None else format_amount(Decimal(value))

    def python_value(self, value):
        return None if value is None else normalize_amount(Decimal(str(value)))


def _encode_decimal(value):
    if isinstance(value, Decimal):
        return format_amount(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dump_json(value):
    """Canonical JSON text; Decimals become decimal strings (never floats)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_encode_decimal)


def as_stored_json(value):
    """`value` exactly as a JSONTextField will read it back."""
    return json.loads(dump_json(value))


class JSONTextField(TextField):
    """A JSON document in a text column, the same on both backends."""

    def db_value(self, value):
        return None if value is None else dump_json(value)

    def python_value(self, value):
        return None if value is None else json.loads(value)
