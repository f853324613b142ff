"""A round's money steps: collect a stake through the wallet, then record what it bought.

Every stake — a round's opening bet or an extra stake (double, split, insurance) — has its
intent committed before the wallet call. Its acknowledgement is committed in one transaction
with what it paid for (the round's new state and, when the round ends, the win's intent), so a
crash between any two steps leaves rows the worker can finish: a bet whose outcome was never
recorded is rolled back, a pending win is retried until acknowledged.
"""

from fractions import Fraction

from common.db import database
from common.errors import ApiError
from common.faults import checkpoint
from common.models import PlayerSession, WalletTransaction, utcnow
from common.money import format_amount
from common.settlement import (
    BET,
    DEFINITE_BET_REFUSALS,
    REFUSED,
    SETTLED,
    VOID,
    WIN,
    WIN_PENDING,
    acknowledge,
    finish_credit,
    lease_seconds,
    new_transaction,
    opening_bet_id,
    send,
    set_round,
    start_rollback,
    store_attempt,
)
from common.write_batches import write_batch
from games.rules.multistep import floor_places


def _refusal(code, round_):
    details = {"roundId": round_.id, "walletCode": code}
    if code == "INSUFFICIENT_FUNDS":
        return ApiError(402, "insufficient_funds", "Your balance is too low for this bet.", details)
    return ApiError(403, "bet_refused", f"The wallet refused the bet ({code}).", details)


def collect_stake(round_, amount, opening, bet=None):
    """Debit `amount` for the round: (bet, wallet answer, attempt), or Nones in demo; the
    caller stores the acknowledgement (record_step) with what the stake bought.

    `bet` is the stake's intent if the caller recorded it (with the round that it opens);
    otherwise the intent is recorded here, before the wallet call.

    A definite refusal voids an opening bet's round and leaves an open round as it was; an
    unknown outcome is rolled back. Either way the caller gets an ApiError.
    """
    if round_.demo:
        try:
            _demo_move(round_, -amount)
        except ApiError:
            if opening:
                set_round(round_, status=VOID, settled_at=utcnow())
            raise
        return None, None, None
    if bet is None:
        bet = new_transaction(round_, BET, amount)
    checkpoint("after_bet_intent")
    kind, detail, attempt = send(round_, bet)
    checkpoint("after_bet_call")
    if kind == "refused" and detail in DEFINITE_BET_REFUSALS:
        with database.atomic():
            store_attempt(attempt)
            WalletTransaction.update(status=REFUSED, last_error=detail).where(
                WalletTransaction.id == bet.id
            ).execute()
            if opening:
                set_round(round_, status=VOID, settled_at=utcnow())
        raise _refusal(detail, round_)
    if kind != "ack":
        finish_credit(round_, start_rollback(round_, bet, detail, attempt))
        raise ApiError(
            502,
            "bet_outcome_unknown",
            "The wallet did not confirm the bet; it is being rolled back.",
            details={"roundId": round_.id},
        )
    return bet, detail, attempt


def _demo_move(round_, delta):
    """Demo rounds move the platform-held session balance only; no wallet is called."""
    with database.atomic():
        session = PlayerSession.get_by_id(round_.session_id)
        if session.balance + delta < 0:
            raise ApiError(402, "insufficient_funds", "Your demo balance is too low for this bet.")
        balance = session.balance + delta
        PlayerSession.update(balance=balance).where(PlayerSession.id == session.id).execute()
        set_round(round_, balance=balance)


def capped_payout(settlement, staked, limits):
    """(payout, multiplier, capped?) with the operator's maxWin applied."""
    max_win = limits.max_win if limits is not None else None
    if max_win is None or settlement.payout <= max_win:
        return settlement.payout, settlement.multiplier, False
    return max_win, floor_places(Fraction(max_win) / Fraction(staked)), True


def record_step(round_, paid=None, settlement=None, limits=None, opening_bet=None, **fields):
    """In one transaction: acknowledge the stake that paid for this step, store the round's new
    fields, and if `settlement` ends the round, record its win. Then send the win.

    `opening_bet` is the id of the bet that opened the round, when the caller knows it."""
    win = reference = due = None
    if settlement is not None and not round_.demo:  # what the win needs, read before the batch
        reference = opening_bet or opening_bet_id(round_)
        due = lease_seconds(round_.operator)
    with write_batch(database):  # sent as one message on PostgreSQL
        if paid is not None and paid[0] is not None:
            balance = acknowledge(*paid)
            if balance is not None:
                fields["balance"] = balance
        if settlement is not None:
            staked = fields.get("amount", round_.amount)
            payout, multiplier, capped = capped_payout(settlement, staked, limits)
            outcome = settlement.outcome
            if capped and "payout" in outcome:
                # The round's own view of its result shows what is really paid.
                outcome = {**outcome, "payout": format_amount(payout)}
                outcome["multiplier"] = format_amount(multiplier)
            fields.update(payout=payout, multiplier=multiplier, capped=capped, outcome=outcome)
            if round_.demo:
                fields.update(status=SETTLED, settled_at=utcnow())
            else:
                fields["status"] = WIN_PENDING
                win = new_transaction(round_, WIN, payout, reference, due)
        set_round(round_, **fields)
    if round_.demo and settlement is not None:
        _demo_move(round_, round_.payout)
    if win is not None:
        checkpoint("after_win_intent")
        finish_credit(round_, win)
    return round_
