"""transactionId bookkeeping: the content fingerprint, the stored answer and its replay.

Two calls with one transactionId are the same call when their content matches: everything but
requestId (new on every HTTP attempt) and sessionId (a retry may outlive the session). The
same call gets the stored answer back, byte for byte; different content is refused.
"""

import hashlib
import json

from common.money import format_amount
from common.prepared import Prepared
from common.row_writes import RowInsert
from refwallet.answers import Answer
from refwallet.db import database
from refwallet.errors import DUPLICATE_TRANSACTION, WalletError
from refwallet.models import TOMBSTONE, Transaction

# Every money call looks a transactionId up and stores one: their SQL is built once (see
# common/prepared.py and common/row_writes.py), since peewee building it anew would cost more
# than running it.
TRANSACTION = Prepared(
    lambda transaction_id: Transaction.select().where(Transaction.transaction_id == transaction_id),
    proxy=database,
)
INSERT_TRANSACTION = RowInsert(Transaction, proxy=database)
# Built once: json.dumps with any option builds a new encoder on every call.
CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def content_of(kind, call):
    """The part of a validated call that a retry must repeat exactly."""
    return {
        "kind": kind,
        "operator": call["operator"],
        "sub": call["sub"],
        "currency": call["currency"],
        "roundId": call["round_id"],
        "game": call["game"],
        "amount": format_amount(call["amount"]),
        "referenceTransactionId": call.get("reference_transaction_id"),
    }


def stored_content(row):
    """content_of() for a stored transaction."""
    return {
        "kind": row.kind,
        "operator": row.operator,
        "sub": row.sub,
        "currency": row.currency,
        "roundId": row.round_id,
        "game": row.game,
        "amount": format_amount(row.amount),
        "referenceTransactionId": row.reference_transaction_id,
    }


def fingerprint(content):
    """SHA-256 of the content as canonical JSON."""
    canonical = CANONICAL.encode(content)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find_transaction(transaction_id):
    """The stored transaction (or tombstone) `transaction_id`, or None."""
    return TRANSACTION.first(transaction_id)


def insert_transaction(**columns):
    """Store a row of refwallet_transactions; one with the same transaction_id, even inserted
    concurrently, raises IntegrityError."""
    INSERT_TRANSACTION(Transaction(**columns))


def record(transaction_id, content, answer, state):
    """Store the transaction with its answer; a concurrent duplicate raises IntegrityError."""
    insert_transaction(
        transaction_id=transaction_id,
        kind=content["kind"],
        operator=content["operator"],
        sub=content["sub"],
        currency=content["currency"],
        amount=content["amount"],
        round_id=content["roundId"],
        game=content["game"],
        reference_transaction_id=content["referenceTransactionId"],
        state=state,
        fingerprint=fingerprint(content),
        response_status=answer.status,
        response_body=answer.body,
    )


def replay(known, content):
    """The stored answer to `known` if `content` is the same call; else DUPLICATE_TRANSACTION."""
    transaction_id = known.transaction_id
    if known.kind == TOMBSTONE:
        raise WalletError(
            DUPLICATE_TRANSACTION,
            f"Transaction {transaction_id} was rolled back (by {known.reference_transaction_id}) "
            "before it arrived; it is refused.",
        )
    if known.fingerprint != fingerprint(content):
        stored = stored_content(known)
        changed = sorted(key for key in content if content[key] != stored[key])
        raise WalletError(
            DUPLICATE_TRANSACTION,
            f"transactionId {transaction_id} was already used for a different {known.kind}.",
            {"fields": changed} if changed else None,
        )
    return Answer(known.response_status, known.response_body)
