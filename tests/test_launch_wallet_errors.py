"""/launch when the wallet's /auth says no, fails, is slow or lies (SPEC 4 step 4, SPEC 6).

Every case also checks that the token's nonce stays burned: a relaunch of it is 409.
"""

import ipaddress
import json
import socket
import ssl
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import requests.adapters
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.db import database
from common.models import PlayerSession
from common.signing import signed_headers
from tests.conftest import make_operator
from tests.launch_helpers import JSON, configure, error_code, launch, mint, wired_operator
from tests.servers import ThreadedServer, free_port

TIMEOUT_MS = 300
# The call must give up at the operator's timeout; this bound only proves that it does.
UPPER_BOUND_SECONDS = 1.5


class FakeWallet:
    """A wallet of our own whose /auth misbehaves as `mode` says; answers are signed with
    `secret` unless the mode says otherwise. Served, it has the `url` it is reached at."""

    def __init__(self):
        self.url = None
        self.use_secret(None)

    def use_secret(self, secret):
        """Answer as the wallet of the operator whose HMAC secret is `secret`, from a clean
        slate (as tests.launch_helpers.wired_operator expects of a wallet)."""
        self.secret = secret
        self.mode = "ok"
        self.calls = []
        self.headers = []  # each call's request headers, as WSGI names them (HTTP_...)

    def answer(self, request_body):
        call = json.loads(request_body)
        answer = {
            "sub": call["sub"],
            "balance": "100",
            "currency": call["currency"],
            "frozen": False,
        }
        if self.mode == "frozen-flag":
            answer["frozen"] = True
        elif self.mode == "other-sub":
            answer["sub"] = "someone-else"
        elif self.mode == "bad-balance":
            answer["balance"] = "lots"
        elif self.mode == "other-currency":
            answer["currency"] = "EUR"
        return json.dumps(answer).encode()

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request_body = environ["wsgi.input"].read(length)
        self.calls.append((environ["PATH_INFO"], json.loads(request_body)))
        self.headers.append({k: v for k, v in environ.items() if k.startswith("HTTP_")})
        mode = self.mode
        if mode == "slow":
            time.sleep(2)
        elif mode == "unhurried":
            time.sleep(0.2)
        body = self.answer(request_body)
        status = "200 OK"
        if mode == "error-500":
            status, body = "500 Internal Server Error", b'{"error": {"code": "INTERNAL"}}'
        elif mode == "not-json":
            body = b"<html>hello</html>"
        elif mode == "unknown-refusal":
            status, body = "400 Bad Request", b'{"error": {"code": "SOMETHING_NEW"}}'
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if mode != "unsigned":
            headers += list(signed_headers(self.secret, body).items())
        if mode == "set-cookie":
            headers.append(("Set-Cookie", "wallet-session=abc; Path=/"))
        start_response(status, headers)
        if mode == "trickle":
            # Headers at once, then one byte every 50 ms: no single read waits long, but the
            # whole answer takes seconds.
            return dripping(body, pause=0.05, size=1)
        if mode == "stall-body":
            # Headers at once, the body two seconds later.
            return dripping(body, pause=2, size=len(body))
        return [body]


def dripping(body, pause, size):
    """A WSGI body that sleeps `pause` seconds before each `size`-byte piece."""
    for start in range(0, len(body), size):
        time.sleep(pause)
        yield body[start : start + size]


@contextmanager
def served_fake_wallet(ssl_context=None):
    """A FakeWallet served on a free port (over TLS with `ssl_context`), its `url` set."""
    fake = FakeWallet()
    with ThreadedServer(fake, ssl_context=ssl_context) as server:
        fake.url = server.url
        yield fake


@pytest.fixture(scope="module")
def fake_wallet_server():
    with served_fake_wallet() as fake:
        yield fake


@pytest.fixture
def fake(client, aggregator, fake_wallet_server):
    """An operator `fakebrand` whose wallet is the FakeWallet, with the world's config."""
    wired_operator(client, aggregator, fake_wallet_server, "fakebrand", walletTimeoutMs=TIMEOUT_MS)
    return fake_wallet_server


def launch_and_relaunch(games_client, aggregator, code="mybrand", **body):
    """Launch a fresh token (JSON errors); then check its nonce stayed burned. Returns the
    first response and its duration."""
    minted = mint(games_client, aggregator, code, **body)
    started = time.monotonic()
    response = launch(games_client, minted["token"])
    elapsed = time.monotonic() - started
    again = launch(games_client, minted["token"])
    assert again.status_code == 409, again.json
    assert error_code(again) == "token_already_used"
    return response, elapsed


def no_sessions():
    with database.connection_context():
        return PlayerSession.select().count() == 0


# --- refusals by the reference wallet -------------------------------------------------------


def test_unknown_player_is_403(games_client, world):
    response, _ = launch_and_relaunch(games_client, world["aggregator"], sub="nobody")
    assert response.status_code == 403, response.json
    assert error_code(response) == "player_not_found"
    assert no_sessions()


def test_frozen_player_is_403(games_client, world):
    world["wallet"].add_player("icy", "USDT", "50", frozen=True)
    response, _ = launch_and_relaunch(games_client, world["aggregator"], sub="icy")
    assert response.status_code == 403, response.json
    assert error_code(response) == "player_frozen"
    assert no_sessions()


def test_currency_mismatch_is_422(games_client, world):
    world["wallet"].add_player("btc-holder", "BTC", "1")
    response, _ = launch_and_relaunch(
        games_client, world["aggregator"], sub="btc-holder", currency="USDT"
    )
    assert response.status_code == 422, response.json
    assert error_code(response) == "currency_mismatch"
    assert no_sessions()


def test_bad_response_signature_is_502(games_client, world):
    # The wallet signs (and checks) with a secret the operator does not have.
    world["wallet"].use_secret("x" * 64)
    response, _ = launch_and_relaunch(games_client, world["aggregator"])
    assert response.status_code == 502, response.json
    assert error_code(response) == "wallet_unavailable"
    assert no_sessions()


# --- a wallet that is not there or too slow -------------------------------------------------


def test_wallet_down_is_502(client, games_client, aggregator):
    closed = f"http://127.0.0.1:{free_port()}"
    operator = make_operator(client, aggregator, "downbrand", walletBaseUrl=closed)
    configure(client, aggregator, operator)
    response, _ = launch_and_relaunch(games_client, aggregator, "downbrand")
    assert response.status_code == 502, response.json
    assert error_code(response) == "wallet_unavailable"
    assert no_sessions()


def test_slow_wallet_is_504_at_the_operators_timeout(games_client, aggregator, fake):
    fake.mode = "slow"
    response, elapsed = launch_and_relaunch(games_client, aggregator, "fakebrand")
    assert response.status_code == 504, response.json
    assert error_code(response) == "wallet_timeout"
    assert elapsed < UPPER_BOUND_SECONDS
    assert [path for path, _ in fake.calls] == ["/auth"]
    assert no_sessions()


@pytest.mark.parametrize("mode", ["trickle", "stall-body"])
def test_wallet_slow_after_its_headers_is_504_at_the_operators_timeout(
    games_client, aggregator, fake, mode
):
    # walletTimeoutMs bounds the whole call, not each read of the answer.
    fake.mode = mode
    response, elapsed = launch_and_relaunch(games_client, aggregator, "fakebrand")
    assert response.status_code == 504, response.json
    assert error_code(response) == "wallet_timeout"
    assert elapsed < UPPER_BOUND_SECONDS
    assert no_sessions()


class DrippingWallet:
    """A raw TCP wallet (TLS under `tls`, an ssl.SSLContext) that reads a request, then sends
    `answer` one byte every `pause` seconds: each read waits briefly, the answer takes seconds."""

    def __init__(self, answer, pause=0.05, tls=None):
        self.answer, self.pause, self.tls = answer, pause, tls
        self.handshakes = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection):
        with connection:
            try:
                if self.tls is not None:
                    connection = self.tls.wrap_socket(connection, server_side=True)
                    self.handshakes += 1
                connection.recv(65536)
                for byte in self.answer:
                    connection.sendall(bytes([byte]))
                    time.sleep(self.pause)
            except OSError:
                pass  # the platform gave up and closed the connection

    def close(self):
        self._listener.close()


@pytest.fixture(scope="module")
def wallet_tls(tmp_path_factory):
    """A server context for 127.0.0.1, and the CA file that the platform must trust for it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test wallet")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("wallet-tls")
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context, str(folder / "cert.pem")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_wallet_dripping_its_headers_is_504_at_the_operators_timeout(
    client, games_client, aggregator, wallet_tls, monkeypatch, scheme
):
    # walletTimeoutMs bounds the status line and the headers too, over TLS as over plain http.
    tls = None
    if scheme == "https":
        tls, ca_file = wallet_tls
        monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", ca_file)
    headers = b"".join(b"X-Padding-%d: x\r\n" % n for n in range(40))
    wallet = DrippingWallet(b"HTTP/1.1 200 OK\r\n" + headers, tls=tls)
    try:
        operator = make_operator(
            client,
            aggregator,
            "dripbrand",
            walletBaseUrl=f"{scheme}://127.0.0.1:{wallet.port}",
            walletTimeoutMs=TIMEOUT_MS,
        )
        configure(client, aggregator, operator)
        response, elapsed = launch_and_relaunch(games_client, aggregator, "dripbrand")
    finally:
        wallet.close()
    assert response.status_code == 504, response.json
    assert error_code(response) == "wallet_timeout"
    assert elapsed < UPPER_BOUND_SECONDS
    assert no_sessions()
    if scheme == "https":  # the drip came after a completed handshake, inside the headers
        assert wallet.handshakes == 1


@pytest.mark.parametrize("trusted", [False, True])
def test_a_tls_wallet_is_reached_only_when_its_certificate_is_trusted(
    client, games_client, aggregator, wallet_tls, monkeypatch, trusted
):
    tls, ca_file = wallet_tls
    if trusted:
        monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", ca_file)
    with served_fake_wallet(ssl_context=tls) as fake:
        wired_operator(client, aggregator, fake, "tlsbrand")
        response = launch(games_client, mint(games_client, aggregator, "tlsbrand")["token"])
    if trusted:
        assert response.status_code == 302, response.json
        assert len(fake.calls) == 1
    else:
        assert response.status_code == 502, response.json
        assert error_code(response) == "wallet_unavailable"
        assert fake.calls == []


def test_a_call_cut_at_its_deadline_leaves_other_threads_calls_alone(
    client, games_app, games_client, aggregator, fake_wallet_server
):
    # Each call's deadline is its own. One thread's calls to a dripping wallet are cut at
    # 0.3 s while three other threads launch at a wallet that takes 0.2 s of its 2 s: their
    # calls are under way whenever a cut comes, and all of them succeed. The cut thread's
    # next call, at the healthy wallet, succeeds too.
    fake = fake_wallet_server
    wired_operator(client, aggregator, fake, "calmbrand")
    fake.mode = "unhurried"
    dripping = DrippingWallet(b"HTTP/1.1 200 OK\r\n" + b"X-Padding: x\r\n" * 40)
    drip = make_operator(
        client,
        aggregator,
        "dripbrand",
        walletBaseUrl=f"http://127.0.0.1:{dripping.port}",
        walletTimeoutMs=TIMEOUT_MS,
    )
    configure(client, aggregator, drip)
    healthy = [
        [mint(games_client, aggregator, "calmbrand")["token"] for _ in range(6)] for _ in range(3)
    ]
    cut = [mint(games_client, aggregator, "dripbrand")["token"] for _ in range(3)]
    after_cut = mint(games_client, aggregator, "calmbrand")["token"]
    statuses = {}

    def launches(name, tokens):
        player = games_app.test_client()
        statuses[name] = [launch(player, token).status_code for token in tokens]

    threads = [threading.Thread(target=launches, args=(n, t)) for n, t in enumerate(healthy)]
    threads.append(threading.Thread(target=launches, args=("cut", [*cut, after_cut])))
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        dripping.close()
    assert statuses == {0: [302] * 6, 1: [302] * 6, 2: [302] * 6, "cut": [504, 504, 504, 302]}


# --- answers the platform must not believe --------------------------------------------------


def test_fake_wallet_answering_well_launches(games_client, aggregator, fake):
    minted = mint(games_client, aggregator, "fakebrand", country="DE")
    response = launch(games_client, minted["token"])
    assert response.status_code == 302, response.json
    ((path, call),) = fake.calls
    assert path == "/auth"
    assert call["operator"] == "fakebrand"
    assert (call["sub"], call["currency"], call["country"]) == ("player-1", "USDT", "DE")
    assert call["requestId"] and call["sessionId"]
    with database.connection_context():
        (session,) = PlayerSession.select()
    assert session.id == call["sessionId"]


def test_wallet_calls_name_the_platform_and_send_no_cookies_back(games_client, aggregator, fake):
    fake.mode = "set-cookie"
    for _ in range(2):
        minted = mint(games_client, aggregator, "fakebrand")
        assert launch(games_client, minted["token"]).status_code == 302
    assert len(fake.headers) == 2
    for headers in fake.headers:
        assert headers["HTTP_USER_AGENT"].startswith("BetterPlay/")
        assert headers["HTTP_X_SIGNATURE"] and headers["HTTP_X_TIMESTAMP"]
        assert "HTTP_COOKIE" not in headers


def test_wallet_base_url_may_have_a_path(client, games_client, aggregator, fake_wallet_server):
    fake = fake_wallet_server
    wired_operator(client, aggregator, fake, "pathbrand", walletBaseUrl=fake.url + "/bp/wallet/")
    minted = mint(games_client, aggregator, "pathbrand")
    assert launch(games_client, minted["token"]).status_code == 302
    assert [path for path, _ in fake.calls] == ["/bp/wallet/auth"]


def test_wallet_calls_ignore_proxy_settings_in_the_environment(
    games_client, aggregator, fake, monkeypatch
):
    """A proxy set for the process's own browsing must not see (or break) wallet calls."""
    dead = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    minted = mint(games_client, aggregator, "fakebrand")
    assert launch(games_client, minted["token"]).status_code == 302
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    "mode, status, code",
    [
        ("frozen-flag", 403, "player_frozen"),
        ("other-currency", 422, "currency_mismatch"),
        ("other-sub", 502, "wallet_error"),
        ("bad-balance", 502, "wallet_error"),
        ("error-500", 502, "wallet_unavailable"),
        ("unsigned", 502, "wallet_unavailable"),
        ("not-json", 502, "wallet_unavailable"),
        ("unknown-refusal", 502, "wallet_error"),
    ],
)
def test_wallet_answers_are_checked(games_client, aggregator, fake, mode, status, code):
    fake.mode = mode
    response, _ = launch_and_relaunch(games_client, aggregator, "fakebrand")
    assert response.status_code == status, response.json
    assert error_code(response) == code
    assert no_sessions()


def test_wallet_errors_render_html_for_browsers(games_client, aggregator, fake):
    fake.mode = "error-500"
    minted = mint(games_client, aggregator, "fakebrand", returnUrl="https://play.mybrand.com/")
    response = launch(games_client, minted["token"], headers={})
    assert response.status_code == 502
    page = response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/html")
    assert '<a href="https://play.mybrand.com/">' in page
    assert launch(games_client, minted["token"], headers=JSON).status_code == 409
