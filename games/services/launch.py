"""GET /launch: verify the token, burn its nonce, ask the wallet, open a session (SPEC 4)."""

import uuid

from common.errors import ApiError
from common.money import AmountError, parse_amount
from common.nonces import burn_nonce
from common.operator_config import read_operator_config
from common.operators import check_operator_active, wallet_client
from common.urls import with_query
from common.wallet import WalletError, WalletRefused
from games.sessions import create_session
from games.tokens import nonce_expiry, verify_launch_token

# What a refusal by the wallet's /auth means for the player.
AUTH_REFUSALS = {
    "PLAYER_NOT_FOUND": (
        403,
        "player_not_found",
        "The operator's wallet does not know this player.",
    ),
    "PLAYER_FROZEN": (403, "player_frozen", "The player's account is frozen."),
    "CURRENCY_MISMATCH": (422, "currency_mismatch", "The player's wallet uses another currency."),
}


class LaunchError(ApiError):
    """An ApiError that remembers the token's return_url, once the token has verified."""

    return_url = None


def launch(token):
    """Run the launch steps; returns (redirect URL, cookie token). Raises LaunchError."""
    operator, claims = verify_launch_token(token)
    try:
        return _launch_verified(operator, claims)
    except ApiError as exc:
        error = LaunchError(exc.status, exc.code, exc.message, exc.details, exc.headers)
        error.return_url = claims.get("return_url")
        raise error from None


def _launch_verified(operator, claims):
    check_operator_active(operator)
    settings = read_operator_config(operator.id)
    if claims["game"] not in settings.enabled_games:
        raise ApiError(422, "game_not_enabled", "This game is no longer enabled for the operator.")
    if claims["currency"] not in settings.currencies:
        raise ApiError(422, "currency_not_configured", "This currency is no longer configured.")
    if not burn_nonce(operator.id, claims["jti"], nonce_expiry(claims)):
        raise ApiError(
            409, "token_already_used", "This launch token was already used; mint a new one."
        )
    session_id = str(uuid.uuid4())
    balance = _authenticate_player(operator, claims, session_id)
    # A token without a language falls back to the operator's default language.
    claims = {**claims, "language": claims.get("language") or settings.default_language}
    _, cookie_token = create_session(session_id, operator, claims, balance)
    redirect_url = with_query(
        operator.game_frontend_base_url,
        {
            "game": claims["game"],
            "currency": claims["currency"],
            "return_url": claims.get("return_url"),
            "language": claims["language"],
        },
    )
    return redirect_url, cookie_token


def _authenticate_player(operator, claims, session_id):
    """Ask the wallet who the player is; returns their balance. The nonce stays burned."""
    payload = {
        "operator": operator.code,
        "sub": claims["sub"],
        "currency": claims["currency"],
        "sessionId": session_id,
    }
    if claims.get("country"):
        payload["country"] = claims["country"]
    try:
        answer = wallet_client(operator).call("auth", payload)
    except WalletRefused as exc:
        status, code, message = AUTH_REFUSALS.get(
            exc.wallet_code, (502, "wallet_error", f"The wallet refused: {exc.wallet_code}.")
        )
        raise ApiError(status, code, message) from None
    except WalletError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    if answer.get("frozen") is True:
        raise ApiError(*AUTH_REFUSALS["PLAYER_FROZEN"])
    if answer.get("currency") != claims["currency"]:
        raise ApiError(*AUTH_REFUSALS["CURRENCY_MISMATCH"])
    if answer.get("sub") != claims["sub"]:
        raise ApiError(502, "wallet_error", "The wallet answered for another player.")
    try:
        return parse_amount(answer.get("balance"))
    except AmountError:
        raise ApiError(
            502, "wallet_error", "The wallet's balance is not a decimal amount."
        ) from None
