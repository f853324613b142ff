"""The shipped payout tables (games/data/paytables.json), loaded once as exact Decimals."""

import json
from decimal import Decimal
from functools import cache
from importlib import resources

PACKAGE = "games"
RESOURCE = "data/paytables.json"


@cache
def paytables() -> dict:
    """Return every table, figures parsed straight from the JSON text into Decimals."""
    text = resources.files(PACKAGE).joinpath(RESOURCE).read_text(encoding="utf-8")
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def risks(game: str) -> tuple[str, ...]:
    """Return the risk levels a game's tables define, in file order."""
    return tuple(key for key in paytables()[game] if not key.startswith("_"))


def sizes(game: str, risk: str) -> tuple[int, ...]:
    """Return the sizes (wheel segments, plinko rows, keno picks) a risk level defines."""
    return tuple(int(size) for size in paytables()[game][risk])


@cache
def table(game: str, risk: str, size: int) -> tuple[Decimal, ...]:
    """Return the multipliers of one table: by segment, by slot or by number of hits."""
    return tuple(paytables()[game][risk][str(size)])


def public_tables(game: str) -> dict[str, dict[str, list[str]]]:
    """Return a game's tables as JSON-ready decimal strings: risk -> size -> multipliers."""
    return {
        risk: {str(size): [str(m) for m in table(game, risk, size)] for size in sizes(game, risk)}
        for risk in risks(game)
    }
