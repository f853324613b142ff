"""Placing a single-round bet: intent, wallet bet, result, wallet win — nothing lost between.

Each step's intent is committed before its wallet call and its outcome after, so a crash at
any point leaves rows the worker can finish: a pending win is retried, a bet whose outcome is
unknown is rolled back. The player's lease keeps one player's bets from interleaving.
"""

from common.db import database
from common.errors import ApiError
from common.faults import checkpoint
from common.fields import as_stored_json
from common.models import PlayerSession, Round, WalletTransaction, utcnow
from common.money import MONEY_CONTEXT
from common.settlement import (
    BET,
    BET_PENDING,
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
    send,
    set_round,
    start_rollback,
)
from games import fairness
from games.rules import rules_for
from games.services.bet_checks import check_bet, parse_bet
from games.services.fairness import PlayerLease, server_seed


def _existing(session, idempotency_key, game, stake, params):
    if not idempotency_key:
        return None
    round_ = Round.get_or_none(
        (Round.operator == session.operator_id)
        & (Round.sub == session.sub)
        & (Round.idempotency_key == idempotency_key)
    )
    if round_ is not None and (round_.game, round_.amount, round_.params) != (game, stake, params):
        raise ApiError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used for a different bet; use a new key per bet.",
        )
    return round_


def _replay_despite_refusal(session, game, rules, body, idempotency_key):
    """The round an Idempotency-Key already placed, when this retry matches it exactly.

    A retry must get the original answer even if the config has changed since (a game
    disabled, new limits): refusing it would tell the player that a bet which moved money
    never happened.
    """
    if not idempotency_key:
        return None
    try:
        stake, params = parse_bet(rules, body)
        json_params = as_stored_json(rules.params_schema().dump(params))
        return _existing(session, idempotency_key, game, stake, json_params)
    except ApiError:
        return None


def _capped(payout, limits):
    if limits.max_win is not None and payout > limits.max_win:
        return limits.max_win
    return payout


def place_bet(session, game, body, idempotency_key=None):
    """Play one round of a single-round game; returns (round, replayed?). Raises ApiError."""
    rules = rules_for(game)
    try:
        stake, params, limits = check_bet(session, game, rules, body)
    except ApiError:
        replayed = _replay_despite_refusal(session, game, rules, body, idempotency_key)
        if replayed is None:
            raise
        return replayed, True
    json_params = as_stored_json(rules.params_schema().dump(params))
    operator = session.operator
    with PlayerLease(session.operator_id, session.sub, 3 * lease_seconds(operator) + 10) as pair:
        existing = _existing(session, idempotency_key, game, stake, json_params)
        if existing is not None:
            return existing, True
        settlement = rules.settle(
            fairness.float_stream(server_seed(pair), pair.client_seed, pair.nonce), params, stake
        )
        payout = _capped(settlement.payout, limits)
        multiplier = (payout / stake).normalize(MONEY_CONTEXT) if stake else 0
        if session.demo:
            return _play_demo(
                session,
                pair,
                game,
                stake,
                json_params,
                settlement,
                payout,
                multiplier,
                idempotency_key,
            ), False
        with database.atomic():
            round_ = Round.create(
                operator=operator,
                session=session,
                sub=session.sub,
                currency=session.currency,
                game=game,
                status=BET_PENDING,
                amount=stake,
                payout=payout,
                multiplier=multiplier,
                params=json_params,
                outcome=settlement.outcome,
                seed_pair=pair,
                client_seed=pair.client_seed,
                nonce=pair.nonce,
                idempotency_key=idempotency_key,
            )
            pair.nonce += 1
            pair.save(only=["nonce"])
            bet = new_transaction(round_, BET, stake)
        checkpoint("after_bet_intent")
        return _move_money(session, round_, bet), False


def _move_money(session, round_, bet):
    kind, detail = send(round_, bet)
    checkpoint("after_bet_call")
    if kind == "refused" and detail in DEFINITE_BET_REFUSALS:
        with database.atomic():
            WalletTransaction.update(status=REFUSED, last_error=detail).where(
                WalletTransaction.id == bet.id
            ).execute()
            set_round(round_, status=VOID, settled_at=utcnow())
        raise _refusal(detail, round_)
    if kind != "ack":
        rollback = start_rollback(round_, bet, detail)
        finish_credit(round_, rollback)
        raise ApiError(
            502,
            "bet_outcome_unknown",
            "The wallet did not confirm the bet; it is being rolled back.",
            details={"roundId": round_.id},
        )
    with database.atomic():
        balance = acknowledge(bet, detail)
        win = new_transaction(round_, WIN, round_.payout, bet.id, lease_seconds(round_.operator))
        set_round(round_, status=WIN_PENDING, balance=balance)
    checkpoint("after_win_intent")
    finish_credit(round_, win)
    if round_.balance is not None:
        PlayerSession.update(balance=round_.balance).where(PlayerSession.id == session.id).execute()
    return round_


def _refusal(code, round_):
    details = {"roundId": round_.id, "walletCode": code}
    if code == "INSUFFICIENT_FUNDS":
        return ApiError(402, "insufficient_funds", "Your balance is too low for this bet.", details)
    return ApiError(403, "bet_refused", f"The wallet refused the bet ({code}).", details)


def _play_demo(session, pair, game, stake, params, settlement, payout, multiplier, key):
    """Demo rounds move the platform-held balance only; no wallet is called."""
    with database.atomic():
        current = PlayerSession.get_by_id(session.id).balance
        if current < stake:
            raise ApiError(402, "insufficient_funds", "Your demo balance is too low for this bet.")
        balance = current - stake + payout
        PlayerSession.update(balance=balance).where(PlayerSession.id == session.id).execute()
        round_ = Round.create(
            operator=session.operator_id,
            session=session,
            sub=session.sub,
            currency=session.currency,
            game=game,
            demo=True,
            status=SETTLED,
            amount=stake,
            payout=payout,
            multiplier=multiplier,
            params=params,
            outcome=settlement.outcome,
            seed_pair=pair,
            client_seed=pair.client_seed,
            nonce=pair.nonce,
            idempotency_key=key,
            balance=balance,
            settled_at=utcnow(),
        )
        pair.nonce += 1
        pair.save(only=["nonce"])
    return round_
