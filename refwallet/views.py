"""The wallet's endpoints: POST /auth, /bet, /win, /rollback (signed calls) and GET /health."""

from flask import Blueprint

from refwallet import ledger
from refwallet.answers import Answer
from refwallet.db import database
from refwallet.protocol import read_call
from refwallet.schemas import AuthSchema, BetSchema, RollbackSchema, WinSchema

blp = Blueprint("wallet", __name__)

# Built once: a marshmallow schema costs more to build than to load a body with.
AUTH, BET, WIN, ROLLBACK = AuthSchema(), BetSchema(), WinSchema(), RollbackSchema()


@blp.post("/auth")
def auth():
    """Confirm the player and report balance, currency and freeze flag."""
    return ledger.auth(read_call(AUTH)).to_response()


@blp.post("/bet")
def bet():
    """Debit a bet."""
    return ledger.bet(read_call(BET)).to_response()


@blp.post("/win")
def win():
    """Credit a win and close the bet's round."""
    return ledger.win(read_call(WIN)).to_response()


@blp.post("/rollback")
def rollback():
    """Void a bet."""
    return ledger.rollback(read_call(ROLLBACK)).to_response()


@blp.get("/health")
def health():
    """Liveness for load balancers (needs no signature): the database answers."""
    database.execute_sql("SELECT 1")
    return Answer.ok({"status": "ok"}).to_response()
