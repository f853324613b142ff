"""Demo mode: a session with a platform-held balance, no wallet and no token (GAMES.md 5)."""

import secrets
import uuid

from common.errors import ApiError
from common.operator_config import read_operator_config
from common.operators import check_operator_active, find_operator_by_code
from common.urls import with_query
from games.sessions import create_session


def launch_demo(operator_code, game, currency):
    """Open a demo session; returns (redirect URL, cookie token)."""
    operator = find_operator_by_code(operator_code or "")
    if operator is None:
        raise ApiError(404, "operator_not_found", "No such operator.")
    check_operator_active(operator)
    settings = read_operator_config(operator.id)
    if game not in settings.enabled_games:
        raise ApiError(422, "game_not_enabled", f"The game {game!r} is not enabled.")
    if currency not in settings.currencies:
        raise ApiError(
            422, "currency_not_configured", f"The currency {currency!r} is not configured."
        )
    claims = {"sub": f"demo-{secrets.token_hex(8)}", "game": game, "currency": currency}
    _, token = create_session(
        str(uuid.uuid4()), operator, claims, settings.demo_starting_balance, demo=True
    )
    url = with_query(
        operator.game_frontend_base_url, {"game": game, "currency": currency, "demo": "1"}
    )
    return url, token
