"""Helpers for the game-play tests: launch a player, bet, read the wallet, rotate and verify."""

from datetime import timedelta
from decimal import Decimal

from common.db import database
from common.models import PlayerSession, utcnow
from games.sessions import COOKIE_NAME
from tests.world import CONFIG, GAMES

# One valid bet per game (the amount for roulette must be the chips' sum: "1").
VALID_PARAMS = {
    "dice": {"target": "50", "condition": "under"},
    "limbo": {"target": "2"},
    "coinflip": {"side": "heads"},
    "roulette": {
        "bets": [
            {"type": "red", "amount": "0.5"},
            {"type": "dozen", "numbers": list(range(1, 13)), "amount": "0.5"},
        ]
    },
    "wheel": {"risk": "medium", "segments": 20},
    "plinko": {"risk": "high", "rows": 12},
    "keno": {"risk": "classic", "picks": [3, 7, 11, 19, 23, 31, 40]},
    "baccarat": {"side": "banker"},
}
# The outcome fields each game shows (GAMES.md section 2).
OUTCOME_FIELDS = {
    "dice": {"roll"},
    "limbo": {"result"},
    "coinflip": {"side"},
    "roulette": {"pocket"},
    "wheel": {"segment"},
    "plinko": {"path", "slot"},
    "keno": {"drawn"},
    "baccarat": {"playerCards", "bankerCards", "playerTotal", "bankerTotal", "winner"},
}
assert set(VALID_PARAMS) == set(GAMES)


def launch(games_client, world, sub="player-1", currency="USDT", game="dice"):
    """Mint a token for `sub` and launch it on `games_client`, which keeps the session cookie."""
    minted = games_client.post(
        "/v1/aggregator/operators/mybrand/launch-tokens",
        json={"sub": sub, "currency": currency, "game": game},
        headers=world["aggregator"]["headers"],
    )
    assert minted.status_code == 201, minted.json
    launched = games_client.get(minted.json["launchUrl"])
    assert launched.status_code == 302, launched.get_data(as_text=True)
    return session_token(games_client)


def session_token(games_client):
    cookie = games_client.get_cookie(COOKIE_NAME)
    assert cookie is not None and cookie.value
    return cookie.value


def bet(games_client, game, amount="1", params=None, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    body = {"amount": amount, "params": VALID_PARAMS[game] if params is None else params}
    return games_client.post(f"/v1/games/{game}/bets", json=body, headers=headers)


def placed(games_client, game, amount="1", params=None, key=None):
    """Bet and return the round, asserting 201."""
    response = bet(games_client, game, amount, params, key)
    assert response.status_code == 201, response.json
    return response.json["round"]


def error_code(response):
    return response.json["error"]["code"]


def put_config(client, world, **changes):
    """Replace the operator's config with the world's, `changes` applied."""
    body = {**CONFIG, **changes}
    response = client.put(
        f"/api/v1/bo/aggregator/operators/{world['operator']['id']}/config",
        json=body,
        headers=world["aggregator"]["headers"],
    )
    assert response.status_code == 200, response.json
    return response.json["config"]


def age_sessions(minutes):
    """Move every player session's last activity `minutes` into the past."""
    with database.connection_context():
        PlayerSession.update(last_seen_at=utcnow() - timedelta(minutes=minutes)).execute()


def wallet_kinds(wallet, sub):
    return [txn.kind for txn in wallet.transactions(sub)]


def net(rounds):
    """The sum of payout - amount over rounds (Decimal)."""
    return sum((Decimal(r["payout"]) - Decimal(r["amount"]) for r in rounds), Decimal(0))


def rotate(games_client):
    response = games_client.post("/v1/fairness/rotate")
    assert response.status_code == 200, response.json
    return response.json


def verify(games_client, game, server_seed, client_seed, nonce, params):
    return games_client.post(
        "/v1/fairness/verify",
        json={
            "game": game,
            "serverSeed": server_seed,
            "clientSeed": client_seed,
            "nonce": nonce,
            "params": params,
        },
    )
