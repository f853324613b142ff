"""Aggregator payloads."""

from marshmallow import Schema, fields, validate

from common.schemas import Timestamp, next_cursor_field, validate_code, validate_display_text


class AggregatorSchema(Schema):
    id = fields.String(dump_only=True)
    code = fields.String(required=True, validate=validate_code)
    name = fields.String(
        required=True, validate=[validate.Length(min=1, max=200), validate_display_text]
    )
    status = fields.String(dump_only=True, metadata={"enum": ["active", "disabled"]})
    createdAt = Timestamp(attribute="created_at", dump_only=True)


class AggregatorEnvelopeSchema(Schema):
    aggregator = fields.Nested(AggregatorSchema)


class AggregatorCreatedSchema(AggregatorEnvelopeSchema):
    apiKey = fields.String(metadata={"description": "The aggregator's first API key, shown once."})


class AggregatorListSchema(Schema):
    aggregators = fields.List(fields.Nested(AggregatorSchema))
    next_cursor = next_cursor_field()
