"""A quick path through a marshmallow schema for bodies that are valid, which almost all are.

Marshmallow's machinery around the fields (error stores, getter closures, hook dispatch) costs
more than the checks themselves: loading an /auth body took about a tenth of the call's CPU in
the app, a /win body 28 µs where these checks take 7. `QuickLoad` runs, per field, only the
checks the schema declares: the field's own `deserialize` (a plain `String` is inlined: its one
check is `isinstance(value, str)`), its validators, then the schema's `@validates_schema`
methods. On any doubt it returns None and the caller runs `Schema.load`, so refusals, their
messages and `details.fields` still come from marshmallow, and a schema it cannot mirror (other
hooks, nested keys, unknown fields not excluded) always takes marshmallow's path.
"""

from marshmallow import EXCLUDE, ValidationError, fields
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA

MISSING = object()


class QuickLoad:
    def __init__(self, schema):
        self._schema = schema
        self._fields = None  # (data key, attribute, field or None for a plain String, validators)
        self._checks = []  # bound @validates_schema methods
        hooks = schema._hooks
        if schema.many or schema.partial or schema.unknown != EXCLUDE:
            return
        if schema.dict_class is not dict or hooks[PRE_LOAD] or hooks[POST_LOAD] or hooks[VALIDATES]:
            return
        for name, pass_collection, options in hooks[VALIDATES_SCHEMA]:
            if pass_collection or options.get("pass_original"):
                return
            self._checks.append(getattr(schema, name))
        rules = []
        for name, field in schema.load_fields.items():
            attribute = field.attribute or name
            if "." in attribute or field.pre_load or field.post_load:
                return  # marshmallow nests dotted keys; hooks would need to run
            plain = type(field) is fields.String and field.required and not field.allow_none
            key = field.data_key if field.data_key is not None else name
            rules.append((key, attribute, None if plain else field, tuple(field.validators)))
        self._fields = rules

    def __call__(self, data):
        """`schema.load(data)` when `data` is valid; None when it may not be."""
        if self._fields is None or type(data) is not dict:
            return None
        schema, result = self._schema, {}
        try:
            for key, attribute, field, validators in self._fields:
                value = data.get(key, MISSING)
                if field is None:
                    if type(value) is not str:
                        return None
                    for validator in validators:
                        validator(value)
                elif value is MISSING:
                    return None
                else:
                    # deserialize() runs the field's validators itself.
                    value = field.deserialize(value, key, data)
                result[attribute] = value
            for check in self._checks:
                check(result, partial=schema.partial, many=False, unknown=EXCLUDE)
        except ValidationError:
            return None
        return result
