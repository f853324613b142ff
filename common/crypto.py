"""Operator secrets: generated at random and encrypted at rest with a SECRET_KEY-derived key."""

import base64
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def new_operator_secret():
    """32 random bytes as hex: a JWT shared secret or a wallet HMAC secret."""
    return secrets.token_hex(32)


@lru_cache(maxsize=4)
def _fernet(secret_key):
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"betterplay operator secrets v1"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


class SecretBox:
    """Encrypts and decrypts operator secrets with a key derived from SECRET_KEY."""

    def __init__(self, secret_key):
        self._fernet = _fernet(secret_key)

    def encrypt(self, plaintext):
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token):
        # Every mint, launch and wallet call needs its operator's secret: a decrypted token is
        # kept per process (rotation stores a new token, so a stale entry is never used).
        return _decrypt(self._fernet, token)


@lru_cache(maxsize=4096)
def _decrypt(fernet, token):
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        raise RuntimeError(
            "An operator secret cannot be decrypted: SECRET_KEY differs from the one it "
            "was stored with."
        ) from None


def normalize_rsa_public_key(pem):
    """The PEM of an RSA public key of at least 2048 bits, re-encoded; ValueError otherwise."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError, UnicodeEncodeError):
        raise ValueError("Not a PEM-encoded public key.") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("RS256 needs an RSA public key.")
    if key.key_size < 2048:
        raise ValueError("The RSA key must be at least 2048 bits.")
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
