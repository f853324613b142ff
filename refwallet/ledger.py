"""The money rules of the protocol: auth, bet, win and rollback, atomic and idempotent.

Each money call runs in one transaction that locks the player's row, moves the money and
stores the answer under the call's transactionId (see idempotency.py for retries). Refusals of
a bet (INSUFFICIENT_FUNDS, PLAYER_FROZEN) are answers too and are stored; calls that cannot be
applied (unknown player or bet, wrong currency) are not, so a corrected retry may succeed.
"""

import logging

from peewee import IntegrityError

from common.money import format_amount
from common.row_writes import RowUpdate
from refwallet.answers import Answer
from refwallet.db import database
from refwallet.errors import (
    CURRENCY_MISMATCH,
    INSUFFICIENT_FUNDS,
    INVALID_REQUEST,
    PLAYER_FROZEN,
    WalletError,
)
from refwallet.idempotency import content_of, find_transaction, insert_transaction, record, replay
from refwallet.models import (
    BET,
    OPEN,
    REFUSED,
    ROLLBACK,
    ROLLED_BACK,
    SETTLED,
    TOMBSTONE,
    WIN,
    Transaction,
)
from refwallet.players import change_balance, find_player

log = logging.getLogger(__name__)

# A concurrent call may insert the same transactionId (or the tombstone we are about to write)
# between our look-up and our insert. The loser's transaction rolls back and runs again; the
# second time it sees the winner's row.
ATTEMPTS = 3

BET_STATE_WORDS = {
    SETTLED: "already settled by a win",
    ROLLED_BACK: "rolled back",
    REFUSED: "a refused bet",
}

# A win or rollback closes its bet; built once, like the look-ups and inserts it goes with.
UPDATE_TRANSACTION = RowUpdate(Transaction, proxy=database)


def auth(call):
    """The player's balance, currency and freeze flag; nothing is written."""
    player = _player(call)
    return Answer.ok(
        {
            "sub": player.sub,
            "balance": format_amount(player.balance),
            "currency": player.currency,
            "frozen": player.frozen,
        }
    )


def bet(call):
    """Debit `amount`, unless the player is frozen or cannot cover it."""
    return _apply(BET, call, _debit)


def win(call):
    """Credit `amount` (possibly 0) and close the open bet it references."""
    return _apply(WIN, call, _credit)


def rollback(call):
    """Void the referenced bet: refund it once, or leave a tombstone if it never arrived."""
    return _apply(ROLLBACK, call, _void)


def _apply(kind, call, move):
    content = content_of(kind, call)
    transaction_id = call["transaction_id"]
    for _ in range(ATTEMPTS):
        try:
            with database.atomic():
                known = find_transaction(transaction_id)
                if known is not None:
                    return replay(known, content)
                player = _player(call, lock=True)
                answer, state = move(player, call)
                record(transaction_id, content, answer, state)
            log.info("%s %s for %s: %s", kind, transaction_id, call["sub"], answer.status)
            return answer
        except IntegrityError:
            continue
    raise RuntimeError(f"transaction {transaction_id} kept colliding with concurrent calls")


def _player(call, lock=False):
    player = find_player(call["sub"], lock=lock)
    if player.currency != call["currency"]:
        raise WalletError(
            CURRENCY_MISMATCH,
            f"Player {player.sub!r} plays in {player.currency}, not {call['currency']}.",
            {"currency": player.currency},
        )
    return player


def _money_answer(player, call):
    return Answer.ok(
        {"balance": format_amount(player.balance), "transactionId": call["transaction_id"]}
    )


def _debit(player, call):
    amount = call["amount"]
    if player.frozen:
        refusal = WalletError(PLAYER_FROZEN, f"Player {player.sub!r} is frozen; bets are refused.")
        return refusal.answer(), REFUSED
    if player.balance < amount:
        refusal = WalletError(
            INSUFFICIENT_FUNDS,
            f"The balance does not cover a bet of {format_amount(amount)} {player.currency}.",
            {"balance": format_amount(player.balance)},
        )
        return refusal.answer(), REFUSED
    change_balance(player, -amount)
    return _money_answer(player, call), OPEN


def _credit(player, call):
    bet = _referenced_bet(call)
    if bet.state != OPEN:
        raise WalletError(
            INVALID_REQUEST, f"Bet {bet.transaction_id} is {BET_STATE_WORDS[bet.state]}."
        )
    change_balance(player, call["amount"])
    _close(bet, SETTLED)
    return _money_answer(player, call), None


def _void(player, call):
    bet = _referenced_bet(call, missing_ok=True)
    if bet is None:
        _record_tombstone(call)
    elif bet.state == OPEN:
        change_balance(player, bet.amount)
        _close(bet, ROLLED_BACK)
    elif bet.state == SETTLED:
        raise WalletError(
            INVALID_REQUEST,
            f"Bet {bet.transaction_id} is already settled by a win; it cannot be rolled back.",
        )
    # Otherwise it is rolled back already, or was refused: there is nothing left to refund.
    return _money_answer(player, call), None


def _referenced_bet(call, missing_ok=False):
    reference = call["reference_transaction_id"]
    bet = find_transaction(reference)
    if bet is None:
        if missing_ok:
            return None
        raise WalletError(INVALID_REQUEST, f"Bet {reference} is unknown to this wallet.")
    if bet.kind not in (BET, TOMBSTONE):
        raise WalletError(INVALID_REQUEST, f"Transaction {reference} is a {bet.kind}, not a bet.")
    if bet.sub != call["sub"] or bet.round_id != call["round_id"]:
        raise WalletError(
            INVALID_REQUEST, f"Bet {reference} belongs to another player or another round."
        )
    return bet


def _close(bet, state):
    bet.state = state
    UPDATE_TRANSACTION(bet.transaction_id, state=state)


def _record_tombstone(call):
    insert_transaction(
        transaction_id=call["reference_transaction_id"],
        kind=TOMBSTONE,
        operator=call["operator"],
        sub=call["sub"],
        currency=call["currency"],
        amount=call["amount"],
        round_id=call["round_id"],
        game=call["game"],
        reference_transaction_id=call["transaction_id"],
        state=ROLLED_BACK,
    )
