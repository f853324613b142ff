"""Helpers for the launch-flow tests: operators wired to a wallet, minting, self-minting, keys."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from functools import cache
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import ADMIN_KEY, make_operator, operator_body
from tests.world import CONFIG

JSON = {"Accept": "application/json"}


@cache
def rsa_keypair():
    """(private PEM, public PEM) of one 2048-bit RSA key, generated once per test process."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def configure(client, aggregator, operator, config=None):
    """PUT the operator's config (the world's by default); returns the stored config."""
    response = client.put(
        f"/api/v1/bo/aggregator/operators/{operator['id']}/config",
        json=CONFIG if config is None else config,
        headers=aggregator["headers"],
    )
    assert response.status_code == 200, response.json
    return response.json["config"]


def create_rs256_operator(client, aggregator, code="rs-brand", **overrides):
    """An RS256 operator owned by `aggregator`, created by the platform admin."""
    body = operator_body(
        code,
        jwtAlg="RS256",
        jwtPublicKey=rsa_keypair()[1],
        aggregatorId=aggregator["id"],
        **overrides,
    )
    response = client.post("/api/v1/bo/operators", json=body, headers={"X-Admin-Key": ADMIN_KEY})
    assert response.status_code == 201, response.json
    operator = response.json["operator"]
    assert operator["jwtAlg"] == "RS256" and "jwtSharedSecret" not in operator
    return operator


def wired_operator(client, aggregator, wallet, code, config=None, **overrides):
    """An HS256 operator whose wallet is the reference wallet (which takes its HMAC secret)."""
    overrides.setdefault("walletBaseUrl", wallet.url)
    overrides.setdefault("walletTimeoutMs", 2000)
    operator = make_operator(client, aggregator, code, **overrides)
    configure(client, aggregator, operator, config)
    wallet.use_secret(operator["walletHmacSecret"])
    return operator


def set_status(client, headers, kind, id_, enabled):
    """Enable or disable an operator or an aggregator through the backoffice API."""
    action = "enable" if enabled else "disable"
    response = client.post(f"/api/v1/bo/{kind}/{id_}/{action}", headers=headers)
    assert response.status_code == 200, response.json


def mint(games_client, aggregator, code="mybrand", expect=201, **body):
    """POST a launch-token mint; `body` defaults to player-1 / USDT / dice."""
    body = {"sub": "player-1", "currency": "USDT", "game": "dice", **body}
    response = games_client.post(
        f"/v1/aggregator/operators/{code}/launch-tokens", json=body, headers=aggregator["headers"]
    )
    assert response.status_code == expect, response.json
    return response.json


def launch(games_client, token, headers=JSON):
    return games_client.get("/launch", query_string={"token": token}, headers=headers)


def error_code(response):
    return response.json["error"]["code"]


def claims(operator_code="mybrand", lifetime=300, **overrides):
    """Valid launch-token claims for `operator_code`; an override of None removes a claim."""
    now = int(time.time())
    base = {
        "iss": operator_code,
        "sub": "player-1",
        "aud": "betterplay",
        "iat": now,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),
        "game": "dice",
        "currency": "USDT",
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def self_mint(secret, **overrides):
    """An HS256 token signed with `secret`, as an operator's own server would mint it."""
    return jwt.encode(claims(**overrides), secret, algorithm="HS256")


def b64url(data):
    if isinstance(data, dict):
        data = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_signed(header, payload, key):
    """A JWT built without PyJWT: HMAC-SHA256 over header.payload with the raw bytes `key`.

    PyJWT refuses to use a PEM public key as an HMAC secret; an attacker would not.
    """
    signing_input = f"{b64url(header)}.{b64url(payload)}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def cookie_attributes(response, name="bp_session"):
    """(value, {lowercased attribute: value or True}) of the Set-Cookie header for `name`."""
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        key, _, value = first.partition("=")
        if key == name:
            parsed = {}
            for attribute in attributes:
                attr_name, sep, attr_value = attribute.partition("=")
                parsed[attr_name.lower()] = attr_value if sep else True
            return value, parsed
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers}")


def location_query(response):
    """(scheme://host/path, {name: [values]}) of a redirect's Location."""
    parts = urlsplit(response.headers["Location"])
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)
