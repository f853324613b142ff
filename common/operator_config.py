"""An operator's current config (games, currencies with limits, flags), read in one place."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from common.models import OperatorConfig, OperatorCurrency
from common.prepared import Prepared

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


CONFIG = Prepared(
    lambda operator_id: OperatorConfig.select().where(OperatorConfig.operator == operator_id)
)
CURRENCIES = Prepared(
    lambda operator_id: (
        OperatorCurrency.select()
        .where(OperatorCurrency.operator == operator_id)
        .order_by(OperatorCurrency.code)
    )
)


def read_operator_config(operator_id):
    """The stored config of an operator; a config never set reads as empty."""
    row = CONFIG.first(operator_id)
    if row is None:
        return OperatorSettings()
    currencies = {
        c.code: CurrencyLimits(c.min_bet, c.max_bet, c.max_win)
        for c in CURRENCIES.select(operator_id)
    }
    flags = {name: bool(row.feature_flags.get(name, False)) for name in FEATURE_FLAGS}
    return OperatorSettings(
        list(row.enabled_games),
        currencies,
        flags,
        row.demo_starting_balance,
        row.default_language,
        row.updated_at,
    )
