"""What every bet must pass before money moves: config, limits, params (GAMES.md section 5)."""

from decimal import Decimal

from marshmallow import ValidationError

from common.errors import ApiError
from common.money import AmountError, format_amount, parse_amount
from common.operator_config import read_operator_config
from common.operators import check_operator_active

MAX_BET_PLACES = 8


def _invalid(field, message, code="validation_error"):
    return ApiError(422, code, f"{field}: {message}", details={"fields": {field: [message]}})


def check_game_and_currency(operator_id, game, currency):
    """The currency's limits, if the operator's current config still allows `game` in it."""
    settings = read_operator_config(operator_id)
    if game not in settings.enabled_games:
        raise ApiError(422, "game_not_enabled", f"The game {game!r} is not enabled.")
    limits = settings.currencies.get(currency)
    if limits is None:
        raise ApiError(
            422, "currency_not_configured", f"The currency {currency} is not configured."
        )
    return limits


def check_bet(session, game, rules, body):
    """Validate a bet body against the session's current config: (amount, params, limits)."""
    # The session was read in this request with its operator and aggregator (games/sessions.py).
    check_operator_active(session.operator)
    limits = check_game_and_currency(session.operator_id, game, session.currency)
    stake, params = parse_bet(rules, body)
    if not limits.min_bet <= stake <= limits.max_bet:
        raise _invalid(
            "amount",
            f"Bets in {session.currency} must be from {format_amount(limits.min_bet)} to "
            f"{format_amount(limits.max_bet)}.",
            code="bet_out_of_limits",
        )
    if stake <= Decimal(0):
        raise _invalid("amount", "Must be greater than 0.")
    return stake, params, limits


def parse_bet(rules, body):
    """The bet body alone, whatever the config: (stake, loaded params). Raises ApiError."""
    if not isinstance(body, dict):
        raise _invalid("_body", "Send a JSON object with amount and params.")
    unknown = sorted(set(body) - {"amount", "params"})
    if unknown:
        raise _invalid(unknown[0], "Unknown field.")
    try:
        amount = parse_amount(body.get("amount"), max_places=MAX_BET_PLACES)
    except AmountError as exc:
        raise _invalid("amount", str(exc)) from None
    try:
        params = rules.params().load(body.get("params") or {})
    except ValidationError as exc:
        raise ApiError(
            422,
            "invalid_params",
            "Some game parameters are not valid: " + ", ".join(sorted(exc.messages)) + ".",
            details={"fields": {"params": exc.messages}},
        ) from None
    try:
        return rules.stake(amount, params), params
    except ValueError as exc:
        raise _invalid("amount", str(exc)) from None
