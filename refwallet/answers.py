"""What the wallet answers: a status and the exact JSON text, kept as is for byte-exact replays."""

import json
from dataclasses import dataclass

from flask import Response

# Built once: json.dumps with any option builds a new encoder on every call.
COMPACT = json.JSONEncoder(separators=(",", ":"))


def encode(payload):
    """Compact JSON text; the same function writes first answers and stored ones."""
    return COMPACT.encode(payload)


@dataclass(frozen=True)
class Answer:
    """An HTTP status and its JSON body text, as sent and as stored with a transaction."""

    status: int
    body: str

    @classmethod
    def ok(cls, payload):
        return cls(200, encode(payload))

    def to_response(self, headers=None):
        return Response(self.body, self.status, headers, mimetype="application/json")
