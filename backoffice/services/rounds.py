"""Rounds of an operator for its aggregator: filtered history and one round in full."""

from datetime import UTC

from common.errors import ApiError
from common.models import Round, WalletAttempt, WalletTransaction
from common.pagination import paginate
from common.schemas import is_lookup_key


def _naive_utc(moment):
    return moment.astimezone(UTC).replace(tzinfo=None)


def list_rounds(operator, filters):
    query = Round.select().where(Round.operator == operator)
    if filters.get("player"):
        query = query.where(Round.sub == filters["player"])
    if filters.get("game"):
        query = query.where(Round.game == filters["game"])
    if filters.get("status"):
        query = query.where(Round.status == filters["status"])
    if filters.get("from_"):
        query = query.where(Round.created_at >= _naive_utc(filters["from_"]))
    if filters.get("to"):
        query = query.where(Round.created_at < _naive_utc(filters["to"]))
    return paginate(query, Round, filters["limit"], filters.get("cursor"), newest_first=True)


def round_detail(operator, round_id):
    """The round with its wallet transactions (oldest first), each with its attempts."""
    round_ = None
    if is_lookup_key(round_id):
        round_ = Round.get_or_none((Round.id == round_id) & (Round.operator == operator))
    if round_ is None:
        raise ApiError(404, "round_not_found", "No such round of this operator.")
    transactions = list(
        WalletTransaction.select()
        .where(WalletTransaction.round == round_)
        .order_by(WalletTransaction.created_at)
    )
    for txn in transactions:
        txn.attempt_list = list(
            WalletAttempt.select()
            .where(WalletAttempt.transaction == txn)
            .order_by(WalletAttempt.started_at)
        )
    round_.transaction_list = transactions
    return round_
