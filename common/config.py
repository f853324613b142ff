"""Settings read from the environment, with safe local defaults."""

import os

DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-deploy"  # noqa: S105 (local only)
DEFAULT_DATABASE_URL = "sqlite:///var/betterplay.db"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable deployment."""


def env_int(env, name, default):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def _bool(env, name, default):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def load_config(overrides=None, env=None):
    """Build the settings dict from the environment, then apply `overrides` and check it."""
    env = os.environ if env is None else env
    config = {
        "APP_ENV": env.get("APP_ENV", "production"),
        "DATABASE_URL": env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        "DATABASE_POOL_SIZE": env_int(env, "DATABASE_POOL_SIZE", 8),
        "DATABASE_PREPARED_STATEMENTS": _bool(env, "DATABASE_PREPARED_STATEMENTS", True),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "ADMIN_API_KEY": env.get("ADMIN_API_KEY") or None,
        "BCRYPT_ROUNDS": env_int(env, "BCRYPT_ROUNDS", 12),
        "MAX_CONTENT_LENGTH": env_int(env, "MAX_CONTENT_LENGTH", 64 * 1024),
        "AUTH_FAILURE_LIMIT": env_int(env, "AUTH_FAILURE_LIMIT", 10),
        "AUTH_FAILURE_WINDOW_SECONDS": env_int(env, "AUTH_FAILURE_WINDOW_SECONDS", 300),
        "WALLET_BLOCK_PRIVATE_ADDRESSES": _bool(env, "WALLET_BLOCK_PRIVATE_ADDRESSES", False),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        # A multi-step round untouched this long is finished by the worker.
        "ROUND_IDLE_SECONDS": env_int(env, "ROUND_IDLE_SECONDS", 900),
    }
    config.update(overrides or {})
    return _checked(config)


def is_development(config):
    return config["APP_ENV"] in ("development", "test")


def _checked(config):
    if not config.get("SECRET_KEY"):
        if not is_development(config):
            raise ConfigError(
                "SECRET_KEY is not set. It encrypts operator secrets at rest; set it to a long "
                "random string (python -c 'import secrets; print(secrets.token_urlsafe(48))'), "
                "or set APP_ENV=development for local use."
            )
        config["SECRET_KEY"] = DEV_SECRET_KEY
    # Player cookies are Secure everywhere but local development over plain http.
    config.setdefault("PLAYER_COOKIE_SECURE", config["APP_ENV"] != "development")
    admin_key = config.get("ADMIN_API_KEY")
    if admin_key is not None and len(admin_key) < 32:
        raise ConfigError("ADMIN_API_KEY must be at least 32 characters long.")
    if not 4 <= config["BCRYPT_ROUNDS"] <= 16:
        raise ConfigError("BCRYPT_ROUNDS must be between 4 and 16.")
    url = config["DATABASE_URL"]
    if url.startswith("postgres://"):
        config["DATABASE_URL"] = "postgresql://" + url[len("postgres://") :]
    return config
