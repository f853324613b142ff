"""Money calls for rounds: intent recorded before each wallet call, outcome after (SPEC 6).

A transaction row is written (status `pending`) before its call; its id is the transactionId
the wallet sees on every attempt. Each attempt is logged, in the same database transaction as
what came of it (an acknowledgement with the round's new state, a refusal, a retry scheduled),
so a bet costs no transaction of its own per wallet call. Wins and rollbacks that fail are
retried by the worker with exponential backoff and jitter until the wallet acknowledges them.
"""

import random
import time
import uuid
from datetime import timedelta

from common.db import database
from common.faults import checkpoint
from common.models import PlayerSession, Round, WalletAttempt, WalletTransaction, utcnow
from common.money import AmountError, parse_amount
from common.operators import wallet_client
from common.prepared import Prepared
from common.row_writes import RowInsert, RowUpdate
from common.wallet import WalletRefused, WalletTimeout, WalletUnavailable
from common.write_batches import write_batch

BET, WIN, ROLLBACK = "bet", "win", "rollback"
PENDING, ACKNOWLEDGED, REFUSED, UNKNOWN = "pending", "acknowledged", "refused", "unknown"

# Round statuses: the money state a player and an operator see.
OPEN = "open"  # a multi-step round between actions (bet acknowledged)
BET_PENDING = "bet_pending"  # the bet's intent is recorded; its outcome is not known yet
WIN_PENDING = "win_pending"  # the result is known; the win (or "0") is not acknowledged yet
SETTLED = "settled"
VOID = "void"  # the wallet refused the bet definitely: no money moved
ROLLBACK_PENDING = "rollback_pending"  # the bet's outcome was unknown; its rollback is pending
ROLLED_BACK = "rolled_back"
UNFINISHED = (OPEN, BET_PENDING, WIN_PENDING, ROLLBACK_PENDING)
ROUND_STATUSES = [OPEN, BET_PENDING, WIN_PENDING, SETTLED, VOID, ROLLBACK_PENDING, ROLLED_BACK]

# Refusals after which the bet certainly moved no money: the round is void, no rollback.
DEFINITE_BET_REFUSALS = {
    "PLAYER_NOT_FOUND",
    "INSUFFICIENT_FUNDS",
    "PLAYER_FROZEN",
    "LIMIT_EXCEEDED",
    "CURRENCY_MISMATCH",
}
MAX_BACKOFF_SECONDS = 300

# The writes of every bet, compiled once (common/row_writes.py).
INSERT_TRANSACTION = RowInsert(WalletTransaction)
INSERT_ATTEMPT = RowInsert(WalletAttempt)
COUNT_ATTEMPT = Prepared(
    lambda id: WalletTransaction.update(attempts=WalletTransaction.attempts + 1).where(
        WalletTransaction.id == id
    )
)
ACKNOWLEDGE = Prepared(
    lambda at, balance, id: WalletTransaction.update(
        status=ACKNOWLEDGED,
        acknowledged_at=at,
        balance=balance,
        attempts=WalletTransaction.attempts + 1,
    ).where(WalletTransaction.id == id)
)
UPDATE_ROUND = RowUpdate(Round)
UPDATE_SESSION = RowUpdate(PlayerSession)
OPENING_BET = Prepared(
    lambda round_id, kind: (
        WalletTransaction.select(WalletTransaction.id)
        .where((WalletTransaction.round == round_id) & (WalletTransaction.kind == kind))
        .order_by(WalletTransaction.created_at, WalletTransaction.id)
        .limit(1)
    )
)


def backoff(attempts):
    """Seconds before the next try: exponential, capped, with full jitter in its upper half."""
    ceiling = min(MAX_BACKOFF_SECONDS, 2 ** min(attempts, 16))
    return ceiling * random.uniform(0.5, 1.0)


def lease_seconds(operator):
    """How long one attempt may be in flight before another process may try it again."""
    return operator.wallet_timeout_ms / 1000 + 5


def new_transaction(round_, kind, amount, reference=None, due_in=0.0):
    """Record a wallet call's intent (status pending); its id is the call's transactionId."""
    txn = WalletTransaction(
        id=str(uuid.uuid4()),
        round=round_,
        kind=kind,
        amount=amount,
        reference=reference,
        status=PENDING,
        next_attempt_at=utcnow() + timedelta(seconds=due_in),
    )
    return INSERT_TRANSACTION(txn)


def payload(round_, txn):
    """The call's content: identical on every retry (only the requestId changes)."""
    body = {
        "operator": round_.operator.code,
        "sub": round_.sub,
        "currency": round_.currency,
        "sessionId": round_.session_id or "",
        "transactionId": txn.id,
        "roundId": round_.id,
        "game": round_.game,
        "amount": txn.amount,
    }
    if txn.reference:
        body["referenceTransactionId"] = txn.reference
    return body


def send(round_, txn):
    """Make one attempt of `txn`: ("ack", answer, attempt), ("refused", code, attempt) or
    ("failed", reason, attempt). The attempt's row is not stored yet: `acknowledge` or
    `store_attempt` stores it in the transaction that records what came of it."""
    request_id = str(uuid.uuid4())
    started, started_at = time.monotonic(), utcnow()
    try:
        answer = wallet_client(round_.operator).call(txn.kind, payload(round_, txn), request_id)
        result = ("ack", answer)
    except WalletRefused as exc:
        result = ("refused", exc.wallet_code)
    except (WalletTimeout, WalletUnavailable) as exc:
        result = ("failed", exc.code)
    outcome = result[0] if result[0] != "refused" else f"refused:{result[1]}"
    attempt = WalletAttempt(
        transaction=txn.id,
        request_id=request_id,
        started_at=started_at,
        duration_ms=int((time.monotonic() - started) * 1000),
        outcome=outcome[:32],
        detail=None if result[0] == "ack" else str(result[1])[:200],
    )
    return (*result, attempt)


def store_attempt(attempt):
    """Log an attempt that was not acknowledged and count it on its transaction."""
    INSERT_ATTEMPT(attempt)
    COUNT_ATTEMPT.execute(attempt.transaction_id)


def _answer_balance(answer):
    try:
        return parse_amount(answer.get("balance"))
    except AmountError:
        return None


def acknowledge(txn, answer, attempt):
    """Log the acknowledged attempt and mark `txn` acknowledged; the wallet's balance or None."""
    balance = _answer_balance(answer)
    INSERT_ATTEMPT(attempt)
    ACKNOWLEDGE.execute(utcnow(), WalletTransaction.balance.db_value(balance), txn.id)
    return balance


def schedule_retry(txn, reason):
    txn = WalletTransaction.get_by_id(txn.id)
    WalletTransaction.update(
        next_attempt_at=utcnow() + timedelta(seconds=backoff(txn.attempts)),
        last_error=str(reason)[:200],
    ).where(WalletTransaction.id == txn.id).execute()


def set_round(round_, **fields):
    fields["updated_at"] = utcnow()
    UPDATE_ROUND(round_.id, **fields)
    for name, value in fields.items():
        setattr(round_, name, value)


def finish_credit(round_, txn):
    """Send a pending win or rollback once; on acknowledgement close the round.

    Returns True when acknowledged; otherwise the next attempt is scheduled for the worker.
    """
    checkpoint(f"before_{txn.kind}_call")
    kind, detail, attempt = send(round_, txn)
    checkpoint(f"after_{txn.kind}_call")
    if kind != "ack":
        with database.atomic():
            store_attempt(attempt)
            schedule_retry(txn, detail)
        return False
    extra_stake = txn.kind == ROLLBACK and not is_opening_bet(round_, txn.reference)
    with write_batch(database):  # sent as one message on PostgreSQL
        balance = acknowledge(txn, detail, attempt)
        if balance is None:  # an answer without a readable balance keeps the last known one
            balance = round_.balance
        if round_.session_id and balance is not None:
            # The session shows the last balance the wallet reported.
            UPDATE_SESSION(round_.session_id, balance=balance)
        if extra_stake:
            # An extra stake (double, split, insurance) rolled back: the round goes on.
            set_round(round_, balance=balance)
        else:
            final = SETTLED if txn.kind == WIN else ROLLED_BACK
            set_round(round_, status=final, settled_at=utcnow(), balance=balance)
    return True


def opening_bet_id(round_):
    """The transactionId of the bet that opened the round (later bets are extra stakes)."""
    opening = OPENING_BET.first(round_.id, BET)
    return opening.id if opening is not None else None


def is_opening_bet(round_, bet_id):
    return bet_id is not None and opening_bet_id(round_) == bet_id


def start_rollback(round_, bet_txn, reason, attempt=None):
    """The bet's outcome is unknown: void it with a rollback (its own transactionId).

    The round is voided only when it is its opening bet; a rolled-back extra stake leaves an
    open round as it was before the action. `attempt`, the bet's last unanswered attempt, is
    logged in the same transaction.
    """
    with database.atomic():
        if attempt is not None:
            store_attempt(attempt)
        WalletTransaction.update(status=UNKNOWN, last_error=str(reason)[:200]).where(
            WalletTransaction.id == bet_txn.id
        ).execute()
        rollback = new_transaction(
            round_, ROLLBACK, bet_txn.amount, bet_txn.id, lease_seconds(round_.operator)
        )
        if is_opening_bet(round_, bet_txn.id):
            set_round(round_, status=ROLLBACK_PENDING)
    checkpoint("after_rollback_intent")
    return rollback
