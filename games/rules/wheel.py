"""Wheel: segment = floor(f × segments); pays the table's multiplier for that segment."""

from games.rules import tables
from games.rules.base import GameRules, ParamsSchema, choice, integer_choice


class WheelParams(ParamsSchema):
    """Wheel params: risk level and number of segments."""

    risk = choice(*tables.risks("wheel"))
    segments = integer_choice(*tables.sizes("wheel", "low"))


class Wheel(GameRules):
    """Wheel: one float."""

    name = "wheel"
    params_schema = WheelParams

    def play(self, floats, params):
        """Spin and look the segment up in the risk's table."""
        segments = params["segments"]
        segment = int(next(floats) * segments)
        multiplier = tables.table("wheel", params["risk"], segments)[segment]
        return {"segment": segment}, multiplier
