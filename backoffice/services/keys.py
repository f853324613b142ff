"""Issuing, rotating, listing and revoking aggregator and admin API keys."""

from datetime import timedelta

from flask import current_app
from peewee import fn

from common.db import database
from common.errors import ApiError
from common.keys import hash_secret, mint_key
from common.models import AdminKey, ApiKey, utcnow
from common.schemas import is_lookup_key


def prepare_key(label=None, expires_in_seconds=None):
    """(row fields, plaintext key) for a new key; bcrypt runs here, outside any transaction."""
    prefix, secret, full_key = mint_key()
    fields = {
        "prefix": prefix,
        "secret_hash": hash_secret(secret, current_app.config["BCRYPT_ROUNDS"]),
        "label": label,
        "expires_at": utcnow() + timedelta(seconds=expires_in_seconds)
        if expires_in_seconds
        else None,
    }
    return fields, full_key


def issue_api_key(aggregator, label=None, expires_in_seconds=None, prepared=None):
    """A new key for `aggregator`: (row, plaintext key shown once)."""
    fields, full_key = prepared or prepare_key(label, expires_in_seconds)
    return ApiKey.create(aggregator=aggregator, **fields), full_key


def issue_admin_key(label=None, expires_in_seconds=None):
    fields, full_key = prepare_key(label, expires_in_seconds)
    return AdminKey.create(**fields), full_key


def _active_keys(aggregator, now):
    return ApiKey.select().where(
        (ApiKey.aggregator == aggregator)
        & ApiKey.revoked_at.is_null()
        & (ApiKey.expires_at.is_null() | (ApiKey.expires_at > now))
    )


def rotate_api_key(aggregator, label=None, expire_others_in_seconds=None):
    """Issue a new key; with `expire_others_in_seconds`, every other active key expires then."""
    prepared = prepare_key(label)
    with database.atomic():
        now = utcnow()
        if expire_others_in_seconds is not None:
            deadline = now + timedelta(seconds=expire_others_in_seconds)
            ApiKey.update(expires_at=deadline).where(
                ApiKey.prefix.in_(_active_keys(aggregator, now).select(ApiKey.prefix))
                & (ApiKey.expires_at.is_null() | (ApiKey.expires_at > deadline))
            ).execute()
        return issue_api_key(aggregator, prepared=prepared)


def list_api_keys(aggregator):
    return list(ApiKey.select().where(ApiKey.aggregator == aggregator).order_by(ApiKey.created_at))


def revoke_api_key(aggregator, prefix):
    """Revoke one of `aggregator`'s keys; refuses the last active one (409)."""
    with database.atomic():
        row = None
        if is_lookup_key(prefix):
            row = ApiKey.get_or_none((ApiKey.prefix == prefix) & (ApiKey.aggregator == aggregator))
        if row is None:
            raise ApiError(404, "api_key_not_found", "No API key with this prefix is yours.")
        now = utcnow()
        if row.revoked_at is not None:
            return row
        others = _active_keys(aggregator, now).where(ApiKey.prefix != prefix)
        if row.is_usable(now) and others.select(fn.COUNT(ApiKey.prefix)).scalar() == 0:
            raise ApiError(
                409,
                "last_active_key",
                "This is your only active key; rotate to get a new one before revoking it.",
            )
        row.revoked_at = now
        row.save()
        return row
