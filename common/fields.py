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


class JSONTextField(TextField):
    """A JSON document in a text column, the same on both backends."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))

    def python_value(self, value):
        return None if value is None else json.loads(value)
