"""Operators: creation with their secrets, lookup within a tenant, status, secret rotation."""

from peewee import IntegrityError

from common.crypto import new_operator_secret, normalize_rsa_public_key
from common.db import database
from common.errors import ApiError
from common.models import ACTIVE, DISABLED, Aggregator, Operator, OperatorConfig
from common.operators import secret_box
from common.urls import url_origin

HS256, RS256 = "HS256", "RS256"


def _invalid(field, message):
    return ApiError(
        422, "validation_error", f"{field}: {message}", details={"fields": {field: [message]}}
    )


def create_operator(data, aggregator=None):
    """Create an operator (owned by `aggregator`, if given) with fresh secrets.

    The returned operator carries `jwt_shared_secret` (HS256 only) and `wallet_hmac_secret` in
    plaintext for the one response that shows them.
    """
    jwt_alg = data.get("jwt_alg", HS256)
    public_key = None
    if jwt_alg == RS256:
        try:
            public_key = normalize_rsa_public_key(data.get("jwt_public_key") or "")
        except ValueError as exc:
            raise _invalid("jwtPublicKey", str(exc)) from None
    elif data.get("jwt_public_key"):
        raise _invalid("jwtPublicKey", "Only RS256 operators take a public key.")
    jwt_secret = new_operator_secret() if jwt_alg == HS256 else None
    wallet_secret = new_operator_secret()
    box = secret_box()
    try:
        with database.atomic():
            operator = Operator.create(
                code=data["code"],
                name=data["name"],
                aggregator=aggregator,
                jwt_alg=jwt_alg,
                jwt_secret_encrypted=box.encrypt(jwt_secret) if jwt_secret else None,
                jwt_public_key=public_key,
                wallet_hmac_secret_encrypted=box.encrypt(wallet_secret),
                wallet_base_url=data["wallet_base_url"],
                game_frontend_base_url=data["game_frontend_base_url"],
                frontend_origin=url_origin(data["game_frontend_base_url"]),
                wallet_timeout_ms=data.get("wallet_timeout_ms", 5000),
            )
            OperatorConfig.create(operator=operator)
    except IntegrityError:
        raise ApiError(
            409,
            "operator_code_taken",
            f"The operator code {data['code']!r} is already taken; codes are globally unique.",
        ) from None
    operator.jwt_shared_secret = jwt_secret
    operator.wallet_hmac_secret = wallet_secret
    return operator


def find_aggregator_for_operator(aggregator_id):
    aggregator = Aggregator.get_or_none(Aggregator.id == aggregator_id)
    if aggregator is None:
        raise _invalid("aggregatorId", "No aggregator with this id.")
    return aggregator


def set_operator_status(operator, enabled):
    operator.status = ACTIVE if enabled else DISABLED
    operator.save(only=[Operator.status])
    return operator


def rotate_operator_secrets(operator):
    """New wallet HMAC secret (and JWT secret for HS256); the old ones stop working at once."""
    box = secret_box()
    operator.wallet_hmac_secret = new_operator_secret()
    operator.wallet_hmac_secret_encrypted = box.encrypt(operator.wallet_hmac_secret)
    operator.jwt_shared_secret = None
    if operator.jwt_alg == HS256:
        operator.jwt_shared_secret = new_operator_secret()
        operator.jwt_secret_encrypted = box.encrypt(operator.jwt_shared_secret)
    operator.save(only=[Operator.wallet_hmac_secret_encrypted, Operator.jwt_secret_encrypted])
    return operator
