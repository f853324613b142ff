"""`prefix.secret` API keys: minting, bcrypt hashing, and verification that pays bcrypt once.

A successful verification is cached per process under the SHA-256 of the full key together with
the stored hash, so a key is checked with bcrypt at most once per worker; the key row is still
read on every request, so revocation and expiry apply at once. Failed checks are counted per
prefix: past the limit, a prefix is refused without running bcrypt until the window passes, so
wrong secrets for a known prefix cannot be used to burn CPU.
"""

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict, deque
from datetime import timedelta

import bcrypt

from common.models import AdminKey, Aggregator, ApiKey, utcnow
from common.prepared import Prepared

KEY_PATTERN = re.compile(r"^([0-9a-f]{12})\.([A-Za-z0-9_-]+)$")
BCRYPT_MAX_BYTES = 72
LAST_USED_GRANULARITY = timedelta(seconds=60)
CACHE_SIZE = 10_000


def mint_key():
    """Return (prefix, secret, full key): 12 hex chars, a dot, 32 random bytes URL-safe."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return prefix, secret, f"{prefix}.{secret}"


def hash_secret(secret, rounds):
    return bcrypt.hashpw(secret.encode(), bcrypt.gensalt(rounds)).decode()


def split_key(raw_key):
    """(prefix, secret) of a well-formed key, else None (bcrypt refuses secrets over 72 bytes)."""
    match = KEY_PATTERN.match(raw_key or "")
    if not match or len(match.group(2)) > BCRYPT_MAX_BYTES:
        return None
    return match.group(1), match.group(2)


class TooManyFailures(Exception):
    def __init__(self, retry_after):
        super().__init__("too many failed attempts")
        self.retry_after = retry_after


class KeyVerifier:
    """Per-process cache of verified keys and per-prefix failure counts."""

    def __init__(self):
        self._verified = OrderedDict()
        self._failures = {}
        self._lock = threading.Lock()

    def verify(self, raw_key, secret, row, failure_limit, window_seconds):
        digest = hashlib.sha256(raw_key.encode()).hexdigest()
        with self._lock:
            cached = self._verified.get(digest)
            if cached is not None and hmac.compare_digest(cached, row.secret_hash):
                self._verified.move_to_end(digest)
                return True
            self._check_failures(row.prefix, failure_limit, window_seconds)
        ok = bcrypt.checkpw(secret.encode(), row.secret_hash.encode())
        with self._lock:
            if ok:
                self._verified[digest] = row.secret_hash
                if len(self._verified) > CACHE_SIZE:
                    self._verified.popitem(last=False)
                self._failures.pop(row.prefix, None)
            else:
                self._failures.setdefault(row.prefix, deque()).append(time.monotonic())
        return ok

    def _check_failures(self, prefix, limit, window_seconds):
        failures = self._failures.get(prefix)
        if not failures:
            return
        now = time.monotonic()
        while failures and failures[0] <= now - window_seconds:
            failures.popleft()
        if not failures:
            del self._failures[prefix]
        elif len(failures) >= limit:
            raise TooManyFailures(int(failures[0] + window_seconds - now) + 1)


verifier = KeyVerifier()

# An API key comes with its aggregator (key.aggregator), read in the same query.
KEY_BY_PREFIX = {
    ApiKey: Prepared(
        lambda prefix: (
            ApiKey.select(ApiKey, Aggregator).join(Aggregator).where(ApiKey.prefix == prefix)
        )
    ),
    AdminKey: Prepared(lambda prefix: AdminKey.select().where(AdminKey.prefix == prefix)),
}


def find_usable_key(model, raw_key, failure_limit, window_seconds):
    """The `model` row (ApiKey or AdminKey) that `raw_key` proves, or None.

    Raises TooManyFailures when the prefix has failed too often recently.
    """
    parts = split_key(raw_key)
    if parts is None:
        return None
    prefix, secret = parts
    row = KEY_BY_PREFIX[model].first(prefix)
    now = utcnow()
    if row is None or not row.is_usable(now):
        return None
    if not verifier.verify(raw_key, secret, row, failure_limit, window_seconds):
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
        model.update(last_used_at=now).where(model.prefix == prefix).execute()
    return row
