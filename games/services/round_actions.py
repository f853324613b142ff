"""Multi-step rounds after the opening bet: the player's actions, and finishing idle rounds.

An action is computed first (pure rules, nothing stored), then its extra stake, if any, is
collected from the wallet, then the new state is recorded in the same transaction as the
stake's acknowledgement — so a refused or unknown extra stake leaves the round as it was.
"""

from datetime import timedelta

from flask import current_app

from common.errors import ApiError
from common.models import Round, utcnow
from common.operator_config import read_operator_config
from common.operators import check_operator_active
from common.schemas import is_lookup_key
from common.settlement import OPEN, lease_seconds
from common.worker import register_pass
from games import fairness
from games.rules import MULTI_STEP_GAMES
from games.rules.multistep import ActionError
from games.services.bet_checks import check_game_and_currency
from games.services.fairness import PlayerLease, server_seed
from games.services.round_money import collect_stake, record_step


def _invalid(field, message):
    return ApiError(422, "validation_error", message, {"fields": {field: [message]}})


def own_round(session, round_id):
    round_ = None
    if is_lookup_key(round_id):
        round_ = Round.get_or_none(
            (Round.id == round_id)
            & (Round.operator == session.operator_id)
            & (Round.sub == session.sub)
        )
    if round_ is None:
        raise ApiError(404, "round_not_found", "No such round of yours.")
    return round_


def allowed_actions(round_):
    rules = MULTI_STEP_GAMES.get(round_.game)
    if rules is None or round_.status != OPEN:
        return []
    return rules.allowed_actions(round_.state)


def _floats_for(round_):
    seed = server_seed(round_.seed_pair)
    client_seed = round_.client_seed or round_.seed_pair.client_seed
    return lambda: fairness.float_stream(seed, client_seed, round_.nonce)


def _limits(round_):
    return read_operator_config(round_.operator_id).currencies.get(round_.currency)


def _log(round_, entry):
    return [*(round_.actions or []), {**entry, "at": utcnow().isoformat() + "Z"}]


def act(session, round_id, body):
    """Apply the player's action to their open round; returns the round."""
    round_ = own_round(session, round_id)
    rules = MULTI_STEP_GAMES.get(round_.game)
    if rules is None:
        raise ApiError(409, "action_not_allowed", "This game has no actions.", {"allowed": []})
    if not isinstance(body, dict) or not isinstance(body.get("action"), str):
        message = 'Send {"action": "...", ...} with the action\'s fields.'
        raise ApiError(422, "validation_error", message, {"fields": {"action": [message]}})
    action = body["action"]
    data = {key: value for key, value in body.items() if key != "action"}
    seconds = 3 * lease_seconds(session.operator) + 10
    with PlayerLease(session.operator_id, session.sub, seconds):
        round_ = Round.get_by_id(round_.id)  # the state as the previous action left it
        if round_.status != OPEN:
            raise ApiError(
                409,
                "action_not_allowed",
                f"The round is {round_.status}; it takes no more actions.",
                {"allowed": [], "status": round_.status},
            )
        allowed = rules.allowed_actions(round_.state)
        if action not in allowed:
            raise ApiError(
                409,
                "action_not_allowed",
                f"Action {action!r} is not allowed now.",
                {"allowed": allowed},
            )
        unknown = sorted(set(data) - rules.action_fields.get(action, set()))
        if unknown:
            raise _invalid(unknown[0], "Unknown field for this action.")
        try:
            extra = rules.extra_stake(round_.state, action, data)
            step = rules.apply(_floats_for(round_), round_.state, action, data)
        except ActionError as exc:
            raise ApiError(
                409, "action_not_allowed", exc.message, {"allowed": exc.allowed}
            ) from None
        if extra > 0:
            # An extra stake is a bet: the operator, game and currency must still allow it.
            check_operator_active(session.operator)
            check_game_and_currency(round_.operator_id, round_.game, round_.currency)
        paid = collect_stake(round_, extra, opening=False) if extra > 0 else None
        entry = {"action": action, "data": data, "used": step.used}
        if extra > 0:
            entry["stake"] = extra
        return record_step(
            round_,
            paid,
            step.settlement,
            _limits(round_),
            state=step.state,
            outcome=rules.public_state(step.state),
            amount=round_.amount + extra,
            actions=_log(round_, entry),
        )


def finish_idle_rounds(now):
    """Finish rounds left open past ROUND_IDLE_SECONDS: mines and hilo cash out, blackjack stands.

    The win goes to the wallet like any other, whether or not the player's session still lives.
    """
    cutoff = now - timedelta(seconds=current_app.config["ROUND_IDLE_SECONDS"])
    idle = Round.select().where((Round.status == OPEN) & (Round.updated_at < cutoff)).limit(100)
    finished = 0
    for candidate in idle:
        seconds = 3 * lease_seconds(candidate.operator) + 10
        try:
            with PlayerLease(candidate.operator_id, candidate.sub, seconds, wait_seconds=0):
                round_ = Round.get_by_id(candidate.id)
                if round_.status != OPEN or round_.updated_at >= cutoff:
                    continue  # the player acted meanwhile
                rules = MULTI_STEP_GAMES[round_.game]
                step = rules.finish_idle(_floats_for(round_), round_.state)
                record_step(
                    round_,
                    None,
                    step.settlement,
                    _limits(round_),
                    state=step.state,
                    actions=_log(round_, {"action": "idle", "used": step.used}),
                )
                finished += 1
        except ApiError:
            continue  # the player is mid-bet; the next pass will see the round again
    return finished


register_pass(finish_idle_rounds)
