"""HMAC signatures of wallet requests and responses (SPEC section 6).

X-Signature = hex HMAC-SHA256(secret, "<X-Timestamp>.<raw body bytes>"). The receiver checks the
signature over the raw bytes before parsing anything, and refuses timestamps more than 300 s off.
"""

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Timestamp"
SIGNATURE_HEADER = "X-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The signature or timestamp does not hold; the message says which."""


def sign(secret, timestamp, body):
    """Hex HMAC-SHA256 of `"<timestamp>.<body>"`; `body` is the raw bytes sent."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret, body, now=None):
    timestamp = str(int(now if now is not None else time.time()))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify(secret, headers, body, now=None, tolerance=TOLERANCE_SECONDS):
    """Raise SignatureError unless `headers` carry a fresh, valid signature of `body`."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    signature = headers.get(SIGNATURE_HEADER, "")
    if not timestamp.isdigit() or not signature:
        raise SignatureError("Missing or malformed X-Timestamp or X-Signature header.")
    now = now if now is not None else time.time()
    if abs(now - int(timestamp)) > tolerance:
        raise SignatureError(f"X-Timestamp is more than {tolerance} s away from our clock.")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.lower()):
        raise SignatureError("X-Signature does not match the body.")
