"""Request and response schemas of the backoffice API."""

from marshmallow import Schema, fields, validate


class PageQuerySchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=500))


def next_cursor_field():
    return fields.String(
        data_key="nextCursor",
        allow_none=True,
        metadata={"description": "Pass as `cursor` for the next page; null on the last page."},
    )
