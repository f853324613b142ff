"""Request authentication for both apps: X-Aggregator-Key and X-Admin-Key."""

import hmac
from functools import wraps

from flask import current_app, g, request

from common.errors import ApiError
from common.keys import TooManyFailures, find_usable_key
from common.models import ACTIVE, AdminKey, ApiKey

AGGREGATOR_HEADER = "X-Aggregator-Key"
ADMIN_HEADER = "X-Admin-Key"

SECURITY_SCHEMES = {
    "AggregatorKey": {"type": "apiKey", "in": "header", "name": AGGREGATOR_HEADER},
    "AdminKey": {"type": "apiKey", "in": "header", "name": ADMIN_HEADER},
}


def _find(model, raw_key):
    config = current_app.config
    try:
        return find_usable_key(
            model, raw_key, config["AUTH_FAILURE_LIMIT"], config["AUTH_FAILURE_WINDOW_SECONDS"]
        )
    except TooManyFailures as exc:
        raise ApiError(
            429,
            "too_many_failed_attempts",
            "Too many failed attempts for this key; try again later.",
            headers={"Retry-After": str(exc.retry_after)},
        ) from None


def authenticate_aggregator():
    """The active Aggregator proven by X-Aggregator-Key, or ApiError 401."""
    raw_key = request.headers.get(AGGREGATOR_HEADER)
    if not raw_key:
        raise ApiError(
            401, "missing_api_key", f"Send your API key in the {AGGREGATOR_HEADER} header."
        )
    row = _find(ApiKey, raw_key)
    if row is None:
        raise ApiError(401, "invalid_api_key", "The API key is invalid, expired or revoked.")
    aggregator = row.aggregator  # read with the key
    if aggregator.status != ACTIVE:
        raise ApiError(
            401, "aggregator_disabled", "This aggregator is disabled; contact the platform admin."
        )
    g.api_key_prefix = row.prefix
    return aggregator


def is_admin_request():
    """True when X-Admin-Key holds ADMIN_API_KEY or a usable admin key; ApiError 401 if wrong."""
    raw_key = request.headers.get(ADMIN_HEADER)
    if not raw_key:
        return False
    env_key = current_app.config.get("ADMIN_API_KEY")
    if env_key and hmac.compare_digest(raw_key.encode(), env_key.encode()):
        return True
    if _find(AdminKey, raw_key) is None:
        raise ApiError(401, "invalid_admin_key", "The admin key is invalid, expired or revoked.")
    return True


def require_aggregator(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.aggregator = authenticate_aggregator()
        return view(*args, **kwargs)

    return wrapper


def require_admin(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_admin_request():
            raise ApiError(
                401, "missing_admin_key", f"Send an admin key in the {ADMIN_HEADER} header."
            )
        return view(*args, **kwargs)

    return wrapper


def require_admin_or_aggregator(view):
    """Admins act on anything, an aggregator on what it owns; g.aggregator is None for admins."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.headers.get(ADMIN_HEADER):
            is_admin_request()
            g.aggregator = None
        else:
            g.aggregator = authenticate_aggregator()
        return view(*args, **kwargs)

    return wrapper
