"""The player's games and rounds: list games, bet, read rounds (session cookie)."""

from flask import g, request
from flask.views import MethodView
from marshmallow import Schema, fields

from common.errors import ApiError
from common.models import Round
from common.pagination import paginate
from common.round_schemas import RoundEnvelopeSchema, RoundSchema
from common.schemas import (
    PageQuerySchema,
    has_control_characters,
    next_cursor_field,
)
from common.web import Blueprint, documented, load_json_body
from games.rules import MULTI_STEP_GAMES, PLAYABLE_GAMES
from games.services.betting import open_round_of, place_bet
from games.services.catalog import describe_games
from games.services.round_actions import act, allowed_actions, own_round
from games.sessions import require_player_session

blp = Blueprint(
    "play", __name__, url_prefix="/v1", description="Game play for the session's player."
)
SESSION = [{"PlayerSession": []}]


class ActionSchema(Schema):
    action = fields.String(required=True, metadata={"example": "reveal"})
    tile = fields.Integer(metadata={"description": "mines reveal: the tile, 0-24."})


def with_actions(round_):
    """The round, carrying the actions its state allows now (for the response)."""
    round_.allowed_actions = allowed_actions(round_)
    return round_


class RoundListSchema(Schema):
    rounds = fields.List(fields.Nested(RoundSchema))
    next_cursor = next_cursor_field()


class GameSchema(Schema):
    id = fields.String()
    params = fields.Dict(metadata={"description": "JSON Schema of the game's params."})
    limits = fields.Dict(allow_none=True, metadata={"description": "minBet, maxBet, maxWin."})
    tables = fields.Dict(allow_none=True, metadata={"description": "Payout tables, if any."})


class GameListSchema(Schema):
    games = fields.List(fields.Nested(GameSchema))


class BetRequestSchema(Schema):
    amount = fields.String(required=True, metadata={"example": "1.5"})
    params = fields.Dict(metadata={"description": "The game's parameters (GET /v1/games)."})


def _json_body():
    raw = request.get_data(cache=True)
    if raw and not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        return load_json_body(raw) if raw else {}
    except ValueError:
        raise ApiError(400, "malformed_json", "The request body is not valid JSON.") from None


@blp.route("/games")
class Games(MethodView):
    @require_player_session
    @blp.response(200, GameListSchema)
    @blp.doc(security=SESSION)
    @documented(blp, None, 401)
    def get(self):
        """List the games you can play, with their parameters, limits and tables"""
        return {"games": describe_games(g.player_session)}


@blp.route("/games/<string:game>/bets")
class Bets(MethodView):
    @require_player_session
    @blp.doc(
        security=SESSION,
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": BetRequestSchema}},
        },
        parameters=[{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}],
    )
    @blp.response(201, RoundEnvelopeSchema)
    @documented(blp, None, 400, 401, 402, 403, 404, 409, 415, 422, 502)
    def post(self, game):
        """Bet: a single-round game settles at once, a multi-step game opens a round"""
        if game not in PLAYABLE_GAMES:
            raise ApiError(404, "game_not_found", f"No playable game {game!r}.")
        key = request.headers.get("Idempotency-Key")
        if key is not None and (not 1 <= len(key) <= 128 or has_control_characters(key)):
            raise ApiError(
                422,
                "invalid_idempotency_key",
                "Idempotency-Key: 1-128 characters, no control characters.",
            )
        round_, replayed = place_bet(g.player_session, game, _json_body(), key)
        return {"round": with_actions(round_)}, 200 if replayed else 201


@blp.route("/games/<string:game>/active")
class ActiveRound(MethodView):
    @require_player_session
    @blp.response(200, RoundEnvelopeSchema)
    @blp.doc(security=SESSION)
    @documented(blp, None, 401, 404)
    def get(self, game):
        """Your unfinished round of a multi-step game, to resume it after a reload"""
        round_ = open_round_of(g.player_session, game) if game in MULTI_STEP_GAMES else None
        if round_ is None:
            raise ApiError(404, "no_active_round", f"You have no unfinished {game} round.")
        return {"round": with_actions(round_)}


@blp.route("/rounds")
class Rounds(MethodView):
    @require_player_session
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, RoundListSchema)
    @blp.doc(security=SESSION)
    @documented(blp, None, 401)
    def get(self, page):
        """Your round history, newest first"""
        session = g.player_session
        query = Round.select().where(
            (Round.operator == session.operator_id) & (Round.sub == session.sub)
        )
        rounds, cursor = paginate(
            query, Round, page["limit"], page.get("cursor"), newest_first=True
        )
        return {"rounds": rounds, "next_cursor": cursor}


@blp.route("/rounds/<string:round_id>")
class RoundById(MethodView):
    @require_player_session
    @blp.response(200, RoundEnvelopeSchema)
    @blp.doc(security=SESSION)
    @documented(blp, None, 401, 404)
    def get(self, round_id):
        """One of your rounds, with every action and the cards or tiles it used"""
        return {"round": with_actions(own_round(g.player_session, round_id))}


@blp.route("/rounds/<string:round_id>/actions")
class RoundActions(MethodView):
    @require_player_session
    @blp.doc(
        security=SESSION,
        requestBody={"required": True, "content": {"application/json": {"schema": ActionSchema}}},
    )
    @blp.response(200, RoundEnvelopeSchema)
    @documented(blp, None, 400, 401, 402, 403, 404, 409, 415, 422, 502)
    def post(self, round_id):
        """Act on your open round (mines: reveal, cashout; hilo: higher, lower, same, skip,
        cashout; blackjack: hit, stand, double, split, insurance)"""
        return {"round": with_actions(act(g.player_session, round_id, _json_body()))}
