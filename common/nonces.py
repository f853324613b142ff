"""Single-use launch-token nonces: one row per (operator, jti), kept until the token expires."""

from peewee import IntegrityError

from common.db import database
from common.models import Nonce, utcnow
from common.prepared import Prepared
from common.write_batches import write_batch

INSERT_NONCE = Prepared(
    lambda operator_id, jti, expires_at: Nonce.insert(
        operator=operator_id, jti=jti, expires_at=expires_at
    )
)


def burn_nonce(operator_id, jti, expires_at):
    """Record `jti` as used; False if it already was (the primary key refuses the insert).

    peewee's insert(...).on_conflict_ignore() would report a rowid on SQLite even for a
    duplicate, so the outcome is read from the IntegrityError instead.
    """
    try:
        with write_batch(database):  # one message on PostgreSQL, the writer queue on SQLite
            INSERT_NONCE.execute(operator_id, jti, expires_at)
    except IntegrityError:
        return False
    return True


def purge_expired_nonces(now=None):
    """Delete nonces whose tokens have expired (past leeway); a live token's row is never touched.

    `expires_at` is stored as the token's exp plus the verification leeway, so a token that can
    still verify always finds its row.
    """
    return Nonce.delete().where(Nonce.expires_at < (now or utcnow())).execute()
