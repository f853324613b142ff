"""The single-round games' rules, looked up by name, and fairness verification from seeds."""

from decimal import Decimal

from games.fairness import float_stream
from games.rules.baccarat import Baccarat
from games.rules.base import GameRules, Settlement
from games.rules.coinflip import Coinflip
from games.rules.dice import Dice
from games.rules.keno import Keno
from games.rules.limbo import Limbo
from games.rules.plinko import Plinko
from games.rules.roulette import Roulette
from games.rules.wheel import Wheel

__all__ = ["SINGLE_ROUND_GAMES", "GameRules", "Settlement", "rules_for", "verify_outcome"]

SINGLE_ROUND_GAMES: dict[str, GameRules] = {
    rules.name: rules
    for rules in (Dice(), Limbo(), Coinflip(), Roulette(), Wheel(), Plinko(), Keno(), Baccarat())
}
# Outcomes never depend on the amount, so verification settles a nominal one.
NOMINAL_AMOUNT = Decimal(1)


def rules_for(game: str) -> GameRules:
    """Return a game's rules; KeyError if it is not a single-round game."""
    return SINGLE_ROUND_GAMES[game]


def verify_outcome(game: str, server_seed: str, client_seed: str, nonce: int, params: dict) -> dict:
    """Recompute a round's outcome from its seeds, nonce and params, exactly as play does."""
    floats = float_stream(server_seed, client_seed, nonce)
    return rules_for(game).settle(floats, params, NOMINAL_AMOUNT).outcome
