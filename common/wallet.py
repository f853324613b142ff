"""The platform's client for operator wallets (SPEC section 6): signed, pooled, time-boxed.

Every call has a total deadline of the operator's walletTimeoutMs, a fresh requestId, an HMAC
signature over the exact body, and its answer's signature checked before it is parsed. Failures
come out as three exceptions the callers map to HTTP: WalletRefused (the wallet answered no),
WalletUnavailable (502: unreachable, 5xx, unsigned or unreadable answer) and WalletTimeout (504).
"""

import json
import logging
import threading
import time
import uuid
from decimal import Decimal
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

import requests
from requests.utils import default_headers
from urllib3.exceptions import HTTPError, ReadTimeoutError
from urllib3.util import Timeout

from common.money import format_amount
from common.signing import SignatureError, signed_headers, verify
from common.wallet_addresses import PrivateAddressError, UnresolvableHostError
from common.wallet_deadlines import deadline_of
from common.wallet_http import WalletAdapter

log = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 1024 * 1024
TIMEOUTS = (requests.Timeout, ReadTimeoutError, TimeoutError)
_local = threading.local()


class WalletError(Exception):
    status = 502
    code = "wallet_error"

    def __init__(self, message, wallet_code=None, details=None):
        super().__init__(message)
        self.message = message
        self.wallet_code = wallet_code
        self.details = details or {}


class WalletRefused(WalletError):
    """The wallet answered with a definite error (PLAYER_NOT_FOUND, INSUFFICIENT_FUNDS, ...)."""

    status = 422
    code = "wallet_refused"


class WalletUnavailable(WalletError):
    status = 502
    code = "wallet_unavailable"


class WalletTimeout(WalletError):
    status = 504
    code = "wallet_timeout"


def _adapter(public_only):
    """One pooled requests HTTPAdapter per thread: keep-alive without sharing across threads.

    Calls go straight to the adapter, not through a requests.Session: a Session merges its
    settings, cookies, proxies from the environment and hooks into every request, which cost a
    quarter of a call's CPU, and a signed server-to-server call needs none of them. Clients
    that block private addresses get an adapter of their own, so that they never reuse a
    connection that was opened without the check.
    """
    adapters = getattr(_local, "adapters", None)
    if adapters is None:
        adapters = _local.adapters = {}
    adapter = adapters.get(public_only)
    if adapter is None:
        adapter = adapters[public_only] = WalletAdapter(
            public_only, pool_connections=8, pool_maxsize=8, max_retries=0
        )
    return adapter


def _user_agent():
    try:
        return f"BetterPlay/{version('betterplay')}"
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "BetterPlay"


# The headers a requests Session would send, naming the platform rather than the library, so
# that an operator can tell its wallet's callers apart in its logs and firewall rules.
BASE_HEADERS = {**default_headers(), "User-Agent": _user_agent()}


@lru_cache(maxsize=1024)
def _target(url):
    """`url` as requests normalises it."""
    return requests.Request("POST", url).prepare().url


def _request(url, body, headers):
    """A POST of `body` to `url`, prepared as requests would, without re-parsing the URL.

    Its headers are a plain dict, not requests' CaseInsensitiveDict: they are only ever read
    by the adapter and urllib3 (which copies them for every call), and the names are ours.
    """
    prepared = requests.PreparedRequest()
    prepared.method = "POST"
    prepared.url = _target(url)
    prepared.headers = {**BASE_HEADERS, **headers, "Content-Length": str(len(body))}
    prepared.body = body
    return prepared


def _encode(payload):
    def default(value):
        if isinstance(value, Decimal):
            return format_amount(value)
        raise TypeError(f"cannot encode {type(value).__name__}")

    return json.dumps(payload, default=default, separators=(",", ":")).encode()


def _read_body(raw):
    """The answer's bytes, read as they arrive (read1), up to MAX_RESPONSE_BYTES.

    How long it may take is not this loop's business: the call's deadline shuts the connection
    (common/wallet_deadlines.py), and a read then ends early or fails.
    """
    chunks, size = [], 0
    while True:
        chunk = raw.read1(16384, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise WalletUnavailable("The wallet's answer is too large.")
        chunks.append(chunk)


class WalletClient:
    """Calls one operator's wallet: POST {walletBaseUrl}/{auth|bet|win|rollback}."""

    def __init__(self, base_url, hmac_secret, timeout_ms, block_private_addresses=False):
        self.base_url = base_url.rstrip("/")
        self._secret = hmac_secret
        self.timeout = timeout_ms / 1000
        self.block_private_addresses = block_private_addresses

    def call(self, action, payload, request_id=None):
        """POST `payload` plus a requestId (new unless given) to /`action`; return the verified
        JSON answer."""
        url = f"{self.base_url}/{action}"
        body = _encode({"requestId": request_id or str(uuid.uuid4()), **payload})
        headers = {"Content-Type": "application/json", **signed_headers(self._secret, body)}
        started = time.monotonic()
        deadline = started + self.timeout
        try:
            status, response_headers, raw = self._post(url, body, headers, deadline)
        finally:
            log.info("wallet %s -> %s in %.0f ms", action, url, (time.monotonic() - started) * 1000)
        return self._answer(action, status, response_headers, raw)

    def _post(self, url, body, headers, deadline):
        with deadline_of(deadline) as call:
            try:
                response = _adapter(self.block_private_addresses).send(
                    _request(url, body, headers),
                    stream=True,
                    timeout=Timeout(total=self.timeout),
                    verify=True,
                    cert=None,
                    proxies={},
                )
                with response:
                    answer = response.status_code, response.headers, _read_body(response.raw)
            except PrivateAddressError:
                raise WalletUnavailable(
                    "The wallet address is private or loopback, which is blocked."
                ) from None
            except UnresolvableHostError:
                raise WalletUnavailable("The wallet host name does not resolve.") from None
            except (requests.RequestException, HTTPError, OSError) as exc:
                if call.expired or isinstance(exc, TIMEOUTS):
                    raise WalletTimeout("The wallet did not answer in time.") from None
                if isinstance(exc, requests.RequestException):
                    raise WalletUnavailable("The wallet could not be reached.") from None
                raise WalletUnavailable("The wallet's answer could not be read.") from None
        if call.expired:  # the deadline cut the answer short, which reads as a short body
            raise WalletTimeout("The wallet did not answer in time.")
        return answer

    def _answer(self, action, status, headers, raw):
        if status >= 500:
            raise WalletUnavailable(f"The wallet failed with HTTP {status}.")
        try:
            verify(self._secret, headers, raw)
        except SignatureError:
            raise WalletUnavailable("The wallet's answer is not validly signed.") from None
        try:
            data = json.loads(raw, parse_float=Decimal)
        except ValueError:
            raise WalletUnavailable("The wallet's answer is not JSON.") from None
        if not isinstance(data, dict):
            raise WalletUnavailable("The wallet's answer is not a JSON object.")
        if 200 <= status < 300:
            return data
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        code = str(error.get("code") or "UNKNOWN")
        details = error.get("details") if isinstance(error.get("details"), dict) else {}
        raise WalletRefused(f"The wallet refused the {action}: {code}.", code, details)
