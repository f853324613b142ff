"""WALLET_BLOCK_PRIVATE_ADDRESSES: wallet calls reach only public addresses, checked on the
address each connection is actually opened to, and looked up once per connection, not per call.

The wallet host names here are answered by a resolver the test controls (it stands in for an
operator's DNS, which the platform must not trust); the reference wallet listens on 127.0.0.1.
"""

import socket
from urllib.parse import urlsplit

import pytest

import games
from common import wallet_addresses
from tests.launch_helpers import error_code, launch, mint, wired_operator
from tests.play_support import bet
from tests.servers import Gunicorn
from tests.world import Wallet, wallet_app

PUBLIC_BUT_UNREACHABLE = "192.88.99.1"  # global, and nothing here answers the wallet's protocol


@pytest.fixture(scope="module")
def blocking_app(test_config):
    return games.create_app({**test_config, "WALLET_BLOCK_PRIVATE_ADDRESSES": True})


@pytest.fixture(scope="module")
def gunicorn_wallet(tmp_path_factory):
    """The reference wallet under gunicorn, which keeps connections alive (the werkzeug server
    of the `wallet` fixture closes each one), with a SQLite file of its own."""
    url = "sqlite:///" + str(tmp_path_factory.mktemp("kept-alive-wallet") / "wallet.db")
    app = wallet_app(url)
    env = {"WALLET_DATABASE_URL": url}
    with Gunicorn("refwallet.wsgi:app", env, workers=1, threads=2, health_path="/health") as server:
        yield Wallet(app, server.url)


@pytest.fixture
def kept_alive_wallet(gunicorn_wallet):
    gunicorn_wallet.empty()
    return gunicorn_wallet


@pytest.fixture
def resolver(monkeypatch):
    """Answers for `*.wallet.test` names: host -> list of addresses, one list per lookup (the
    last one repeats). Every lookup of such a name is recorded in `lookups`."""
    real = socket.getaddrinfo
    answers, lookups = {}, []

    def getaddrinfo(host, port, *args, **kwargs):
        if not isinstance(host, str) or not host.endswith(".wallet.test"):
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        queue = answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, lookups


def wallet_operator(client, aggregator, wallet, host, timeout_ms=2000):
    """An operator (code = the host's first label) whose wallet URL names `host` on the
    reference wallet's port, configured, with player-1 funded at the wallet."""
    code = host.split(".")[0]
    url = f"http://{host}:{urlsplit(wallet.url).port}"
    wired_operator(client, aggregator, wallet, code, walletBaseUrl=url, walletTimeoutMs=timeout_ms)
    wallet.add_player("player-1", "USDT", "100")
    return code


def test_wallet_calls_to_private_addresses_can_be_blocked(blocking_app, games_client, world):
    client = blocking_app.test_client()
    minted = mint(games_client, world["aggregator"])
    response = launch(client, minted["token"])  # the world's wallet is http://127.0.0.1:...
    assert response.status_code == 502
    assert error_code(response) == "wallet_unavailable"
    assert "private or loopback" in response.json["error"]["message"]
    assert client.get("/v1/session").status_code == 401


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.1.2.3"],
        [PUBLIC_BUT_UNREACHABLE, "127.0.0.1"],  # one private address among public ones
        ["64:ff9b::7f00:1"],  # NAT64's prefix around 127.0.0.1: global by itself
        ["2002:a00:1::1"],  # 6to4 around 10.0.0.1
    ],
)
def test_a_host_resolving_to_a_private_address_is_refused(
    blocking_app, client, games_client, aggregator, wallet, resolver, addresses
):
    answers, lookups = resolver
    answers["private.wallet.test"] = [addresses]
    code = wallet_operator(client, aggregator, wallet, "private.wallet.test")
    response = launch(blocking_app.test_client(), mint(games_client, aggregator, code)["token"])
    assert response.status_code == 502, response.json
    assert "private or loopback" in response.json["error"]["message"]
    assert lookups == ["private.wallet.test"]


def test_an_unresolvable_host_is_a_clear_error(
    blocking_app, client, games_client, aggregator, wallet
):
    code = wallet_operator(client, aggregator, wallet, "nowhere.invalid")
    response = launch(blocking_app.test_client(), mint(games_client, aggregator, code)["token"])
    assert response.status_code == 502, response.json
    assert response.json["error"]["message"] == "The wallet host name does not resolve."


def test_a_host_that_turns_private_after_the_check_never_reaches_the_wallet(
    blocking_app, client, games_client, aggregator, wallet, resolver
):
    # DNS rebinding: public for the first lookup, the wallet on loopback for every later one.
    # Were the address checked in one lookup and connected to from another, the launch would
    # reach the wallet and succeed.
    answers, lookups = resolver
    answers["rebind.wallet.test"] = [[PUBLIC_BUT_UNREACHABLE], ["127.0.0.1"]]
    code = wallet_operator(client, aggregator, wallet, "rebind.wallet.test", timeout_ms=200)
    response = launch(blocking_app.test_client(), mint(games_client, aggregator, code)["token"])
    assert response.status_code in (502, 504), response.json
    assert error_code(response) in ("wallet_unavailable", "wallet_timeout")
    assert lookups == ["rebind.wallet.test"]


def test_a_kept_alive_connection_is_not_looked_up_again(
    blocking_app, client, games_client, aggregator, kept_alive_wallet, resolver, monkeypatch
):
    wallet = kept_alive_wallet
    # The reference wallet stands in for a public one: its loopback address is let through.
    monkeypatch.setattr(wallet_addresses, "is_public", lambda address: True)
    answers, lookups = resolver
    answers["reuse.wallet.test"] = [["127.0.0.1"]]
    code = wallet_operator(client, aggregator, wallet, "reuse.wallet.test")
    player = blocking_app.test_client()
    assert launch(player, mint(games_client, aggregator, code)["token"]).status_code == 302
    for _ in range(3):
        assert bet(player, "dice").status_code == 201
    # One auth and three bets and wins over one pooled connection: one lookup, when it opened.
    assert lookups == ["reuse.wallet.test"]
    assert len(wallet.transactions("player-1")) == 6


def test_a_connection_opened_without_the_check_is_not_reused_with_it(
    blocking_app, client, games_client, aggregator, kept_alive_wallet, resolver
):
    wallet = kept_alive_wallet
    answers, _ = resolver
    answers["shared.wallet.test"] = [["127.0.0.1"]]
    code = wallet_operator(client, aggregator, wallet, "shared.wallet.test")
    # A platform without the setting opens a kept-alive connection to the wallet, in this thread.
    assert launch(games_client, mint(games_client, aggregator, code)["token"]).status_code == 302
    response = launch(blocking_app.test_client(), mint(games_client, aggregator, code)["token"])
    assert response.status_code == 502, response.json
    assert "private or loopback" in response.json["error"]["message"]
