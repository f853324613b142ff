"""The player's own session: read it, or log out."""

from flask import g, make_response
from flask.views import MethodView
from marshmallow import Schema, fields

from common.operator_config import read_operator_config
from common.schemas import Amount, Timestamp
from common.web import Blueprint, documented
from games.sessions import (
    clear_session_cookie,
    end_session,
    require_player_session,
    session_expires_at,
)

blp = Blueprint(
    "session",
    __name__,
    url_prefix="/v1/session",
    description="The player's session, authenticated by the bp_session cookie set at /launch.",
)


class LimitsSchema(Schema):
    minBet = Amount(attribute="min_bet")
    maxBet = Amount(attribute="max_bet")


class SessionSchema(Schema):
    sub = fields.String()
    operator = fields.String()
    currency = fields.String()
    game = fields.String()
    language = fields.String(allow_none=True)
    balance = Amount(allow_none=True, metadata={"description": "Last known from the wallet."})
    featureFlags = fields.Dict(keys=fields.String(), values=fields.Boolean())
    limits = fields.Nested(LimitsSchema, allow_none=True)
    returnUrl = fields.String(allow_none=True)
    expiresAt = Timestamp()


class SessionEnvelopeSchema(Schema):
    session = fields.Nested(SessionSchema)


def describe_session(session):
    settings = read_operator_config(session.operator_id)
    return {
        "sub": session.sub,
        "operator": session.operator.code,
        "currency": session.currency,
        "game": session.game,
        "language": session.language,
        "balance": session.balance,
        "featureFlags": settings.feature_flags,
        "limits": settings.currencies.get(session.currency),
        "returnUrl": session.return_url,
        "expiresAt": session_expires_at(session),
    }


@blp.route("")
class PlayerSession(MethodView):
    @require_player_session
    @blp.response(200, SessionEnvelopeSchema)
    @blp.doc(security=[{"PlayerSession": []}])
    @documented(blp, None, 401)
    def get(self):
        """Read your session"""
        return {"session": describe_session(g.player_session)}

    @require_player_session
    @blp.response(204)
    @blp.doc(security=[{"PlayerSession": []}])
    @documented(blp, None, 401)
    def delete(self):
        """Log out: end the session and clear its cookie"""
        end_session(g.player_session)
        response = make_response("", 204)
        clear_session_cookie(response)
        return response
