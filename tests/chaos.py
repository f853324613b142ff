"""A chaos proxy in front of the reference wallet, and helpers for the money-safety tests.

`ChaosProxy` is a small WSGI app (served by ThreadedServer) that forwards POST /auth, /bet, /win
and /rollback to the real wallet byte for byte — body, X-Timestamp and X-Signature — and hands
the wallet's signed answer back, unless a rule for that action says otherwise:

    proxy.fail("win", times=3)                  # 500 without forwarding, 3 times, then pass
    proxy.lose_answer("bet")                    # forward (money moves), then answer 500
    proxy.close("rollback", times=2)            # drop the connection without forwarding
    proxy.delay("bet", 1.0)                     # wait 1 s (past the platform's timeout), forward
    proxy.corrupt_signature("bet")              # forward, then spoil the answer's X-Signature
    proxy.chaos(random.Random(7), rate=0.1)     # random faults on bet, win and rollback

Every call is logged (action, transactionId, requestId, what the proxy did, the statuses).
"""

import contextlib
import json
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import requests
from werkzeug.wrappers import Request, Response

from common import worker
from common.db import database
from common.models import Round, WalletTransaction, utcnow
from refwallet.db import database as wallet_database
from tests.servers import ThreadedServer
from tests.world import CONFIG, GAMES

ACTIONS = ("auth", "bet", "win", "rollback")
PASS, FAIL, LOSE_ANSWER, CLOSE, DELAY, CORRUPT = (
    "pass",
    "fail",
    "lose_answer",
    "close",
    "delay",
    "corrupt_signature",
)
# Faults the random mode picks from: quick ones (a delay costs the platform its whole timeout).
QUICK_FAULTS = (FAIL, LOSE_ANSWER, CLOSE, CORRUPT)
FORWARD_TIMEOUT_SECONDS = 30


@dataclass
class Rule:
    mode: str
    times: int | None = 1  # None: until cleared
    seconds: float = 0.0


@dataclass
class Call:
    """One HTTP call the platform made to the wallet, and what the proxy did with it."""

    action: str
    body: dict
    mode: str
    status: int | None = None  # what the platform was answered (None: connection dropped)
    wallet_status: int | None = None  # what the wallet answered (None: never forwarded)
    wallet_body: dict | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def transaction_id(self):
        return self.body.get("transactionId")

    @property
    def request_id(self):
        return self.body.get("requestId")

    @property
    def reference(self):
        return self.body.get("referenceTransactionId")

    @property
    def forwarded(self):
        return self.wallet_status is not None

    def __repr__(self):
        return (
            f"Call({self.action} {self.transaction_id} req={self.request_id} {self.mode} "
            f"-> {self.status}, wallet {self.wallet_status})"
        )


class ChaosProxy:
    """Forwards wallet calls to `target_url`, applying per-action fault rules."""

    def __init__(self, target_url):
        self.target_url = target_url.rstrip("/")
        self.url = None  # where the proxy listens, once served (serve_proxy sets it)
        self._lock = threading.Lock()
        self._rules = {action: [] for action in ACTIONS}
        self._random = None
        self._calls = []
        self._local = threading.local()

    # --- rules ---------------------------------------------------------------------------

    def reset(self):
        """Forget every rule and the call log: pass everything through."""
        self.wait_idle()
        with self._lock:
            self._rules = {action: [] for action in ACTIONS}
            self._random = None
            self._calls = []

    def add(self, action, mode, times=1, seconds=0.0):
        """Queue a rule for `action`: applied to its next `times` calls (None: all of them)."""
        assert action in ACTIONS, action
        with self._lock:
            self._rules[action].append(Rule(mode, times, seconds))
        return self

    def fail(self, action, times=1):
        return self.add(action, FAIL, times)

    def lose_answer(self, action, times=1):
        return self.add(action, LOSE_ANSWER, times)

    def close(self, action, times=1):
        return self.add(action, CLOSE, times)

    def delay(self, action, seconds, times=1):
        return self.add(action, DELAY, times, seconds)

    def corrupt_signature(self, action, times=1):
        return self.add(action, CORRUPT, times)

    def chaos(self, rng, rate, actions=("bet", "win", "rollback"), modes=QUICK_FAULTS):
        """Fault a random `rate` of the calls to `actions`, with a random mode of `modes`."""
        with self._lock:
            self._random = (rng, rate, frozenset(actions), tuple(modes))

    def calm(self):
        """Stop the random faults (queued rules stay)."""
        with self._lock:
            self._random = None

    def _next_rule(self, action):
        with self._lock:
            queue = self._rules[action]
            if queue:
                rule = queue[0]
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        queue.pop(0)
                return rule
            if self._random is not None:
                rng, rate, actions, modes = self._random
                if action in actions and rng.random() < rate:
                    return Rule(rng.choice(modes))
        return Rule(PASS)

    # --- the log -------------------------------------------------------------------------

    def calls(self, action=None, transaction_id=None, reference=None):
        with self._lock:
            calls = list(self._calls)
        return [
            call
            for call in calls
            if (action is None or call.action == action)
            and (transaction_id is None or call.transaction_id == transaction_id)
            and (reference is None or call.reference == reference)
        ]

    def wait_idle(self, timeout=10.0):
        """Wait until every call the proxy took has been answered (delayed ones included)."""
        deadline = time.monotonic() + timeout
        for call in self.calls():
            if not call.done.wait(max(0.0, deadline - time.monotonic())):
                raise AssertionError(f"the proxy is still busy with {call}")

    # --- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        action = request.path.strip("/")
        if request.method != "POST" or action not in ACTIONS:
            response = Response(b'{"error": "not proxied"}', 404, mimetype="application/json")
            return response(environ, start_response)
        raw = request.get_data()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        rule = self._next_rule(action)
        call = Call(action, body if isinstance(body, dict) else {}, rule.mode)
        with self._lock:
            self._calls.append(call)
        try:
            response = self._handle(call, rule, raw, request.headers, environ)
        except BaseException:
            call.done.set()
            raise
        call.status = response.status_code
        call.done.set()
        return response(environ, start_response)

    def _handle(self, call, rule, raw, headers, environ):
        if rule.mode == FAIL:
            return _error_response(500)
        if rule.mode == CLOSE:
            _drop(environ)
        if rule.mode == DELAY:
            time.sleep(rule.seconds)
        status, answer_headers, answer = self._forward(call.action, raw, headers)
        call.wallet_status = status
        try:
            call.wallet_body = json.loads(answer)
        except ValueError:
            call.wallet_body = None
        if rule.mode == LOSE_ANSWER:
            return _error_response(500)
        out = {k: v for k, v in answer_headers.items() if k in ("X-Timestamp", "X-Signature")}
        if rule.mode == CORRUPT and "X-Signature" in out:
            signature = out["X-Signature"]
            out["X-Signature"] = ("0" if signature[0] != "0" else "1") + signature[1:]
        return Response(answer, status, headers=out, mimetype="application/json")

    def _forward(self, action, raw, headers):
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False
        sent = {"Content-Type": "application/json"}
        for name in ("X-Timestamp", "X-Signature"):
            if name in headers:
                sent[name] = headers[name]
        answer = session.post(
            f"{self.target_url}/{action}", data=raw, headers=sent, timeout=FORWARD_TIMEOUT_SECONDS
        )
        return answer.status_code, answer.headers, answer.content


def _error_response(status):
    body = json.dumps({"error": {"code": "INTERNAL", "message": "chaos proxy"}}).encode()
    return Response(body, status, mimetype="application/json")


def _drop(environ):
    """Close the platform's connection without an answer, like a crashed load balancer."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    # werkzeug treats a ConnectionError from the app as a dropped connection: no answer at all.
    raise ConnectionResetError("chaos proxy dropped the connection")


class serve_proxy:
    """Context manager: a ChaosProxy for `target_url` on a local port (`.url`, `.proxy`)."""

    def __init__(self, target_url):
        self.proxy = ChaosProxy(target_url)
        self._server = ThreadedServer(self.proxy)
        self.url = self._server.url
        self.proxy.url = self.url

    def __enter__(self):
        self._server.__enter__()
        return self.proxy

    def __exit__(self, *exc):
        try:
            self.proxy.wait_idle()
        finally:
            self._server.__exit__(*exc)


# --- the platform side ------------------------------------------------------------------------

SINGLE_ROUND_GAMES = GAMES
# The world's config: every single-round game, in USDT (0.1-500) and BTC (0.000005-0.01).
CHAOS_CONFIG = CONFIG
OPERATORS = "/api/v1/bo/aggregator/operators"


def make_proxied_operator(client, aggregator, wallet, proxy_url, code="chaosbrand", timeout_ms=300):
    """Create (through the backoffice API) an operator whose wallet is reached via the proxy;
    the reference wallet takes its HMAC secret."""
    body = {
        "code": code,
        "name": "Chaos Casino",
        "walletBaseUrl": proxy_url,
        "gameFrontendBaseUrl": "https://play.chaos.example",
        "walletTimeoutMs": timeout_ms,
    }
    response = client.post(OPERATORS, json=body, headers=aggregator["headers"])
    assert response.status_code == 201, response.json
    operator = response.json["operator"]
    response = client.put(
        f"{OPERATORS}/{operator['id']}/config", json=CHAOS_CONFIG, headers=aggregator["headers"]
    )
    assert response.status_code == 200, response.json
    wallet.use_secret(operator["walletHmacSecret"])
    return operator


class ProxiedWorld:
    """An operator whose wallet calls go through a chaos proxy to the reference wallet."""

    def __init__(self, games_app, aggregator, wallet, proxy, operator):
        self.games_app, self.aggregator, self.wallet = games_app, aggregator, wallet
        self.proxy, self.operator = proxy, operator
        self.code = operator["code"]

    def player(self, sub="player-1", currency="USDT", balance="100", app=None):
        """Add `sub` to the wallet and return a test client with a live session for it."""
        self.wallet.add_player(sub, currency, balance)
        client = launch(app or self.games_app, self.aggregator, self.code, sub, currency)
        self.proxy.reset()  # the log starts after /auth
        return client

    def wallet_call(self, fn, *args):
        """Run `fn` against the wallet's own database (to freeze a player, say)."""
        with self.wallet.app.app_context(), wallet_database.connection_context():
            return fn(*args)


def proxied_world(games_app, client, aggregator, wallet, proxy, timeout_ms=300):
    """An operator (made through the backoffice API) whose wallet is `proxy`, itself in front
    of `wallet`; the proxy's rules and log start empty."""
    proxy.reset()
    operator = make_proxied_operator(client, aggregator, wallet, proxy.url, timeout_ms=timeout_ms)
    return ProxiedWorld(games_app, aggregator, wallet, proxy, operator)


def launch(games_app, aggregator, operator_code, sub, currency="USDT", game="dice"):
    """A test client of `games_app` holding a live player session for `sub`."""
    client = games_app.test_client()
    minted = client.post(
        f"/v1/aggregator/operators/{operator_code}/launch-tokens",
        json={"sub": sub, "currency": currency, "game": game},
        headers=aggregator["headers"],
    )
    assert minted.status_code == 201, minted.json
    launched = client.get(minted.json["launchUrl"])
    assert launched.status_code == 302, launched.get_data(as_text=True)
    return client


def place(player, game="dice", amount="1", params=None):
    """POST one bet; returns the response."""
    if params is None:
        params = {"target": "50", "condition": "under"}
    return player.post(f"/v1/games/{game}/bets", json={"amount": amount, "params": params})


# --- random valid bets ------------------------------------------------------------------------


def _roulette_numbers(rng, kind):
    """Valid numbers for an inside, dozen or column chip."""
    if kind == "straight":
        return [rng.randrange(37)]
    if kind == "split":
        n = rng.randrange(1, 34)
        return [n, n + 3]
    if kind == "street":
        n = rng.randrange(1, 37, 3)
        return [n, n + 1, n + 2]
    if kind == "corner":
        n = rng.choice([n for n in range(1, 33) if n % 3])
        return [n, n + 1, n + 3, n + 4]
    if kind == "line":
        n = rng.randrange(1, 32, 3)
        return list(range(n, n + 6))
    if kind == "dozen":
        n = rng.choice([1, 13, 25])
        return list(range(n, n + 12))
    return list(range(rng.choice([1, 2, 3]), 37, 3))  # column


ROULETTE_INSIDE = ["straight", "split", "street", "corner", "line", "dozen", "column"]
ROULETTE_OUTSIDE = ["red", "black", "odd", "even", "low", "high"]


def random_amount(rng, low, high, places):
    """A random Decimal in [low, high] with at most `places` decimals (never 0)."""
    step = Decimal(1).scaleb(-places)
    units = rng.randint(int(Decimal(low) / step), int(Decimal(high) / step))
    return (units * step).normalize() if units else step


def _plain(value):
    return format(value, "f")


def random_bet(rng, game, currency):
    """(amount, params) of a valid random bet of `game` in `currency`."""
    if currency == "BTC":
        amount = random_amount(rng, "0.000005", "0.002", 8)
    else:
        amount = random_amount(rng, "0.1", "20", rng.choice([0, 1, 2, 8]))
    if game == "dice":
        condition = rng.choice(["over", "under"])
        chance = random_amount(rng, "0.01", "98", 2)
        target = chance if condition == "under" else Decimal(100) - chance
        params = {"target": _plain(target), "condition": condition}
    elif game == "limbo":
        target = rng.choice([Decimal("1.01"), random_amount(rng, "1.01", "50", 2), Decimal(1000)])
        params = {"target": _plain(target)}
    elif game == "coinflip":
        params = {"side": rng.choice(["heads", "tails"])}
    elif game == "wheel":
        params = {
            "risk": rng.choice(["low", "medium", "high"]),
            "segments": rng.choice([10, 20, 30, 40, 50]),
        }
    elif game == "plinko":
        params = {"risk": rng.choice(["low", "medium", "high"]), "rows": rng.randint(8, 16)}
    elif game == "keno":
        params = {
            "risk": rng.choice(["classic", "low", "medium", "high"]),
            "picks": rng.sample(range(1, 41), rng.randint(1, 10)),
        }
    elif game == "baccarat":
        params = {"side": rng.choice(["player", "banker", "tie"])}
    elif game == "roulette":
        chips, total = [], Decimal(0)
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice([*ROULETTE_INSIDE, *ROULETTE_OUTSIDE])
            chip = amount / 4 if currency == "USDT" else amount
            chip = max(chip.quantize(Decimal("0.00000001")), Decimal("0.00000001"))
            bet = {"type": kind, "amount": _plain(chip)}
            if kind in ROULETTE_INSIDE:
                bet["numbers"] = _roulette_numbers(rng, kind)
            chips.append(bet)
            total += chip
        if total < (Decimal("0.1") if currency == "USDT" else Decimal("0.000005")):
            chips[0]["amount"] = _plain(Decimal(chips[0]["amount"]) + amount)
            total += amount
        amount = total
        params = {"bets": chips}
    else:
        raise ValueError(game)
    return _plain(amount), params


# --- the worker -------------------------------------------------------------------------------


def unfinished_money():
    """(pending wins/rollbacks, pending bets) on the platform."""
    with database.connection_context():
        credits = (
            WalletTransaction.select()
            .where(
                WalletTransaction.kind.in_(["win", "rollback"])
                & (WalletTransaction.status == "pending")
            )
            .count()
        )
        bets = (
            WalletTransaction.select()
            .where((WalletTransaction.kind == "bet") & (WalletTransaction.status == "pending"))
            .count()
        )
    return credits, bets


def run_worker(games_app, passes=1, ahead=timedelta(minutes=10)):
    """Run `passes` worker passes with `now` far enough ahead that everything is due."""
    results = []
    with games_app.app_context():
        for _ in range(passes):
            results.append(worker.run_once(now=utcnow() + ahead))
    return results


def drain(games_app, max_passes=40):
    """Run the worker until nothing is pending (and a pass changes nothing); returns passes."""
    for passes in range(1, max_passes + 1):
        run_worker(games_app)
        if unfinished_money() == (0, 0):
            # One more pass must be a no-op: nothing left to do, nothing done twice.
            assert run_worker(games_app) == [(0, 0)]
            return passes
    raise AssertionError(f"still pending after {max_passes} worker passes: {unfinished_money()}")


def round_row(round_id):
    with database.connection_context():
        return Round.get_by_id(round_id)


def transactions_of(round_id):
    with database.connection_context():
        return list(
            WalletTransaction.select()
            .where(WalletTransaction.round == round_id)
            .order_by(WalletTransaction.created_at)
        )


def latest_round():
    with database.connection_context():
        return Round.select().order_by(Round.created_at.desc()).first()


def wallet_ledger(wallet, sub):
    """The wallet's transactions for `sub`, by kind: {"bet": [...], "win": [...], ...}."""
    ledger = {"bet": [], "win": [], "rollback": [], "tombstone": []}
    for row in wallet.transactions(sub):
        ledger[row.kind].append(row)
    return ledger


def rng_for(seed):
    return random.Random(seed)
