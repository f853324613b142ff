"""The worker: settles what requests left pending, until every wallet call is acknowledged.

- wins and rollbacks whose attempts failed are retried with backoff (same transactionId);
- bets whose outcome never got recorded (the process died mid-call) are rolled back;
- expired launch-token nonces are purged.
"""

import logging
import time
from datetime import timedelta

from common.db import database
from common.models import Round, WalletTransaction, utcnow
from common.nonces import purge_expired_nonces
from common.settlement import (
    BET,
    PENDING,
    ROLLBACK,
    WIN,
    finish_credit,
    lease_seconds,
    start_rollback,
)

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 600
STALE_BET_MIN_SECONDS = 30


def _stale_bet_cutoff(operator, now):
    # A request may hold a bet in flight for its bet, win and rollback calls; wait past that.
    return now - timedelta(seconds=3 * lease_seconds(operator) + STALE_BET_MIN_SECONDS)


def recover_stale_bets(now, limit=100):
    candidates = (
        WalletTransaction.select()
        .where(
            (WalletTransaction.kind == BET)
            & (WalletTransaction.status == PENDING)
            & (WalletTransaction.created_at < now - timedelta(seconds=STALE_BET_MIN_SECONDS))
        )
        .order_by(WalletTransaction.created_at)
        .limit(limit)
    )
    count = 0
    for txn in candidates:
        round_ = Round.get_by_id(txn.round_id)
        if txn.created_at < _stale_bet_cutoff(round_.operator, now):
            log.warning("round %s: bet %s never settled; rolling it back", round_.id, txn.id)
            start_rollback(round_, txn, "bet outcome never recorded")
            count += 1
    return count


def _claim(txn, now):
    """Take a due transaction for one attempt; False if another process took it first."""
    lease = timedelta(seconds=lease_seconds(txn.round.operator))
    return (
        WalletTransaction.update(next_attempt_at=now + lease)
        .where(
            (WalletTransaction.id == txn.id)
            & (WalletTransaction.status == PENDING)
            & (WalletTransaction.next_attempt_at == txn.next_attempt_at)
        )
        .execute()
        == 1
    )


def retry_due_credits(now, limit=100):
    due = (
        WalletTransaction.select()
        .where(
            WalletTransaction.kind.in_([WIN, ROLLBACK])
            & (WalletTransaction.status == PENDING)
            & (WalletTransaction.next_attempt_at <= now)
        )
        .order_by(WalletTransaction.next_attempt_at)
        .limit(limit)
    )
    acknowledged = 0
    for txn in due:
        if _claim(txn, now):
            acknowledged += finish_credit(Round.get_by_id(txn.round_id), txn)
    return acknowledged


_extra_passes = []


def register_pass(run):
    """Add `run(now)` to every worker pass (the games app adds finishing idle rounds)."""
    if run not in _extra_passes:
        _extra_passes.append(run)


def run_once(now=None):
    """One pass; returns (stale bets rolled back, credits acknowledged)."""
    now = now or utcnow()
    with database.connection_context():
        for run in _extra_passes:
            run(now)
        return recover_stale_bets(now), retry_due_credits(now)


def run_forever(interval=1.0):
    last_purge = 0.0
    while True:
        try:
            run_once()
            if time.monotonic() - last_purge > PURGE_EVERY_SECONDS:
                with database.connection_context():
                    purge_expired_nonces()
                last_purge = time.monotonic()
        except Exception:
            log.exception("worker pass failed; trying again")
        time.sleep(interval)
