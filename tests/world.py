"""A platform world for tests that cross HTTP: the reference wallet on a real port, and an
aggregator, operator and player wired to it (used as a pytest plugin from conftest)."""

import os
from decimal import Decimal

import pytest

import refwallet
from refwallet import migrate as wallet_migrate
from refwallet import players as wallet_players
from refwallet.config import store_hmac_secret
from refwallet.db import database as wallet_database
from refwallet.models import Player, Setting, Transaction
from tests.servers import ThreadedServer

GAMES = ["dice", "limbo", "coinflip", "roulette", "wheel", "plinko", "keno", "baccarat"]
CONFIG = {
    "enabledGames": GAMES,
    "currencies": {
        "USDT": {"minBet": "0.1", "maxBet": "500"},
        "BTC": {"minBet": "0.000005", "maxBet": "0.01"},
    },
    "featureFlags": {"autoplay": True, "turbo": False, "chat": False, "soundDefault": True},
    "demoStartingBalance": "1000",
}


class Wallet:
    """The reference wallet app, served on a local port, with helpers to arrange players."""

    def __init__(self, app, url):
        self.app, self.url = app, url

    def _run(self, fn, *args):
        with self.app.app_context(), wallet_database.connection_context():
            return fn(*args)

    def use_secret(self, secret):
        self._run(store_hmac_secret, secret)

    def add_player(self, sub, currency="USDT", balance="100", frozen=False):
        self._run(wallet_players.add_player, sub, currency, Decimal(balance), frozen)

    def balance(self, sub):
        return self._run(lambda: Player.get_by_id(sub).balance)

    def transactions(self, sub=None):
        def query():
            rows = Transaction.select().order_by(Transaction.created_at)
            return list(rows.where(Transaction.sub == sub) if sub else rows)

        return self._run(query)

    def empty(self):
        def delete_all():
            for model in (Transaction, Player, Setting):
                model.delete().execute()

        self._run(delete_all)


def wallet_app(url):
    """The reference wallet's app on the database `url`, migrated."""
    app = refwallet.create_app({"WALLET_DATABASE_URL": url})
    with app.app_context():
        wallet_migrate.upgrade()
    return app


@pytest.fixture(scope="session")
def wallet_server(database_url, tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or (
        "sqlite:///" + str(tmp_path_factory.mktemp("wallet") / "wallet.db")
    )
    app = wallet_app(url)
    with ThreadedServer(app) as server:
        yield Wallet(app, server.url)


@pytest.fixture
def wallet(wallet_server):
    wallet_server.empty()
    return wallet_server


@pytest.fixture
def world(client, aggregator, wallet):
    """An operator whose wallet is the reference wallet, configured for every single-round
    game in USDT and BTC, with a funded player `player-1` (100 USDT)."""
    from tests.conftest import make_operator

    operator = make_operator(
        client, aggregator, "mybrand", walletBaseUrl=wallet.url, walletTimeoutMs=2000
    )
    response = client.put(
        f"/api/v1/bo/aggregator/operators/{operator['id']}/config",
        json=CONFIG,
        headers=aggregator["headers"],
    )
    assert response.status_code == 200, response.json
    wallet.use_secret(operator["walletHmacSecret"])
    wallet.add_player("player-1", "USDT", "100")
    return {"aggregator": aggregator, "operator": operator, "wallet": wallet}
