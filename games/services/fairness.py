"""Players' seed pairs: the committed server seed, the client seed, the nonce, and rotation."""

import time
from datetime import timedelta

from peewee import IntegrityError

from common.db import database
from common.errors import ApiError
from common.models import Round, SeedPair, utcnow
from common.operators import secret_box
from common.prepared import Prepared
from common.row_writes import RowUpdate
from common.settlement import UNFINISHED
from games import fairness

LEASE_WAIT_SECONDS = 15
LEASE_POLL_SECONDS = 0.02

ACTIVE_PAIR = Prepared(lambda key: SeedPair.select().where(SeedPair.active_key == key))
TAKE_LEASE = Prepared(
    lambda until, key, now: (
        SeedPair.update(busy_until=until)
        .where(
            (SeedPair.active_key == key)
            & (SeedPair.busy_until.is_null() | (SeedPair.busy_until < now))
        )
        .returning(SeedPair)
    )
)
RELEASE_LEASE = Prepared(lambda id: SeedPair.update(busy_until=None).where(SeedPair.id == id))
UPDATE_PAIR = RowUpdate(SeedPair)


def _active_key(operator_id, sub):
    return f"{operator_id}:{sub}"


def active_pair(operator_id, sub):
    """The player's active pair, made on first use (with the next server seed committed too)."""
    key = _active_key(operator_id, sub)
    pair = ACTIVE_PAIR.first(key)
    if pair is not None:
        return pair
    box = secret_box()
    seed, next_seed = fairness.server_seed(), fairness.server_seed()
    try:
        with database.atomic():
            return SeedPair.create(
                operator=operator_id,
                sub=sub,
                active_key=key,
                server_seed_encrypted=box.encrypt(seed),
                server_seed_hash=fairness.seed_hash(seed),
                next_server_seed_encrypted=box.encrypt(next_seed),
                next_server_seed_hash=fairness.seed_hash(next_seed),
                client_seed=fairness.random_client_seed(),
            )
    except IntegrityError:
        return SeedPair.get(SeedPair.active_key == key)


def server_seed(pair):
    return pair.revealed_server_seed or secret_box().decrypt(pair.server_seed_encrypted)


def use_nonce(pair):
    """Count the pair's nonce as used (in the transaction recording the round it seeded)."""
    pair.nonce += 1
    UPDATE_PAIR(pair.id, nonce=pair.nonce)


def describe(pair):
    return {
        "serverSeedHash": pair.server_seed_hash,
        "clientSeed": pair.client_seed,
        "nonce": pair.nonce,
        "nextServerSeedHash": pair.next_server_seed_hash,
    }


class PlayerLease:
    """Serialises one player's bets and seed changes across threads and processes.

    The lease is a timestamp on the active seed pair, taken with a conditional UPDATE that
    returns the pair as taken, so no database transaction stays open during wallet calls; a
    crashed holder's lease runs out.
    """

    def __init__(self, operator_id, sub, seconds, wait_seconds=LEASE_WAIT_SECONDS):
        self.operator_id, self.sub, self.seconds = operator_id, sub, seconds
        self.wait_seconds = wait_seconds
        self.pair = None

    def __enter__(self):
        key = _active_key(self.operator_id, self.sub)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            now = utcnow()
            self.pair = TAKE_LEASE.first(now + timedelta(seconds=self.seconds), key, now)
            if self.pair is not None:
                return self.pair
            if ACTIVE_PAIR.first(key) is None:  # the player's first bet: make the pair, take it
                active_pair(self.operator_id, self.sub)
                continue
            if time.monotonic() > deadline:
                raise ApiError(409, "player_busy", "Another bet of yours is still in progress.")
            time.sleep(LEASE_POLL_SECONDS)

    def __exit__(self, *exc):
        if self.pair is not None:
            RELEASE_LEASE.execute(self.pair.id)


def _refuse_if_unfinished(pair):
    if Round.select().where((Round.seed_pair == pair) & Round.status.in_(UNFINISHED)).exists():
        raise ApiError(
            409, "round_unfinished", "Finish or wait for your unfinished round before this change."
        )


def set_client_seed(operator_id, sub, client_seed):
    with PlayerLease(operator_id, sub, 10) as pair:
        _refuse_if_unfinished(pair)
        SeedPair.update(client_seed=client_seed).where(SeedPair.id == pair.id).execute()
        return SeedPair.get_by_id(pair.id)


def rotate(operator_id, sub):
    """Reveal the active server seed and activate the committed next one (nonce 0)."""
    with PlayerLease(operator_id, sub, 10) as old:
        _refuse_if_unfinished(old)
        box = secret_box()
        next_seed = fairness.server_seed()
        with database.atomic():
            SeedPair.update(
                active_key=None,
                revealed_at=utcnow(),
                revealed_server_seed=box.decrypt(old.server_seed_encrypted),
            ).where(SeedPair.id == old.id).execute()
            current = SeedPair.create(
                operator=operator_id,
                sub=sub,
                active_key=_active_key(operator_id, sub),
                server_seed_encrypted=old.next_server_seed_encrypted,
                server_seed_hash=old.next_server_seed_hash,
                next_server_seed_encrypted=box.encrypt(next_seed),
                next_server_seed_hash=fairness.seed_hash(next_seed),
                client_seed=old.client_seed,
            )
        previous = SeedPair.get_by_id(old.id)
    return {
        "previous": {
            "serverSeed": previous.revealed_server_seed,
            "serverSeedHash": previous.server_seed_hash,
            "clientSeed": previous.client_seed,
            "nonce": previous.nonce,
        },
        "current": describe(current),
    }
