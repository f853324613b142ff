"""Opening a round with a bet: single-round games settle at once, multi-step games stay open.

The round (with its seeds, nonce and outcome or opening state) is recorded in one transaction
with the stake's intent, before the wallet is asked for the stake; round_money then collects
the stake and records what it bought. The player's lease keeps one player's bets and actions
from interleaving.
"""

from common.db import database
from common.errors import ApiError
from common.fields import as_stored_json
from common.models import Round
from common.prepared import Prepared
from common.row_writes import RowInsert
from common.settlement import BET, BET_PENDING, OPEN, lease_seconds, new_transaction
from common.write_batches import write_batch
from games import fairness
from games.rules import MULTI_STEP_GAMES, rules_for
from games.services.bet_checks import check_bet, parse_bet
from games.services.fairness import PlayerLease, server_seed, use_nonce
from games.services.round_money import collect_stake, record_step

OPEN_STATUSES = (OPEN, BET_PENDING)

INSERT_ROUND = RowInsert(Round)
ROUND_BY_IDEMPOTENCY_KEY = Prepared(
    lambda operator_id, sub, key: Round.select().where(
        (Round.operator == operator_id) & (Round.sub == sub) & (Round.idempotency_key == key)
    )
)


def _existing(session, idempotency_key, game, stake, params):
    if not idempotency_key:
        return None
    round_ = ROUND_BY_IDEMPOTENCY_KEY.first(session.operator_id, session.sub, idempotency_key)
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
        json_params = as_stored_json(rules.params().dump(params))
        return _existing(session, idempotency_key, game, stake, json_params)
    except ApiError:
        return None


def open_round_of(session, game):
    """The player's unfinished round of a multi-step game, if any."""
    return (
        Round.select()
        .where(
            (Round.operator == session.operator_id)
            & (Round.sub == session.sub)
            & (Round.game == game)
            & Round.status.in_(OPEN_STATUSES)
        )
        .order_by(Round.created_at.desc())
        .first()
    )


def place_bet(session, game, body, idempotency_key=None):
    """Open a round of `game` with a bet; returns (round, replayed?). Raises ApiError."""
    rules = rules_for(game)
    try:
        stake, params, limits = check_bet(session, game, rules, body)
    except ApiError:
        replayed = _replay_despite_refusal(session, game, rules, body, idempotency_key)
        if replayed is None:
            raise
        return replayed, True
    json_params = as_stored_json(rules.params().dump(params))
    multi_step = game in MULTI_STEP_GAMES
    with PlayerLease(
        session.operator_id, session.sub, 3 * lease_seconds(session.operator) + 10
    ) as pair:
        existing = _existing(session, idempotency_key, game, stake, json_params)
        if existing is not None:
            return existing, True
        if multi_step and (current := open_round_of(session, game)) is not None:
            raise ApiError(
                409,
                "round_open",
                f"You have an unfinished {game} round; finish it first.",
                details={"roundId": current.id},
            )
        seed = server_seed(pair)
        floats_for = lambda: fairness.float_stream(seed, pair.client_seed, pair.nonce)  # noqa: E731
        if multi_step:
            step = rules.open(floats_for, params, stake)
            state, settlement = step.state, step.settlement
            outcome = rules.public_state(state)
            actions = [{"action": "open", "used": step.used}]
        else:
            state, actions = None, None
            settlement = rules.settle(floats_for(), params, stake)
            outcome = settlement.outcome
        with write_batch(database):  # sent as one message on PostgreSQL
            round_ = Round(
                operator=session.operator,
                session=session,
                sub=session.sub,
                currency=session.currency,
                game=game,
                demo=session.demo,
                status=BET_PENDING,
                amount=stake,
                params=json_params,
                outcome=outcome,
                state=state,
                actions=actions,
                seed_pair=pair,
                client_seed=pair.client_seed,
                nonce=pair.nonce,
                idempotency_key=idempotency_key,
            )
            INSERT_ROUND(round_)
            use_nonce(pair)
            bet = None if round_.demo else new_transaction(round_, BET, stake)
        paid = collect_stake(round_, stake, opening=True, bet=bet)
        fields = {} if settlement is not None else {"status": OPEN}
        opening_bet = bet.id if bet is not None else None
        return record_step(round_, paid, settlement, limits, opening_bet, **fields), False
