"""Admin CLI: `betterplay admin ...` (or `flask --app backoffice.wsgi admin ...`).

Each command validates with the HTTP API's schemas and calls the same service function, so the
CLI and HTTP cannot drift apart. Secrets are printed once; `--json` prints the HTTP body.
"""

import json
from functools import wraps

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from backoffice.schemas.aggregators import (
    AggregatorCreatedSchema,
    AggregatorEnvelopeSchema,
    AggregatorListSchema,
    AggregatorSchema,
)
from backoffice.schemas.keys import IssuedKeySchema
from backoffice.schemas.operators import (
    AdminOperatorCreateSchema,
    OperatorEnvelopeSchema,
    OperatorSecretsEnvelopeSchema,
)
from backoffice.services import aggregators, keys, operators
from common.cli import register_common_cli
from common.db import database
from common.errors import ApiError
from common.operators import find_operator

admin_cli = AppGroup("admin", help="Platform admin operations (the same as the admin HTTP API).")
JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True, help="Print the HTTP API's JSON body."
)


def command(group, name):
    """A CLI command that runs inside a database connection and turns API errors into messages."""

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                with database.connection_context():
                    return fn(*args, **kwargs)
            except ApiError as exc:
                raise click.ClickException(f"{exc.message} ({exc.code})") from None
            except ValidationError as exc:
                raise click.ClickException(_describe(exc.messages)) from None

        return group.command(name)(wrapper)

    return decorator


def _describe(messages):
    return "Invalid input: " + "; ".join(
        f"{field}: {' '.join(map(str, errs)) if isinstance(errs, list) else errs}"
        for field, errs in messages.items()
    )


def emit(schema, body, as_json, text):
    if as_json:
        click.echo(json.dumps(schema().dump(body), indent=2))
    else:
        click.echo(text)


@command(admin_cli, "create-aggregator")
@click.argument("code")
@click.argument("name")
@JSON_OPTION
def create_aggregator(code, name, as_json):
    """Create an aggregator and print its first API key (shown once)."""
    data = AggregatorSchema().load({"code": code, "name": name})
    aggregator, api_key = aggregators.create_aggregator(data["code"], data["name"])
    body = {"aggregator": aggregator, "apiKey": api_key}
    emit(
        AggregatorCreatedSchema,
        body,
        as_json,
        f"Aggregator {aggregator.code} ({aggregator.id})\n"
        f"API key (shown once, store it now): {api_key}",
    )


@command(admin_cli, "list-aggregators")
@click.option("--limit", default=100, type=click.IntRange(1, 100))
@click.option("--cursor")
@JSON_OPTION
def list_aggregators(limit, cursor, as_json):
    """List aggregators, oldest first."""
    rows, next_cursor = aggregators.list_aggregators(limit, cursor)
    lines = [f"{a.id}  {a.code:<24} {a.status:<8} {a.name}" for a in rows]
    if next_cursor:
        lines.append(f"(more: --cursor {next_cursor})")
    emit(
        AggregatorListSchema,
        {"aggregators": rows, "next_cursor": next_cursor},
        as_json,
        "\n".join(lines) or "No aggregators.",
    )


def _status_command(name, enabled):
    @command(admin_cli, name)
    @click.argument("aggregator")
    @JSON_OPTION
    def set_status(aggregator, as_json):
        row = aggregators.set_aggregator_status(aggregator, enabled)
        emit(
            AggregatorEnvelopeSchema,
            {"aggregator": row},
            as_json,
            f"Aggregator {row.code} is {row.status}.",
        )

    set_status.help = f"{name.split('-')[0].capitalize()} an aggregator (by id or code)."


_status_command("enable-aggregator", True)
_status_command("disable-aggregator", False)


@command(admin_cli, "issue-aggregator-key")
@click.argument("aggregator")
@click.option("--label")
@click.option("--expires-in", type=click.IntRange(min=1), help="Seconds until the key expires.")
@JSON_OPTION
def issue_aggregator_key(aggregator, label, expires_in, as_json):
    """Issue another API key for an aggregator (shown once)."""
    row, api_key = keys.issue_api_key(aggregators.find_aggregator(aggregator), label, expires_in)
    emit(
        IssuedKeySchema,
        {"apiKey": api_key, "key": row},
        as_json,
        f"API key (shown once, store it now): {api_key}",
    )


@command(admin_cli, "create-admin-key")
@click.option("--label")
@click.option("--expires-in", type=click.IntRange(min=1), help="Seconds until the key expires.")
@JSON_OPTION
def create_admin_key(label, expires_in, as_json):
    """Create an admin key for the X-Admin-Key header (shown once)."""
    row, api_key = keys.issue_admin_key(label, expires_in)
    emit(
        IssuedKeySchema,
        {"apiKey": api_key, "key": row},
        as_json,
        f"Admin key (shown once, store it now): {api_key}",
    )


@command(admin_cli, "create-operator")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--wallet-url", "walletBaseUrl", required=True)
@click.option("--frontend-url", "gameFrontendBaseUrl", required=True)
@click.option("--wallet-timeout-ms", "walletTimeoutMs", type=int)
@click.option("--aggregator", help="Owning aggregator's id or code.")
@click.option("--jwt-alg", "jwtAlg", type=click.Choice(["HS256", "RS256"]), default="HS256")
@click.option("--public-key-file", type=click.File("r"), help="PEM RSA public key, for RS256.")
@JSON_OPTION
def create_operator(aggregator, public_key_file, as_json, **fields):
    """Create an operator and print its secrets (shown once)."""
    raw = {k: v for k, v in fields.items() if v is not None}
    if public_key_file:
        raw["jwtPublicKey"] = public_key_file.read()
    data = AdminOperatorCreateSchema().load(raw)
    owner = aggregators.find_aggregator(aggregator) if aggregator else None
    operator = operators.create_operator(data, aggregator=owner)
    emit(OperatorSecretsEnvelopeSchema, {"operator": operator}, as_json, _secrets_text(operator))


def _secrets_text(operator):
    lines = [
        f"Operator {operator.code} ({operator.id}), {operator.jwt_alg}",
        "Secrets (shown once, store them now):",
    ]
    if operator.jwt_shared_secret:
        lines.append(f"  jwtSharedSecret:  {operator.jwt_shared_secret}")
    lines.append(f"  walletHmacSecret: {operator.wallet_hmac_secret}")
    return "\n".join(lines)


def _operator_status_command(name, enabled):
    @command(admin_cli, name)
    @click.argument("operator")
    @JSON_OPTION
    def set_status(operator, as_json):
        row = operators.set_operator_status(find_operator(operator), enabled)
        emit(
            OperatorEnvelopeSchema,
            {"operator": row},
            as_json,
            f"Operator {row.code} is {row.status}.",
        )

    set_status.help = f"{name.split('-')[0].capitalize()} an operator (by id or code)."


_operator_status_command("enable-operator", True)
_operator_status_command("disable-operator", False)


@command(admin_cli, "rotate-operator-secrets")
@click.argument("operator")
@JSON_OPTION
def rotate_operator_secrets(operator, as_json):
    """Issue new operator secrets (shown once); the old ones stop working at once."""
    row = operators.rotate_operator_secrets(find_operator(operator))
    emit(OperatorSecretsEnvelopeSchema, {"operator": row}, as_json, _secrets_text(row))


def register_cli(app):
    app.cli.add_command(admin_cli)
    register_common_cli(app)
