"""Settings from the environment, secrets encrypted at rest, exact decimal storage."""

from decimal import Decimal

import pytest

import backoffice
import games
from common.config import DEV_SECRET_KEY, ConfigError, load_config
from common.crypto import SecretBox
from common.db import database
from common.models import Operator, OperatorCurrency
from tests.conftest import SECRET_KEY

GOOD_ADMIN_KEY = "a" * 32
SAFE_ENV = {"SECRET_KEY": "k" * 48, "DATABASE_URL": "sqlite:///var/test-settings.db"}


@pytest.fixture
def clean_environ(monkeypatch):
    """create_app reads os.environ under its overrides: make sure nothing leaks in from it."""
    for name in ("APP_ENV", "SECRET_KEY", "ADMIN_API_KEY", "DATABASE_URL", "BCRYPT_ROUNDS"):
        monkeypatch.delenv(name, raising=False)


# --- load_config ----------------------------------------------------------------------------


def test_production_without_secret_key_is_refused():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(env={"APP_ENV": "production"})


def test_production_is_the_default_environment():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(env={})
    assert load_config(env=SAFE_ENV)["APP_ENV"] == "production"


@pytest.mark.parametrize("value", ["", None])
def test_empty_secret_key_counts_as_unset(value):
    env = {"APP_ENV": "production"}
    if value is not None:
        env["SECRET_KEY"] = value
    with pytest.raises(ConfigError):
        load_config(env=env)


def test_production_with_secret_key_loads():
    config = load_config(env={"APP_ENV": "production", **SAFE_ENV})
    assert config["SECRET_KEY"] == SAFE_ENV["SECRET_KEY"]
    assert config["BCRYPT_ROUNDS"] >= 10
    assert config["MAX_CONTENT_LENGTH"] == 64 * 1024


@pytest.mark.parametrize("app_env", ["development", "test"])
def test_development_falls_back_to_a_dev_secret_key(app_env):
    config = load_config(env={"APP_ENV": app_env})
    assert config["SECRET_KEY"] == DEV_SECRET_KEY
    assert config["DATABASE_URL"].startswith("sqlite:///")


@pytest.mark.parametrize("key", ["", "short", "x" * 31])
def test_admin_api_key_shorter_than_32_characters_is_refused(key):
    env = {"APP_ENV": "development", "ADMIN_API_KEY": key}
    if key == "":
        # An empty variable means "not set", not "too short".
        assert load_config(env=env)["ADMIN_API_KEY"] is None
        return
    with pytest.raises(ConfigError, match="ADMIN_API_KEY"):
        load_config(env=env)


def test_admin_api_key_of_32_characters_is_accepted():
    config = load_config(env={"APP_ENV": "production", **SAFE_ENV, "ADMIN_API_KEY": "a" * 32})
    assert config["ADMIN_API_KEY"] == "a" * 32


def test_short_admin_key_is_refused_in_overrides_too():
    with pytest.raises(ConfigError, match="ADMIN_API_KEY"):
        load_config({"ADMIN_API_KEY": "short"}, env={"APP_ENV": "development"})


def test_postgres_scheme_is_rewritten_to_postgresql():
    url = "postgres://user:pa:ss@db.example.com:5432/betterplay?sslmode=require"
    config = load_config(env={"APP_ENV": "development", "DATABASE_URL": url})
    assert config["DATABASE_URL"] == (
        "postgresql://user:pa:ss@db.example.com:5432/betterplay?sslmode=require"
    )
    already = "postgresql://u@h/db"
    assert (
        load_config(env={"APP_ENV": "development", "DATABASE_URL": already})["DATABASE_URL"]
        == already
    )


def test_default_database_is_an_sqlite_file_under_var():
    assert load_config(env={"APP_ENV": "development"})["DATABASE_URL"] == (
        "sqlite:///var/betterplay.db"
    )


@pytest.mark.parametrize(
    "name, value", [("BCRYPT_ROUNDS", "3"), ("BCRYPT_ROUNDS", "17"), ("BCRYPT_ROUNDS", "many")]
)
def test_bad_numbers_are_refused(name, value):
    with pytest.raises(ConfigError, match=name):
        load_config(env={"APP_ENV": "development", name: value})


# --- create_app -----------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [backoffice.create_app, games.create_app])
def test_app_refuses_to_start_in_production_without_secret_key(
    clean_environ, database_url, factory
):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        factory({"APP_ENV": "production", "DATABASE_URL": database_url})


@pytest.mark.parametrize("factory", [backoffice.create_app, games.create_app])
def test_app_refuses_a_short_admin_key(clean_environ, database_url, factory):
    with pytest.raises(ConfigError, match="ADMIN_API_KEY"):
        factory({"APP_ENV": "development", "DATABASE_URL": database_url, "ADMIN_API_KEY": "x"})


def test_app_starts_in_development_without_secret_key(clean_environ, database_url):
    app = backoffice.create_app({"APP_ENV": "development", "DATABASE_URL": database_url})
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY
    response = app.test_client().get("/api/v1/bo/openapi.json")
    assert response.status_code == 200


def test_app_reads_the_environment(clean_environ, monkeypatch, database_url):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-" + "z" * 30)
    monkeypatch.setenv("ADMIN_API_KEY", GOOD_ADMIN_KEY)
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = backoffice.create_app()
    assert app.config["APP_ENV"] == "production"
    assert app.config["SECRET_KEY"].startswith("from-the-environment-")
    response = app.test_client().get(
        "/api/v1/bo/aggregators", headers={"X-Admin-Key": GOOD_ADMIN_KEY}
    )
    assert response.status_code == 200, response.json


# --- operator secrets at rest ----------------------------------------------------------------


def _raw_operator_row(operator_id):
    with database.connection_context():
        return Operator.select().where(Operator.id == operator_id).tuples().get()


def _raw_sql_row(operator_id):
    with database.connection_context():
        cursor = database.execute_sql(
            f"SELECT * FROM operators WHERE id = {database.param}", (operator_id,)
        )
        return cursor.fetchone()


def test_operator_secrets_are_stored_encrypted(operator):
    plaintexts = [operator["jwtSharedSecret"], operator["walletHmacSecret"]]
    assert all(len(secret) == 64 for secret in plaintexts)  # 32 random bytes, hex
    for row in (_raw_operator_row(operator["id"]), _raw_sql_row(operator["id"])):
        stored = " ".join(str(value) for value in row)
        for secret in plaintexts:
            assert secret not in stored
            assert secret.upper() not in stored

    with database.connection_context():
        row = Operator.get_by_id(operator["id"])
    box = SecretBox(SECRET_KEY)
    assert box.decrypt(row.jwt_secret_encrypted) == operator["jwtSharedSecret"]
    assert box.decrypt(row.wallet_hmac_secret_encrypted) == operator["walletHmacSecret"]


def test_a_different_secret_key_cannot_decrypt_operator_secrets(operator, test_config):
    with database.connection_context():
        row = Operator.get_by_id(operator["id"])
    other = backoffice.create_app({**test_config, "SECRET_KEY": "another-" + "q" * 40})
    wrong_box = SecretBox(other.config["SECRET_KEY"])
    for token in (row.jwt_secret_encrypted, row.wallet_hmac_secret_encrypted):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            wrong_box.decrypt(token)


def test_encryption_is_randomized(operator):
    """The same plaintext encrypts differently each time: equal secrets do not show as equal."""
    box = SecretBox(SECRET_KEY)
    first = box.encrypt(operator["walletHmacSecret"])
    second = box.encrypt(operator["walletHmacSecret"])
    assert first != second
    assert box.decrypt(first) == box.decrypt(second) == operator["walletHmacSecret"]


def test_rotated_secrets_are_stored_encrypted(client, operator, admin_headers):
    response = client.post(
        f"/api/v1/bo/operators/{operator['id']}/rotate-secrets", headers=admin_headers
    )
    assert response.status_code == 200, response.json
    rotated = response.json["operator"]
    stored = " ".join(str(value) for value in _raw_sql_row(operator["id"]))
    for secret in (rotated["jwtSharedSecret"], rotated["walletHmacSecret"]):
        assert secret not in stored
    with database.connection_context():
        row = Operator.get_by_id(operator["id"])
    box = SecretBox(SECRET_KEY)
    assert box.decrypt(row.jwt_secret_encrypted) == rotated["jwtSharedSecret"]
    assert box.decrypt(row.wallet_hmac_secret_encrypted) == rotated["walletHmacSecret"]


# --- exact decimals in the database ----------------------------------------------------------

AMOUNTS = [
    "0.000005",
    "12345678901234.123456789012345678",
    "0.000000000000000001",
    "99999999999999.999999999999999999",
    "1",
    "100",
    "0.1",
]


@pytest.mark.parametrize("amount", AMOUNTS)
def test_money_round_trips_exactly_in_the_database(operator, amount):
    value = Decimal(amount)
    with database.connection_context():
        OperatorCurrency.create(
            operator=operator["id"], code="BTC", min_bet=value, max_bet=value, max_win=value
        )
    with database.connection_context():
        row = OperatorCurrency.get(
            (OperatorCurrency.operator == operator["id"]) & (OperatorCurrency.code == "BTC")
        )
    for stored in (row.min_bet, row.max_bet, row.max_win):
        assert isinstance(stored, Decimal)
        assert stored == value
        assert format(stored, "f") == amount


def test_money_compares_exactly_in_sql(operator):
    """A query on a money column compares decimals, not floats or strings."""
    with database.connection_context():
        OperatorCurrency.create(
            operator=operator["id"],
            code="BTC",
            min_bet=Decimal("0.000005"),
            max_bet=Decimal("12345678901234.123456789012345678"),
        )
        found = OperatorCurrency.select().where(
            OperatorCurrency.max_bet == Decimal("12345678901234.123456789012345678")
        )
        assert found.count() == 1
        found = OperatorCurrency.select().where(OperatorCurrency.min_bet == Decimal("0.0000050"))
        assert found.count() == 1


def test_money_round_trips_through_the_api(client, operator, aggregator):
    response = client.put(
        f"/api/v1/bo/aggregator/operators/{operator['code']}/config",
        json={
            "enabledGames": ["dice"],
            "currencies": {
                "BTC": {"minBet": "0.000005", "maxBet": "12345678901234.123456789012345678"}
            },
            "demoStartingBalance": "12345678901234.123456789012345678",
        },
        headers=aggregator["headers"],
    )
    assert response.status_code == 200, response.json
    response = client.get(
        f"/api/v1/bo/aggregator/operators/{operator['code']}/config",
        headers=aggregator["headers"],
    )
    config = response.json["config"]
    assert config["currencies"]["BTC"] == {
        "minBet": "0.000005",
        "maxBet": "12345678901234.123456789012345678",
        "maxWin": None,
    }
    assert config["demoStartingBalance"] == "12345678901234.123456789012345678"
