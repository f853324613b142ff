"""Multi-step games: a round stays open across actions; the rules are pure state transitions.

A round's private state is a JSON-serialisable dict (money and multipliers as decimal strings)
that records how many floats of the round's stream it has consumed ("cursor"), so every action
replays the stream from its start (`floats_for()`) and skips to where the round stands.
"""

import copy
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from marshmallow import Schema

from games.rules.base import Settlement, exact_payout, shared_schema

FloatsFor = Callable[[], Iterator[float]]
PLACES = 8


class ActionError(Exception):
    """An action the round's state does not allow, or bad action data; `allowed` lists the legal."""

    def __init__(self, message: str, allowed: list[str] | tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.allowed = list(allowed)


@dataclass(frozen=True)
class Step:
    """The result of opening or acting: the new full state, the settlement if it ended, the log."""

    state: dict
    settlement: Settlement | None = None
    used: dict = field(default_factory=dict)


class Stream:
    """The round's floats from `cursor` on (made lazily), counting how many have been consumed."""

    def __init__(self, floats_for: FloatsFor, cursor: int = 0):
        self._floats_for = floats_for
        self._floats: Iterator[float] | None = None
        self._skip = cursor
        self.cursor = cursor

    def __iter__(self) -> "Stream":
        return self

    def __next__(self) -> float:
        if self._floats is None:
            self._floats = self._floats_for()
            for _ in range(self._skip):
                next(self._floats)
        value = next(self._floats)
        self.cursor += 1
        return value


def floor_places(value: Fraction) -> Decimal:
    """Round an exact value down to 8 decimal places (trailing zeros dropped)."""
    return Decimal(math.floor(value * 10**PLACES)).scaleb(-PLACES).normalize()


def text(value: Decimal) -> str:
    """A decimal as plain text without exponent or trailing zeros: "1.5", "100", "0"."""
    return format(value.normalize(), "f")


def fraction_text(value: Fraction) -> str:
    """An exact fraction as "num/den" text (Fraction() parses it back)."""
    return f"{value.numerator}/{value.denominator}"


def ratio(payout: Decimal, staked: Decimal) -> Decimal:
    """Return payout / staked, rounded down to 8 decimal places (exact whenever it terminates)."""
    return floor_places(Fraction(payout) / Fraction(staked))


def settlement_at(stake: Decimal, multiplier: Decimal, outcome: dict) -> Settlement:
    """A settlement paying stake × multiplier exactly."""
    return Settlement(outcome, multiplier, exact_payout(stake, multiplier))


class MultiStepRules:
    """A game whose round is opened by a bet and then advanced by the player's actions.

    Subclasses implement `open`, `allowed_actions`, `act` (an allowed action on a private copy of
    the state), `idle` (finish a round left open) and `public_state`, and `verify` for fairness.
    """

    name: ClassVar[str]
    params_schema: ClassVar[type[Schema]]
    # The fields each action takes besides "action" (mines: reveal takes a tile).
    action_fields: ClassVar[dict[str, set[str]]] = {}

    def params(self) -> Schema:
        """The game's params schema (one shared instance)."""
        return shared_schema(self.params_schema)

    def load_params(self, params: dict) -> dict[str, Any]:
        """Validate params (marshmallow ValidationError naming the field) and load them."""
        return self.params().load(params)

    def stake(self, amount: Decimal, params: dict) -> Decimal:
        """Return the opening stake: the bet amount."""
        self.load_params(params)
        return amount

    def open(self, floats_for: FloatsFor, params: dict, amount: Decimal) -> Step:
        """Start a round staking `amount`."""
        raise NotImplementedError

    def allowed_actions(self, state: dict) -> list[str]:
        """The actions the state allows now; [] once the round is finished."""
        raise NotImplementedError

    def check_action(self, state: dict, action: str, data: dict | None) -> dict:
        """Raise ActionError unless `action` is allowed now and `data` is a dict; return data."""
        allowed = self.allowed_actions(state)
        if state.get("finished"):
            raise ActionError("The round is finished.", allowed)
        if action not in allowed:
            raise ActionError(f"Action {action!r} is not allowed now.", allowed)
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ActionError("Action data must be an object.", allowed)
        return data

    def extra_stake(self, state: dict, action: str, data: dict) -> Decimal:
        """The further stake `action` needs before it applies; ActionError if not allowed."""
        self.check_action(state, action, data)
        return Decimal(0)

    def apply(self, floats_for: FloatsFor, state: dict, action: str, data: dict) -> Step:
        """Apply an allowed action (its extra stake already collected) to a copy of the state."""
        data = self.check_action(state, action, data)
        state = copy.deepcopy(state)
        stream = Stream(floats_for, state["cursor"])
        settlement, used = self.act(stream, state, action, data)
        state["cursor"] = stream.cursor
        return Step(state, settlement, used)

    def finish_idle(self, floats_for: FloatsFor, state: dict) -> Step:
        """Settle a round left open (see each game's `idle`)."""
        if state.get("finished"):
            raise ActionError("The round is finished.", [])
        state = copy.deepcopy(state)
        stream = Stream(floats_for, state["cursor"])
        settlement, used = self.idle(stream, state)
        state["cursor"] = stream.cursor
        return Step(state, settlement, {"idle": True, **used})

    def act(
        self, stream: Stream, state: dict, action: str, data: dict
    ) -> tuple[Settlement | None, dict]:
        """Apply an allowed action to `state` in place; return the settlement (or None) and log."""
        raise NotImplementedError

    def idle(self, stream: Stream, state: dict) -> tuple[Settlement, dict]:
        """Finish an unfinished round in place; return its settlement and log."""
        raise NotImplementedError

    def finish(self, state: dict, result: str, end: str, won_multiplier: Decimal) -> Settlement:
        """End the round in place: "won" pays `won_multiplier`, "refunded" returns the stake,
        anything else pays nothing; the settlement's outcome is the finished public state."""
        if result == "won":
            paid = won_multiplier
        else:
            paid = Decimal(1) if result == "refunded" else Decimal(0)
        settlement = settlement_at(Decimal(state["stake"]), paid, {})
        state.update(
            finished=True,
            result=result,
            end=end,
            multiplier=text(paid),
            payout=text(settlement.payout),
        )
        return Settlement(self.public_state(state), settlement.multiplier, settlement.payout)

    def public_state(self, state: dict) -> dict:
        """What the player may see now."""
        raise NotImplementedError

    def verify(self, floats: Iterator[float], params: dict) -> dict:
        """The outcome fields that fairness verification shows for a stream and params."""
        raise NotImplementedError
