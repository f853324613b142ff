"""What GET /v1/games tells a player: playable games, their params, limits and tables."""

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from common.money import format_amount
from common.operator_config import read_operator_config
from games.rules import PLAYABLE_GAMES, rules_for
from games.rules.tables import public_tables

TABLE_GAMES = ("wheel", "plinko", "keno")


@cache
def _params_json_schema(game):
    plugin = MarshmallowPlugin()
    APISpec("games", "1", "3.0.3", plugins=[plugin])
    return plugin.converter.schema2jsonschema(rules_for(game).params_schema)


def describe_games(session):
    """The session operator's enabled games that can be played, in the config's order."""
    settings = read_operator_config(session.operator_id)
    limits = settings.currencies.get(session.currency)
    shown_limits = None
    if limits is not None:
        shown_limits = {
            "minBet": format_amount(limits.min_bet),
            "maxBet": format_amount(limits.max_bet),
            "maxWin": format_amount(limits.max_win),
        }
    return [
        {
            "id": game,
            "params": _params_json_schema(game),
            "limits": shown_limits,
            "tables": public_tables(game) if game in TABLE_GAMES else None,
        }
        for game in settings.enabled_games
        if game in PLAYABLE_GAMES
    ]
