"""Marshmallow fields and validators both APIs use: timestamps, amounts, URLs, codes."""

import re
from datetime import datetime
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, validate

from common.money import AmountError, format_amount, parse_amount

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
UUID_LIKE = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
MAX_URL_LENGTH = 2048


def is_lookup_key(value):
    """Whether `value` can name a row: PostgreSQL refuses NUL in a query (a 500, not a 404)."""
    return "\x00" not in value


def validate_code(value):
    """A tenant slug: lowercase a-z, 0-9 and inner hyphens, 2-64 chars, not a UUID."""
    if not 2 <= len(value) <= 64 or not CODE_PATTERN.match(value):
        raise ValidationError(
            "Use 2-64 characters: lowercase a-z, 0-9 and hyphens, starting and ending with a "
            "letter or digit (pattern ^[a-z0-9][a-z0-9-]*[a-z0-9]$)."
        )
    if UUID_LIKE.match(value):
        raise ValidationError(
            "A code may not look like a UUID: ids and codes share the same paths."
        )


def has_control_characters(value):
    """True for C0 controls and DEL, NUL included (PostgreSQL text cannot hold NUL)."""
    return any(ord(c) < 32 or ord(c) == 127 for c in value)


def validate_display_text(value):
    """A name shown to people: no control characters."""
    if has_control_characters(value):
        raise ValidationError("Must not contain control characters.")


def validate_http_url(value):
    """An absolute http(s) URL with a host and no credentials."""
    if (
        len(value) > MAX_URL_LENGTH
        or any(c.isspace() for c in value)
        or has_control_characters(value)
    ):
        raise ValidationError(
            f"Must be an absolute http(s) URL of at most {MAX_URL_LENGTH} characters."
        )
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValidationError("Not a valid URL.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Must be an absolute http:// or https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise ValidationError("Must not contain credentials.")
    if port == 0:
        raise ValidationError("Not a valid port.")


def is_http_url(value):
    """Whether `value` passes validate_http_url (for values that are not request fields)."""
    try:
        validate_http_url(value)
    except (ValidationError, TypeError):
        return False
    return True


class Timestamp(fields.Field):
    """A naive-UTC datetime shown as ISO 8601 with a Z."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.isoformat(timespec="milliseconds") + "Z"


class Amount(fields.Field):
    """A money amount: a decimal string (or an exact JSON number) in, a decimal string out."""

    def __init__(self, *, minimum=None, exclusive_minimum=False, **kwargs):
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("type", "string")
        metadata.setdefault("format", "decimal")
        metadata.setdefault("example", "10.5")
        super().__init__(metadata=metadata, **kwargs)
        self.minimum = minimum
        self.exclusive_minimum = exclusive_minimum

    def _serialize(self, value, attr, obj, **kwargs):
        return format_amount(value)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            amount = parse_amount(value)
        except AmountError as exc:
            raise ValidationError(str(exc)) from None
        if self.minimum is not None:
            if self.exclusive_minimum and amount <= self.minimum:
                raise ValidationError(f"Must be greater than {self.minimum}.")
            if amount < self.minimum:
                raise ValidationError(f"Must be at least {self.minimum}.")
        return amount


class StrictBoolean(fields.Boolean):
    """JSON true or false only; no "yes" or 1."""

    truthy = {True}
    falsy = {False}

    def _deserialize(self, value, attr, data, **kwargs):
        # An isinstance check: `1 in {True}` holds in Python, so the sets alone let 1 and 0 in.
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class PageQuerySchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=500))


def next_cursor_field():
    return fields.String(
        data_key="nextCursor",
        allow_none=True,
        metadata={"description": "Pass as `cursor` for the next page; null on the last page."},
    )
