"""Keno: 10 of 40 numbers drawn without replacement; pays the table's multiplier by hits."""

from marshmallow import ValidationError, fields, validate, validates

from games.fairness import pick_without_replacement
from games.rules import tables
from games.rules.base import GameRules, ParamsSchema, choice

NUMBERS = 40
DRAWN = 10
MAX_PICKS = 10


class KenoParams(ParamsSchema):
    """Keno params: risk level and 1–10 distinct picks of 1–40."""

    risk = choice(*tables.risks("keno"))
    picks = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, NUMBERS)),
        required=True,
        validate=validate.Length(1, MAX_PICKS),
    )

    @validates("picks")
    def check_distinct(self, picks, **kwargs):
        """Refuse a number picked twice."""
        if len(set(picks)) != len(picks):
            raise ValidationError("Picks must be distinct.")


class Keno(GameRules):
    """Keno: 10 floats, one per drawn number."""

    name = "keno"
    params_schema = KenoParams

    def play(self, floats, params):
        """Draw 10 numbers (1-based, in draw order) and count the hits."""
        drawn = [index + 1 for index in pick_without_replacement(floats, NUMBERS, DRAWN)]
        picks = params["picks"]
        hits = len(set(picks).intersection(drawn))
        multiplier = tables.table("keno", params["risk"], len(picks))[hits]
        return {"drawn": drawn, "hits": hits}, multiplier
