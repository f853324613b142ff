"""Player sessions: created at launch, found by the bp_session cookie, idle and absolute expiry."""

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from flask import current_app, g, request
from peewee import JOIN

from common.errors import ApiError
from common.models import Aggregator, Operator, PlayerSession, utcnow
from common.prepared import Prepared
from common.row_writes import RowInsert, RowUpdate

COOKIE_NAME = "bp_session"
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOUCH_GRANULARITY = timedelta(seconds=60)

INSERT_SESSION = RowInsert(PlayerSession)
UPDATE_SESSION = RowUpdate(PlayerSession)
# The session with its operator and the operator's aggregator as they are now (one query).
SESSION_BY_TOKEN_HASH = Prepared(
    lambda token_hash: (
        PlayerSession.select(PlayerSession, Operator, Aggregator)
        .join(Operator)
        .join(Aggregator, JOIN.LEFT_OUTER)
        .where(PlayerSession.token_hash == token_hash)
    )
)


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(session_id, operator, claims, balance, demo=False):
    """Store a new session; returns (session, cookie token). Only the token's hash is kept."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = PlayerSession(
        id=session_id,
        token_hash=_hash(token),
        operator=operator,
        sub=claims["sub"],
        currency=claims["currency"],
        game=claims["game"],
        language=claims.get("language"),
        country=claims.get("country"),
        return_url=claims.get("return_url"),
        balance=balance,
        demo=demo,
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE_TIMEOUT,
    )
    INSERT_SESSION(session)
    return session, token


def session_expires_at(session):
    """The earlier of the idle and the absolute deadline."""
    return min(session.expires_at, session.last_seen_at + IDLE_TIMEOUT)


def find_live_session(token):
    """The live session for a cookie token, refreshing its idle deadline; None otherwise."""
    if not token or len(token) > 128:
        return None
    session = SESSION_BY_TOKEN_HASH.first(_hash(token))
    now = utcnow()
    if session is None or session.ended_at is not None or session_expires_at(session) <= now:
        return None
    if now - session.last_seen_at > TOUCH_GRANULARITY:
        UPDATE_SESSION(session.id, last_seen_at=now)
        session.last_seen_at = now
    return session


def end_session(session):
    UPDATE_SESSION(session.id, ended_at=utcnow())


def set_session_cookie(response, token):
    secure = current_app.config["PLAYER_COOKIE_SECURE"]
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(ABSOLUTE_TIMEOUT.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
    )


def clear_session_cookie(response):
    secure = current_app.config["PLAYER_COOKIE_SECURE"]
    response.delete_cookie(
        COOKIE_NAME, path="/", secure=secure, httponly=True, samesite="None" if secure else "Lax"
    )


def require_player_session(view):
    """Views behind it see the caller's live session as g.player_session, or answer 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        session = find_live_session(request.cookies.get(COOKIE_NAME))
        if session is None:
            raise ApiError(
                401, "session_required", "No live player session: launch the game again."
            )
        g.player_session = session
        return view(*args, **kwargs)

    return wrapper
