"""Hilo: guess whether the next card of the infinite deck is higher or lower than the shown one.

Ranks count A = 1 … K = 13. On 2–Q, `higher` wins on a higher or equal rank (p = (14 − r)/13)
and `lower` on a lower or equal rank (p = r/13). On an A the choices are `higher` (strictly,
12/13) and `same` (1/13); on a K `lower` (strictly, 12/13) and `same` (1/13). A correct guess
multiplies the running multiplier (kept exact) by 0.99 / p; a wrong one loses the round. `skip`
draws the next card and changes nothing else (no limit). `cashout` (after a correct guess) pays
the running multiplier rounded down to 8 decimal places.
"""

from fractions import Fraction

from games.rules.base import ParamsSchema, Settlement
from games.rules.cards import draw, rank
from games.rules.multistep import (
    MultiStepRules,
    Step,
    Stream,
    floor_places,
    fraction_text,
    text,
)

HOUSE = Fraction(99, 100)
DECK_RANKS = 13
VERIFY_CARDS = 52
HILO_RANK = {"A": 1, "J": 11, "Q": 12, "K": 13} | {str(n): n for n in range(2, 11)}


def hilo_rank(card: str) -> int:
    """A card's hilo rank: A = 1, 2–10, J = 11, Q = 12, K = 13."""
    return HILO_RANK[rank(card)]


def choices(current: int) -> dict[str, Fraction]:
    """The guesses on a card of rank `current` and the chance each is right."""
    if current == 1:
        return {"higher": Fraction(12, DECK_RANKS), "same": Fraction(1, DECK_RANKS)}
    if current == DECK_RANKS:
        return {"lower": Fraction(12, DECK_RANKS), "same": Fraction(1, DECK_RANKS)}
    return {
        "higher": Fraction(DECK_RANKS + 1 - current, DECK_RANKS),
        "lower": Fraction(current, DECK_RANKS),
    }


def step_multiplier(current: int, guess: str) -> Fraction:
    """0.99 / p for a guess on rank `current` (exact)."""
    return HOUSE / choices(current)[guess]


def is_correct(guess: str, current: int, following: int) -> bool:
    """Whether `guess` on `current` is right for the next rank (or-same except on A and K)."""
    if guess == "same":
        return following == current
    if guess == "higher":
        return following > current if current == 1 else following >= current
    return following < current if current == DECK_RANKS else following <= current


class HiloParams(ParamsSchema):
    """Hilo has no params."""


class Hilo(MultiStepRules):
    """Hilo: one float per card, the first shown at open."""

    name = "hilo"
    params_schema = HiloParams

    def open(self, floats_for, params, amount):
        """Show the first card."""
        self.load_params(params)
        stream = Stream(floats_for)
        first = draw(stream)
        state = {
            "stake": text(amount),
            "cursor": stream.cursor,
            "cards": [first],
            "history": [],
            "running": "1/1",
            "correct": 0,
            "finished": False,
            "result": None,
            "end": None,
            "multiplier": None,
            "payout": None,
        }
        return Step(state, None, {"cards": [first]})

    def allowed_actions(self, state):
        """The guesses for the shown card, `skip`, and `cashout` after a correct guess."""
        if state["finished"]:
            return []
        actions = [*choices(hilo_rank(state["cards"][-1])), "skip"]
        return [*actions, "cashout"] if state["correct"] else actions

    def act(self, stream, state, action, data):
        """Draw the next card for a guess or a skip; or cash out."""
        if action == "cashout":
            return self._settle(state, "won", "cashout"), {}
        shown, following = state["cards"][-1], draw(stream)
        state["cards"].append(following)
        entry = {"card": shown, "action": action, "next": following, "correct": None}
        state["history"].append(entry)
        used = {"cards": [following]}
        if action == "skip":
            return None, used
        current = hilo_rank(shown)
        entry["correct"] = is_correct(action, current, hilo_rank(following))
        if not entry["correct"]:
            return self._settle(state, "lost", "wrong"), used
        running = Fraction(state["running"]) * step_multiplier(current, action)
        state["running"] = fraction_text(running)
        state["correct"] += 1
        return None, used

    def idle(self, stream, state):
        """Cash out what is won; with no correct guess yet, return the stake (multiplier 1)."""
        if state["correct"]:
            return self._settle(state, "won", "idle"), {}
        return self._settle(state, "refunded", "idle"), {}

    def _settle(self, state: dict, result: str, end: str) -> Settlement:
        return self.finish(state, result, end, floor_places(Fraction(state["running"])))

    def public_state(self, state):
        """The shown card, every card drawn, the history and the multipliers (8 dp, down)."""
        running = Fraction(state["running"])
        public = {
            "stake": state["stake"],
            "card": state["cards"][-1],
            "cards": list(state["cards"]),
            "history": [dict(entry) for entry in state["history"]],
            "multiplier": text(floor_places(running)),
            "finished": state["finished"],
            "allowedActions": self.allowed_actions(state),
        }
        if state["finished"]:
            public.update(
                result=state["result"],
                end=state["end"],
                multiplier=state["multiplier"],
                payout=state["payout"],
            )
            return public
        current = hilo_rank(state["cards"][-1])
        public["choices"] = {
            guess: {
                "chance": fraction_text(chance),
                "stepMultiplier": text(floor_places(HOUSE / chance)),
                "multiplier": text(floor_places(running * HOUSE / chance)),
            }
            for guess, chance in choices(current).items()
        }
        return public

    def verify(self, floats, params):
        """The first 52 cards of the stream."""
        self.load_params(params)
        return {"cards": [draw(floats) for _ in range(VERIFY_CARDS)]}
