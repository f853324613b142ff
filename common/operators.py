"""Finding operators within a tenant, and reaching their secrets and wallet."""

from flask import current_app
from peewee import JOIN

from common.crypto import SecretBox
from common.errors import ApiError
from common.models import ACTIVE, Aggregator, Operator
from common.pagination import paginate
from common.prepared import Prepared
from common.schemas import UUID_LIKE, is_lookup_key
from common.wallet import WalletClient


def _lookup(column, owned):
    """An operator with its aggregator (operator.aggregator) in one query."""

    def with_aggregator():
        return Operator.select(Operator, Aggregator).join(Aggregator, JOIN.LEFT_OUTER)

    if owned:
        return Prepared(
            lambda key, owner: (
                with_aggregator().where(column == key, Operator.aggregator == owner).limit(1)
            )
        )
    return Prepared(lambda key: with_aggregator().where(column == key).limit(1))


# (looked up by id?, owner given?) -> the query
OPERATOR_LOOKUPS = {
    (by_id, owned): _lookup(Operator.id if by_id else Operator.code, owned)
    for by_id in (True, False)
    for owned in (True, False)
}


def find_operator(id_or_code, aggregator=None):
    """The operator with this id or code; with `aggregator`, only one it owns (else 404)."""
    operator = None
    if is_lookup_key(id_or_code):
        by_id = bool(UUID_LIKE.match(id_or_code))
        owner = () if aggregator is None else (getattr(aggregator, "id", aggregator),)
        operator = OPERATOR_LOOKUPS[by_id, bool(owner)].first(id_or_code, *owner)
    if operator is None:
        raise ApiError(
            404, "operator_not_found", "Operator not found, or not owned by your aggregator."
        )
    return operator


def find_operator_by_code(code):
    """The operator with this code, or None."""
    return OPERATOR_LOOKUPS[False, False].first(code)


def check_operator_active(operator):
    """403 unless the operator and its aggregator are both enabled (launch, bets, demo)."""
    if operator.status != ACTIVE:
        raise ApiError(403, "operator_disabled", "The operator is disabled.")
    # The lookups above read the aggregator with the operator: no query here.
    if operator.aggregator_id and operator.aggregator.status != ACTIVE:
        raise ApiError(403, "aggregator_disabled", "The operator's aggregator is disabled.")


def list_operators(aggregator, limit, cursor=None):
    query = Operator.select().where(Operator.aggregator == aggregator)
    return paginate(query, Operator, limit, cursor)


def secret_box():
    return SecretBox(current_app.config["SECRET_KEY"])


def jwt_verification_key(operator):
    """What verifies the operator's launch tokens: its HS256 secret or its RS256 public key."""
    if operator.jwt_alg == "RS256":
        return operator.jwt_public_key
    return secret_box().decrypt(operator.jwt_secret_encrypted)


def wallet_client(operator):
    return WalletClient(
        operator.wallet_base_url,
        secret_box().decrypt(operator.wallet_hmac_secret_encrypted),
        operator.wallet_timeout_ms,
        current_app.config["WALLET_BLOCK_PRIVATE_ADDRESSES"],
    )
