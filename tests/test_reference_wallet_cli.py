"""The reference wallet's CLI: `flask --app refwallet.wsgi wallet ...`."""

import json
from decimal import Decimal

import pytest

from common.signing import signed_headers
from refwallet import create_app, migrate
from refwallet.db import database
from refwallet.models import Player
from tests.test_reference_wallet import (
    SECRET,
    call,
    call_body,
    empty_wallet_tables,
    money_body,
    wallet_database_url,
)

OTHER_SECRET = "a-secret-stored-by-the-cli-0123456789abcdef"


@pytest.fixture(scope="module")
def wallet_url(database_url, tmp_path_factory):
    # `database_url` (conftest) first, as in test_reference_wallet.py.
    return wallet_database_url(tmp_path_factory)


@pytest.fixture(scope="module")
def wallet_app(wallet_url):
    app = create_app({"WALLET_DATABASE_URL": wallet_url, "WALLET_HMAC_SECRET": SECRET})
    migrate.upgrade()
    return app


@pytest.fixture(autouse=True)
def empty_wallet(wallet_app):
    empty_wallet_tables()


@pytest.fixture
def wallet_cli(wallet_app):
    runner = wallet_app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["wallet", *args])

    return run


def player(sub="alice"):
    with database.connection_context():
        return Player.get_by_id(sub)


def test_db_upgrade_is_idempotent(wallet_cli):
    result = wallet_cli("db-upgrade")
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_add_player_creates_the_player(wallet_cli):
    result = wallet_cli("add-player", "alice", "--currency", "BTC", "--balance", "0.000005")
    assert result.exit_code == 0, result.output
    assert result.output == "Created alice: 0.000005 BTC, active.\n"
    created = player()
    assert (created.currency, created.balance, created.frozen) == ("BTC", Decimal("5E-6"), False)


def test_add_player_leaves_an_existing_player_unchanged(wallet_cli):
    wallet_cli("add-player", "alice", "--currency", "USDT", "--balance", "100")
    result = wallet_cli("add-player", "alice", "--currency", "BTC", "--balance", "5", "--frozen")
    assert result.exit_code == 0
    assert "already exists, left unchanged: alice: 100 USDT, active" in result.output
    assert (player().currency, player().balance, player().frozen) == ("USDT", Decimal(100), False)


def test_add_player_frozen(wallet_cli):
    result = wallet_cli("add-player", "bob", "--currency", "USDT", "--frozen")
    assert result.output == "Created bob: 0 USDT, frozen.\n"


@pytest.mark.parametrize(
    "args",
    [
        ("--currency", "usdt"),
        ("--currency", "USDT", "--balance", "ten"),
        ("--currency", "USDT", "--balance", "-1"),
        ("--currency", "USDT", "--balance", "0.0000000000000000001"),
        ("--balance", "1"),
    ],
)
def test_add_player_refuses_bad_options(wallet_cli, args):
    result = wallet_cli("add-player", "alice", *args)
    assert result.exit_code == 2
    with database.connection_context():
        assert Player.get_or_none(Player.sub == "alice") is None


def test_fund_adds_and_takes_exact_amounts(wallet_cli):
    wallet_cli("add-player", "alice", "--currency", "USDT", "--balance", "1")
    assert wallet_cli("fund", "alice", "0.000005").output == "alice: 1.000005 USDT, active.\n"
    assert wallet_cli("fund", "alice", "--", "-1").output == "alice: 0.000005 USDT, active.\n"
    overdraw = wallet_cli("fund", "alice", "--", "-1")
    assert overdraw.exit_code == 1
    assert "has only 0.000005 USDT" in overdraw.output
    assert player().balance == Decimal("0.000005")


def test_commands_on_an_unknown_player_fail_clearly(wallet_cli):
    for args in (("fund", "nobody", "5"), ("freeze", "nobody"), ("show-player", "nobody")):
        result = wallet_cli(*args)
        assert result.exit_code == 1
        assert "No player 'nobody' in this wallet. (PLAYER_NOT_FOUND)" in result.output


def test_freeze_refuses_bets_and_unfreeze_allows_them(wallet_app, wallet_cli):
    client = wallet_app.test_client()
    wallet_cli("add-player", "alice", "--currency", "USDT", "--balance", "10")
    assert wallet_cli("freeze", "alice").output == "alice: 10 USDT, frozen.\n"
    assert call(client, "/bet", money_body("bet-1", "1")).status_code == 403
    assert wallet_cli("unfreeze", "alice").output == "alice: 10 USDT, active.\n"
    assert call(client, "/bet", money_body("bet-2", "1", roundId="round-2")).status_code == 200


def test_show_player_lists_recent_transactions(wallet_app, wallet_cli):
    client = wallet_app.test_client()
    wallet_cli("add-player", "alice", "--currency", "USDT", "--balance", "10")
    call(client, "/bet", money_body("bet-1", "4"))
    call(client, "/win", money_body("win-1", "8.5", "bet-1"))
    call(client, "/rollback", money_body("rb-1", "2", "bet-lost", roundId="round-2"))
    output = wallet_cli("show-player", "alice").output
    lines = output.splitlines()
    assert lines[0].startswith("alice: 14.5 USDT, active (since ")
    assert "bet       bet-1 4 round round-1 200 [settled]" in output
    assert "win       win-1 8.5 round round-1 -> bet-1 200" in output
    assert "tombstone bet-lost 2 round round-2 -> rb-1 [rolled_back]" in output
    assert len(lines) == 5


def test_the_stored_hmac_secret_is_used_when_the_environment_has_none(wallet_url):
    app = create_app({"WALLET_DATABASE_URL": wallet_url, "WALLET_HMAC_SECRET": None})
    client = app.test_client()
    data = json.dumps(call_body()).encode()

    unconfigured = client.post("/auth", data=data, headers=signed_headers(OTHER_SECRET, data))
    assert unconfigured.status_code == 500
    assert "set-hmac-secret" in unconfigured.get_json()["error"]["message"]
    assert "X-Signature" not in unconfigured.headers

    result = app.test_cli_runner().invoke(args=["wallet", "set-hmac-secret", OTHER_SECRET])
    assert result.output == "HMAC secret stored.\n"
    app.test_cli_runner().invoke(args=["wallet", "add-player", "alice", "--currency", "USDT"])
    response = client.post("/auth", data=data, headers=signed_headers(OTHER_SECRET, data))
    assert response.status_code == 200
    assert response.headers["X-Signature"]


def test_the_environment_secret_wins_over_the_stored_one(wallet_app, wallet_cli):
    result = wallet_cli("set-hmac-secret", OTHER_SECRET)
    assert "WALLET_HMAC_SECRET is set in the environment and takes precedence" in result.output
    wallet_cli("add-player", "alice", "--currency", "USDT")
    assert call(wallet_app.test_client(), "/auth", call_body()).status_code == 200


def test_set_hmac_secret_refuses_a_short_secret(wallet_cli):
    result = wallet_cli("set-hmac-secret", "short")
    assert result.exit_code == 1
    assert "at least 32 characters" in result.output
