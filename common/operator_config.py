"""An operator's current config (games, currencies with limits, flags), read in one place."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from peewee import JOIN

from common.models import OperatorConfig, OperatorCurrency
from common.prepared import Prepared, converted

FEATURE_FLAGS = ("autoplay", "turbo", "chat", "soundDefault")
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class CurrencyLimits:
    min_bet: Decimal
    max_bet: Decimal
    max_win: Decimal | None = None


@dataclass(frozen=True)
class OperatorSettings:
    enabled_games: list = field(default_factory=list)
    currencies: dict = field(default_factory=dict)
    feature_flags: dict = field(default_factory=lambda: dict.fromkeys(FEATURE_FLAGS, False))
    demo_starting_balance: Decimal = Decimal(0)
    default_language: str = DEFAULT_LANGUAGE
    updated_at: datetime | None = None


# The config and its currencies in one query: one row per currency (or one of NULLs).
CONFIG_FIELDS = (
    OperatorConfig.enabled_games,
    OperatorConfig.feature_flags,
    OperatorConfig.demo_starting_balance,
    OperatorConfig.default_language,
    OperatorConfig.updated_at,
)
CURRENCY_FIELDS = (
    OperatorCurrency.code,
    OperatorCurrency.min_bet,
    OperatorCurrency.max_bet,
    OperatorCurrency.max_win,
)
CONFIG_WITH_CURRENCIES = Prepared(
    lambda operator_id: (
        OperatorConfig.select(*CONFIG_FIELDS, *CURRENCY_FIELDS)
        .join(
            OperatorCurrency,
            JOIN.LEFT_OUTER,
            on=(OperatorCurrency.operator == OperatorConfig.operator),
        )
        .where(OperatorConfig.operator == operator_id)
        .order_by(OperatorCurrency.code)
    )
)


def read_operator_config(operator_id):
    """The stored config of an operator; a config never set reads as empty."""
    rows = CONFIG_WITH_CURRENCIES.rows(operator_id)
    if not rows:
        return OperatorSettings()
    split = len(CONFIG_FIELDS)  # every row repeats the config: converted from the first only
    games, stored_flags, demo_balance, language, updated_at = converted(
        CONFIG_FIELDS, rows[0][:split]
    )
    currencies = {}
    for row in rows:
        if row[split] is not None:  # else the outer join found no currency
            code, min_bet, max_bet, max_win = converted(CURRENCY_FIELDS, row[split:])
            currencies[code] = CurrencyLimits(min_bet, max_bet, max_win)
    flags = {name: bool(stored_flags.get(name, False)) for name in FEATURE_FLAGS}
    return OperatorSettings(list(games), currencies, flags, demo_balance, language, updated_at)
