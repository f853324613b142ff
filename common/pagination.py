"""Keyset pagination in creation order with opaque cursors (`?limit=&cursor=`)."""

import base64
import binascii
import json
from datetime import datetime

from common.errors import ApiError


def encode_cursor(row):
    raw = json.dumps([row.created_at.isoformat(), row.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(row_id, str) or "\x00" in row_id:
            raise ValueError("not a row id")  # PostgreSQL refuses NUL in a query
        return datetime.fromisoformat(created_at), row_id
    except (ValueError, TypeError, binascii.Error):
        raise ApiError(422, "invalid_cursor", "The cursor is not one this API returned.") from None


def paginate(query, model, limit, cursor=None, newest_first=False):
    """(rows, next_cursor) of `query` ordered by (created_at, id), after `cursor`."""
    if cursor:
        created_at, row_id = decode_cursor(cursor)
        if newest_first:
            query = query.where(
                (model.created_at < created_at)
                | ((model.created_at == created_at) & (model.id < row_id))
            )
        else:
            query = query.where(
                (model.created_at > created_at)
                | ((model.created_at == created_at) & (model.id > row_id))
            )
    order = (
        (model.created_at.desc(), model.id.desc()) if newest_first else (model.created_at, model.id)
    )
    rows = list(query.order_by(*order).limit(limit + 1))
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor
