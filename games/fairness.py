"""Provably fair randomness: seeds, the HMAC-SHA256 byte and float streams, picks and cards."""

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from itertools import count

MINE_TILES = 25
RANKS = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K", "A")
SUITS = ("D", "H", "S", "C")


def server_seed() -> str:
    """Return a fresh secret server seed: 64 random hex characters."""
    return secrets.token_hex(32)


def seed_hash(server_seed: str) -> str:
    """Return the SHA-256 hex digest of a server seed's UTF-8 text (shown before it is revealed)."""
    return hashlib.sha256(server_seed.encode()).hexdigest()


def random_client_seed() -> str:
    """Return a default client seed: 32 random hex characters."""
    return secrets.token_hex(16)


def byte_stream(server_seed: str, client_seed: str, nonce: int) -> Iterator[int]:
    """Yield the round's bytes: HMAC-SHA256 blocks keyed by the server seed, r = 0, 1, 2…"""
    key = server_seed.encode()
    for block in count():
        message = f"{client_seed}:{nonce}:{block}".encode()
        yield from hmac.new(key, message, hashlib.sha256).digest()


def float_stream(server_seed: str, client_seed: str, nonce: int) -> Iterator[float]:
    """Yield the round's floats in [0, 1), each built from 4 bytes (exact in a double)."""
    stream = byte_stream(server_seed, client_seed, nonce)
    while True:
        value = 0
        for _ in range(4):
            value = value * 256 + next(stream)
        yield value / 2**32


def pick_without_replacement(floats: Iterator[float], population: int, count: int) -> list[int]:
    """Pick `count` distinct 0-based indices of `population`, in pick order, one float each."""
    if not 0 <= count <= population:
        raise ValueError(f"cannot pick {count} of {population}")
    remaining = list(range(population))
    return [remaining.pop(int(next(floats) * len(remaining))) for _ in range(count)]


def card_from_float(f: float) -> str:
    """Map a float to a card of the infinite deck, rank-major: 2D 2H 2S 2C 3D … AC."""
    index = int(f * 52)
    return RANKS[index // 4] + SUITS[index % 4]


def mine_positions(server_seed: str, client_seed: str, nonce: int, mines: int) -> list[int]:
    """Return the sorted 0-based mine tiles: the first `mines` picks over the 25 tiles."""
    if not 1 <= mines <= MINE_TILES - 1:
        raise ValueError(f"mines must be 1..{MINE_TILES - 1}, got {mines}")
    floats = float_stream(server_seed, client_seed, nonce)
    return sorted(pick_without_replacement(floats, MINE_TILES, mines))
