"""How a round is shown: to its player (games API) and to its operator's aggregator."""

from marshmallow import Schema, fields

from common.money import format_amount
from common.schemas import Amount, Timestamp
from common.settlement import OPEN, ROUND_STATUSES, SETTLED, UNFINISHED, WIN_PENDING

# The result is shown once the bet is accepted; a void or rolled-back round never played.
RESULT_VISIBLE = (OPEN, WIN_PENDING, SETTLED)


class FairnessRefSchema(Schema):
    serverSeedHash = fields.String(attribute="seed_pair.server_seed_hash")
    clientSeed = fields.Function(lambda r: r.client_seed or r.seed_pair.client_seed)
    nonce = fields.Integer()
    serverSeed = fields.Function(
        lambda r: r.seed_pair.revealed_server_seed,
        allow_none=True,
        metadata={"description": "Shown once the seed pair is rotated."},
    )


# Built once: a schema instance costs ~65 us to build, once per round shown (lists too).
FAIRNESS_REF = FairnessRefSchema()


class RoundSchema(Schema):
    id = fields.String()
    game = fields.String()
    status = fields.String(metadata={"enum": ROUND_STATUSES})
    demo = fields.Boolean()
    currency = fields.String()
    amount = Amount()
    payout = fields.Function(
        lambda r: _visible(r, r.payout), allow_none=True, metadata={"type": "string"}
    )
    multiplier = fields.Function(
        lambda r: _visible(r, r.multiplier), allow_none=True, metadata={"type": "string"}
    )
    outcome = fields.Function(
        lambda r: r.outcome if r.status in RESULT_VISIBLE else None,
        allow_none=True,
        metadata={"type": "object"},
    )
    params = fields.Dict()
    fairness = fields.Function(lambda r: FAIRNESS_REF.dump(r))
    maxWinApplied = fields.Boolean(
        attribute="capped", metadata={"description": "The operator's maxWin cut the payout."}
    )
    allowedActions = fields.Function(
        lambda r: getattr(r, "allowed_actions", None),
        allow_none=True,
        metadata={"type": "array", "description": "Multi-step games: the actions open now."},
    )
    actions = fields.Function(
        lambda r: _action_log(r),
        allow_none=True,
        metadata={
            "type": "array",
            "description": "Multi-step games: every action; once the round is over, with the "
            "cards or tiles each one used (while it is open they could reveal the hole card).",
        },
    )
    balance = Amount(allow_none=True)
    createdAt = Timestamp(attribute="created_at")
    settledAt = Timestamp(attribute="settled_at", allow_none=True)


def _action_log(round_):
    if round_.actions is None or round_.status not in UNFINISHED:
        return round_.actions
    return [{k: v for k, v in entry.items() if k != "used"} for entry in round_.actions]


def _visible(round_, value):
    return format_amount(value) if round_.status in RESULT_VISIBLE and value is not None else None


class RoundEnvelopeSchema(Schema):
    round = fields.Nested(RoundSchema)
