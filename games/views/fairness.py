"""Provable fairness: see and change your seeds, and verify any round's outcome."""

from flask import g
from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate

from common.errors import ApiError
from common.web import Blueprint, documented
from games.rules import verify_outcome
from games.services import fairness
from games.sessions import require_player_session

blp = Blueprint("fairness", __name__, url_prefix="/v1/fairness", description="Provably-fair seeds.")
SESSION = [{"PlayerSession": []}]
SEED_TEXT = validate.Regexp(r"^[\x21-\x7e]{1,64}$", error="Use 1-64 printable ASCII characters.")


class SeedPairSchema(Schema):
    serverSeedHash = fields.String()
    clientSeed = fields.String()
    nonce = fields.Integer()
    nextServerSeedHash = fields.String()


class RevealedPairSchema(Schema):
    serverSeed = fields.String()
    serverSeedHash = fields.String()
    clientSeed = fields.String()
    nonce = fields.Integer()


class RotationSchema(Schema):
    previous = fields.Nested(RevealedPairSchema)
    current = fields.Nested(SeedPairSchema)


class ClientSeedSchema(Schema):
    clientSeed = fields.String(required=True, validate=SEED_TEXT)


class VerifyRequestSchema(Schema):
    game = fields.String(required=True)
    serverSeed = fields.String(required=True, validate=validate.Length(min=1, max=256))
    clientSeed = fields.String(required=True, validate=validate.Length(min=1, max=256))
    nonce = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    params = fields.Dict(load_default=dict)


class VerifyResponseSchema(Schema):
    game = fields.String()
    outcome = fields.Dict()


@blp.route("")
class Fairness(MethodView):
    @require_player_session
    @blp.response(200, SeedPairSchema)
    @blp.doc(security=SESSION)
    @documented(blp, None, 401)
    def get(self):
        """Your active seed pair: server seed hash, client seed, nonce, next server seed hash"""
        session = g.player_session
        return fairness.describe(fairness.active_pair(session.operator_id, session.sub))


@blp.route("/client-seed")
class ClientSeed(MethodView):
    @require_player_session
    @blp.arguments(ClientSeedSchema)
    @blp.response(200, SeedPairSchema)
    @blp.doc(security=SESSION)
    @documented(blp, None, 400, 401, 409)
    def post(self, data):
        """Choose your client seed for the coming rounds"""
        session = g.player_session
        pair = fairness.set_client_seed(session.operator_id, session.sub, data["clientSeed"])
        return fairness.describe(pair)


@blp.route("/rotate")
class Rotate(MethodView):
    @require_player_session
    @blp.response(200, RotationSchema)
    @blp.doc(security=SESSION)
    @documented(blp, None, 401, 409)
    def post(self):
        """Reveal your server seed and start the next pair"""
        session = g.player_session
        return fairness.rotate(session.operator_id, session.sub)


@blp.route("/verify")
class Verify(MethodView):
    @blp.arguments(VerifyRequestSchema)
    @blp.response(200, VerifyResponseSchema)
    @documented(blp, None, 400)
    def post(self, data):
        """Compute a round's outcome from its seeds, with the code that plays (no auth)"""
        try:
            outcome = verify_outcome(
                data["game"], data["serverSeed"], data["clientSeed"], data["nonce"], data["params"]
            )
        except KeyError:
            raise ApiError(422, "game_not_found", f"No verifiable game {data['game']!r}.") from None
        except (ValidationError, ValueError) as exc:
            messages = getattr(exc, "messages", str(exc))
            raise ApiError(
                422,
                "invalid_params",
                "The game parameters are not valid.",
                details={"fields": {"params": messages}},
            ) from None
        return {"game": data["game"], "outcome": outcome}
