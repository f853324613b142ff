"""`make run`'s demo: sets up an aggregator, an operator on this wallet and a funded player
through the platform's public APIs, then prints how to launch. Safe to run again."""

import os
import signal
import sys
import time
from decimal import Decimal

import requests

from refwallet import create_app, players
from refwallet.config import store_hmac_secret
from refwallet.db import database

AGGREGATOR = {"code": "demo-aggregator", "name": "Demo Aggregator"}
OPERATOR = "demo-casino"
PLAYER = "demo-player"
GAMES = [
    "dice",
    "limbo",
    "coinflip",
    "roulette",
    "wheel",
    "plinko",
    "keno",
    "baccarat",
    "mines",
    "hilo",
    "blackjack",
]
CONFIG = {
    "enabledGames": GAMES,
    "currencies": {
        "USDT": {"minBet": "0.1", "maxBet": "500"},
        "BTC": {"minBet": "0.000005", "maxBet": "0.01"},
    },
    "featureFlags": {"autoplay": True, "turbo": True, "chat": False, "soundDefault": True},
    "demoStartingBalance": "1000",
}


def _wait(url):
    for _ in range(120):
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.5)
    sys.exit(f"{url} did not come up")


class Platform:
    """The platform's public APIs, as the demo's aggregator and admin use them."""

    def __init__(self, base, admin_key):
        self.base = base
        self.admin = {"X-Admin-Key": admin_key}

    def call(self, method, path, expected, **kwargs):
        response = requests.request(method, self.base + path, timeout=10, **kwargs)
        if response.status_code != expected:
            sys.exit(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    def aggregator_key(self):
        """The demo aggregator's key: its first one, or a fresh one on later runs."""
        cursor = None
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            page = self.call(
                "GET", "/api/v1/bo/aggregators", 200, params=params, headers=self.admin
            )
            found = [a for a in page["aggregators"] if a["code"] == AGGREGATOR["code"]]
            if found:
                path = f"/api/v1/bo/aggregators/{found[0]['id']}/api-keys"
                body = {"label": "make run"}
                return self.call("POST", path, 201, json=body, headers=self.admin)["apiKey"]
            cursor = page.get("nextCursor")
            if not cursor:
                break
        created = self.call(
            "POST", "/api/v1/bo/aggregators", 201, json=AGGREGATOR, headers=self.admin
        )
        return created["apiKey"]

    def operator_wallet_secret(self, key, wallet_url):
        """Create the demo operator, or rotate its secrets: either way, its new HMAC secret."""
        headers = {"X-Aggregator-Key": key}
        path = f"/api/v1/bo/aggregator/operators/{OPERATOR}"
        existing = requests.get(self.base + path, headers=headers, timeout=10)
        if existing.status_code == 200:
            rotate = f"/api/v1/bo/operators/{OPERATOR}/rotate-secrets"
            operator = self.call("POST", rotate, 200, headers=self.admin)["operator"]
        else:
            body = {
                "code": OPERATOR,
                "name": "Demo Casino",
                "walletBaseUrl": wallet_url,
                "gameFrontendBaseUrl": f"{self.base}/demo/",
            }
            create = "/api/v1/bo/aggregator/operators"
            operator = self.call("POST", create, 201, json=body, headers=headers)["operator"]
        self.call("PUT", path + "/config", 200, json=CONFIG, headers=headers)
        return operator["walletHmacSecret"]

    def launch_url(self, key):
        path = f"/v1/aggregator/operators/{OPERATOR}/launch-tokens"
        body = {
            "sub": PLAYER,
            "currency": "USDT",
            "game": "dice",
            "returnUrl": f"{self.base}/demo/",
        }
        minted = self.call("POST", path, 201, json=body, headers={"X-Aggregator-Key": key})
        return self.base + minted["launchUrl"]


def _prepare_wallet(secret):
    app = create_app()
    with app.app_context(), database.connection_context():
        store_hmac_secret(secret)
        players.add_player(PLAYER, "USDT", Decimal("1000"))  # an existing player is kept


def main():
    # Not PORT: honcho gives every process a PORT of its own.
    port, wallet_port = os.environ.get("WEB_PORT", "8000"), os.environ.get("WALLET_PORT", "8001")
    base, wallet_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{wallet_port}"
    _wait(f"{base}/v1/health")
    _wait(f"{wallet_url}/health")
    platform = Platform(base, os.environ["ADMIN_API_KEY"])
    key = platform.aggregator_key()
    _prepare_wallet(platform.operator_wallet_secret(key, wallet_url))
    print(
        BANNER.format(
            base=base, key=key, launch=platform.launch_url(key), operator=OPERATOR, player=PLAYER
        ),
        flush=True,
    )
    signal.pause()  # keep running: honcho stops every process when one exits


BANNER = """
==> The demo is ready.
Aggregator API key (X-Aggregator-Key): {key}

Open this launch URL in your browser (valid 10 minutes, single use):
  {launch}

Mint another one:
  curl -s -X POST {base}/v1/aggregator/operators/{operator}/launch-tokens \\
    -H 'X-Aggregator-Key: {key}' -H 'Content-Type: application/json' \\
    -d '{{"sub": "{player}", "currency": "USDT", "game": "dice"}}'

Play money without the wallet (demo mode):
  {base}/demo/launch?operator={operator}&game=dice&currency=USDT
"""

if __name__ == "__main__":
    main()
