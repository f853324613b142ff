"""Wallet settings from the environment, and the HMAC secret it shares with the platform."""

import os

from flask import current_app

from common.config import ConfigError, env_int
from common.prepared import Prepared
from refwallet.db import database
from refwallet.models import Setting

DEFAULT_DATABASE_URL = "sqlite:///var/wallet.db"
HMAC_SETTING = "hmac_secret"
# The platform issues 32 random bytes as hex (64 characters); refuse anything guessable.
MIN_SECRET_LENGTH = 32

# Read on every call when the environment has no secret: its SQL is built once.
SETTING = Prepared(lambda key: Setting.select().where(Setting.key == key), proxy=database)


def load_config(overrides=None, env=None):
    """Build the settings dict from the environment, then apply `overrides` and check it."""
    env = os.environ if env is None else env
    config = {
        "WALLET_DATABASE_URL": env.get("WALLET_DATABASE_URL") or DEFAULT_DATABASE_URL,
        "WALLET_DATABASE_POOL_SIZE": env_int(env, "WALLET_DATABASE_POOL_SIZE", 8),
        # When unset, the secret stored by `wallet set-hmac-secret` is used.
        "WALLET_HMAC_SECRET": env.get("WALLET_HMAC_SECRET") or None,
        "MAX_CONTENT_LENGTH": env_int(env, "MAX_CONTENT_LENGTH", 64 * 1024),
    }
    config.update(overrides or {})
    check_secret(config["WALLET_HMAC_SECRET"], "WALLET_HMAC_SECRET")
    return config


def check_secret(secret, name="The HMAC secret"):
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"{name} must be at least {MIN_SECRET_LENGTH} characters: use the operator's "
            "walletHmacSecret from the platform."
        )


def hmac_secret():
    """The secret to sign with: WALLET_HMAC_SECRET wins, else the one stored in the database."""
    configured = current_app.config.get("WALLET_HMAC_SECRET")
    if configured:
        return configured
    stored = SETTING.first(HMAC_SETTING)
    return stored.value if stored else None


def store_hmac_secret(secret):
    """Keep `secret` in refwallet_settings (replacing any earlier one)."""
    check_secret(secret)
    Setting.insert(key=HMAC_SETTING, value=secret).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: secret}
    ).execute()
