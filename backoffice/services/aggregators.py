"""Aggregator accounts: created, listed, enabled and disabled by the platform admin."""

from peewee import IntegrityError

from backoffice.services.keys import issue_api_key, prepare_key
from common.db import database
from common.errors import ApiError
from common.models import ACTIVE, DISABLED, Aggregator
from common.pagination import paginate
from common.schemas import UUID_LIKE, is_lookup_key


def create_aggregator(code, name):
    """A new active aggregator and its first API key: (aggregator, plaintext key)."""
    prepared = prepare_key(label="initial")
    try:
        with database.atomic():
            aggregator = Aggregator.create(code=code, name=name)
            _, api_key = issue_api_key(aggregator, prepared=prepared)
    except IntegrityError:
        raise ApiError(
            409, "aggregator_code_taken", f"An aggregator with code {code!r} already exists."
        ) from None
    return aggregator, api_key


def find_aggregator(id_or_code):
    column = Aggregator.id if UUID_LIKE.match(id_or_code) else Aggregator.code
    aggregator = Aggregator.get_or_none(column == id_or_code) if is_lookup_key(id_or_code) else None
    if aggregator is None:
        raise ApiError(404, "aggregator_not_found", "No aggregator with this id or code.")
    return aggregator


def list_aggregators(limit, cursor=None):
    return paginate(Aggregator.select(), Aggregator, limit, cursor)


def set_aggregator_status(id_or_code, enabled):
    aggregator = find_aggregator(id_or_code)
    aggregator.status = ACTIVE if enabled else DISABLED
    aggregator.save()
    return aggregator
