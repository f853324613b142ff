"""The games' rules looked up by name, and fairness verification from seeds."""

from decimal import Decimal

from games.fairness import float_stream
from games.rules.baccarat import Baccarat
from games.rules.base import GameRules, Settlement
from games.rules.blackjack import Blackjack
from games.rules.coinflip import Coinflip
from games.rules.dice import Dice
from games.rules.hilo import Hilo
from games.rules.keno import Keno
from games.rules.limbo import Limbo
from games.rules.mines import Mines
from games.rules.multistep import ActionError, MultiStepRules, Step
from games.rules.plinko import Plinko
from games.rules.roulette import Roulette
from games.rules.wheel import Wheel

__all__ = [
    "MULTI_STEP_GAMES",
    "PLAYABLE_GAMES",
    "SINGLE_ROUND_GAMES",
    "ActionError",
    "GameRules",
    "MultiStepRules",
    "Settlement",
    "Step",
    "rules_for",
    "verify_outcome",
]

SINGLE_ROUND_GAMES: dict[str, GameRules] = {
    rules.name: rules
    for rules in (Dice(), Limbo(), Coinflip(), Roulette(), Wheel(), Plinko(), Keno(), Baccarat())
}
MULTI_STEP_GAMES: dict[str, MultiStepRules] = {
    rules.name: rules for rules in (Mines(), Hilo(), Blackjack())
}

# Every game a player can bet on, in catalog order.
PLAYABLE_GAMES = (*SINGLE_ROUND_GAMES, *MULTI_STEP_GAMES)
# Outcomes never depend on the amount, so verification settles a nominal one.
NOMINAL_AMOUNT = Decimal(1)


def rules_for(game: str) -> GameRules | MultiStepRules:
    """Return a game's rules (single-round or multi-step); KeyError for an unknown game."""
    if game in MULTI_STEP_GAMES:
        return MULTI_STEP_GAMES[game]
    return SINGLE_ROUND_GAMES[game]


def verify_outcome(game: str, server_seed: str, client_seed: str, nonce: int, params: dict) -> dict:
    """Recompute a round's outcome from its seeds, nonce and params, exactly as play does.

    Multi-step games show what the stream fixes: mines `{"mines": [tiles in pick order]}`, hilo
    and blackjack `{"cards": [the first 52 cards]}`.
    """
    floats = float_stream(server_seed, client_seed, nonce)
    if game in MULTI_STEP_GAMES:
        return MULTI_STEP_GAMES[game].verify(floats, params)
    return SINGLE_ROUND_GAMES[game].settle(floats, params, NOMINAL_AMOUNT).outcome
