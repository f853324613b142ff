"""Replacing an operator's config (games, currencies with limits, flags, demo balance)."""

from common.db import database
from common.models import OperatorConfig, OperatorCurrency, utcnow
from common.operator_config import DEFAULT_LANGUAGE, FEATURE_FLAGS, read_operator_config


def replace_operator_config(operator, data):
    """Store `data` as the operator's whole config and return what is now stored."""
    flags = data.get("feature_flags") or {}
    values = {
        OperatorConfig.enabled_games: data["enabled_games"],
        OperatorConfig.feature_flags: {
            name: bool(flags.get(name, False)) for name in FEATURE_FLAGS
        },
        OperatorConfig.demo_starting_balance: data.get("demo_starting_balance", 0),
        OperatorConfig.default_language: data.get("default_language", DEFAULT_LANGUAGE),
        OperatorConfig.updated_at: utcnow(),
    }
    with database.atomic():
        OperatorConfig.insert({OperatorConfig.operator: operator.id, **values}).on_conflict(
            conflict_target=[OperatorConfig.operator], update=values
        ).execute()
        OperatorCurrency.delete().where(OperatorCurrency.operator == operator.id).execute()
        rows = [
            {
                "operator": operator.id,
                "code": code,
                "min_bet": limits["min_bet"],
                "max_bet": limits["max_bet"],
                "max_win": limits.get("max_win"),
            }
            for code, limits in data["currencies"].items()
        ]
        if rows:
            OperatorCurrency.insert_many(rows).execute()
    return read_operator_config(operator.id)
