"""`make bench`: the platform under wrk, on SQLite and PostgreSQL, against targets.

For each database it migrates a fresh database, starts the platform as the Procfile does
(gunicorn wsgi:app, 2 workers x 4 threads) and the reference wallet (1 worker x 4 threads, its
own SQLite file), sets up an aggregator, an operator and 64 launched players through the public
APIs, then runs wrk against each endpoint and prints requests/s, p50/p99 latency, the ratio to
the platform's /v1/health in the same run, CPU per request and the targets. See bench/README.md.

    python -m bench.run                  # both databases, scale mode skipped
    python -m bench.run --scale          # ...then seed 1M nonces, 100k operators, 1M rounds
    python -m bench.run --db sqlite --duration 5 --only health,me
    python -m bench.run --db postgres --only health,bet \\
        --setup-sql bench/experiments/drop_bet_foreign_keys.postgresql.sql
"""

import argparse
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import jwt
import requests

from bench import hotspots, seed
from bench.processes import (
    BIN,
    ROOT,
    Gunicorn,
    cpu_delta,
    cpu_seconds,
    free_port,
    host_cpu,
    machine_busy,
    reference_wallet,
)
from bench.report import (
    BCRYPT_ROUNDS,
    ENDPOINTS,
    HEADER,
    SCALE_ENDPOINTS,
    bcrypt_note,
    ceiling,
    fmt_rss,
    machine,
    mean_rps,
    memory_verdict,
    rate_range,
    result_line,
    say,
    summary_table,
)
from bench.wrk import Result, run_wrk
from common.db import sqlite_path

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/betterplay_bench"
OPERATOR = "bench-casino"
FRONTEND = "https://play.bench.example/"
PLAYER_BALANCE = "1000000000000"  # 1e12 USDT: 1 USDT bets never run out
BET_BODY = {"amount": "1", "params": {"target": "50", "condition": "under"}}
VERIFY_BODY = {
    "game": "dice",
    "serverSeed": "9f" * 32,
    "clientSeed": "bench-client-seed",
    "nonce": 7,
    "params": {"target": "50", "condition": "under"},
}

UNEVEN_SHARE = 0.3  # a platform worker with less of the CPU than this idled for part of a run
UNEVEN_RETRIES = 2
SETTLE_SECONDS = 1.0


# ---------------------------------------------------------------------------------------------
# Database preparation
# ---------------------------------------------------------------------------------------------


def fresh_postgres(url):
    """Drop and re-create the database of `url`; returns an error message or None."""
    import psycopg2

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        return f"refusing to drop a database named {name!r}"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    try:
        connection = psycopg2.connect(admin_url, connect_timeout=3)
    except psycopg2.Error as exc:
        return f"PostgreSQL is unreachable at {admin_url}: {str(exc).strip()}"
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return None


def apply_sql(url, path):
    """Run the SQL script at `path` on the database of `url` (sqlite:/// or postgresql://), in
    one transaction: a script that fails changes nothing."""
    script = Path(path).read_text()
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(sqlite_path(url), isolation_level=None)
        try:
            connection.executescript(f"BEGIN;\n{script}\n;COMMIT;")
        except sqlite3.Error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()
        return
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection, connection.cursor() as cursor:  # commits, or rolls back on an error
            cursor.execute(script)
    finally:
        connection.close()


def postgres_version(url):
    import psycopg2

    try:
        connection = psycopg2.connect(url, connect_timeout=3)
    except psycopg2.Error:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    finally:
        connection.close()


class PostgresBackends:
    """CPU time of the PostgreSQL server processes serving one database (the platform's)."""

    def __init__(self, url):
        import psycopg2

        self.connection = psycopg2.connect(url)
        self.connection.autocommit = True

    def cpu(self):
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            pids = [row[0] for row in cursor.fetchall()]
        usage = {}
        for pid in pids:
            try:
                usage[pid] = cpu_seconds(pid)
            except OSError:
                continue
        return usage

    def cpu_since(self, before):
        """CPU seconds since `before` (a cpu() reading); a new backend counts from its start."""
        return sum(seconds - before.get(pid, 0.0) for pid, seconds in self.cpu().items())

    def close(self):
        self.connection.close()


# ---------------------------------------------------------------------------------------------
# Setup through the public APIs
# ---------------------------------------------------------------------------------------------


class Api:
    def __init__(self, base, admin_key):
        self.base = base
        self.admin = {"X-Admin-Key": admin_key}

    def call(self, method, path, expected, **kwargs):
        response = requests.request(method, self.base + path, timeout=30, **kwargs)
        if response.status_code != expected:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json()


def session_cookie(response):
    match = re.search(r"bp_session=([^;]+)", response.headers.get("Set-Cookie", ""))
    if response.status_code != 302 or not match:
        raise RuntimeError(f"launch failed: {response.status_code} {response.text[:300]}")
    return match.group(1)


def self_mint(operator, secret, subs, count):
    """`count` single-use launch tokens, signed as the operator's own server would."""
    now = int(time.time())
    tokens = []
    for i in range(count):
        claims = {
            "iss": operator,
            "sub": subs[i % len(subs)],
            "aud": "betterplay",
            "iat": now,
            "exp": now + 600,
            "jti": uuid.uuid4().hex,
            "game": "dice",
            "currency": "USDT",
        }
        tokens.append(jwt.encode(claims, secret, algorithm="HS256"))
    return tokens


def signed_auth_calls(secret, subs, count):
    """Pre-signed wallet /auth calls as "<timestamp> <signature> <body>" lines (valid 300 s)."""
    from common.signing import sign

    timestamp = str(int(time.time()))
    lines = []
    for i in range(count):
        body = json.dumps(
            {
                "requestId": str(uuid.uuid4()),
                "operator": OPERATOR,
                "sub": subs[i % len(subs)],
                "currency": "USDT",
                "sessionId": str(uuid.uuid4()),
            },
            separators=(",", ":"),
        )
        lines.append(f"{timestamp} {sign(secret, timestamp, body.encode())} {body}")
    return lines


# ---------------------------------------------------------------------------------------------
# One database's run
# ---------------------------------------------------------------------------------------------


class DatabaseRun:
    def __init__(self, kind, url, workdir, options):
        self.kind, self.url, self.workdir, self.options = kind, url, Path(workdir), options
        self.results = {}
        self.scale_results = {}
        self.memory = None
        self.notes = []
        self.subs = [f"bench-player-{i:03d}" for i in range(options.players)]
        self.admin_key = "bench-admin-" + secrets.token_hex(16)
        self.platform_env = self._platform_env()
        self.platform = None
        self.wallet = None
        self.db_backends = None
        self.runs = 0

    def _platform_env(self):
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY", "DATABASE_POOL_SIZE")
        }
        env.update(
            APP_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(48),
            ADMIN_API_KEY=self.admin_key,
            BCRYPT_ROUNDS=str(BCRYPT_ROUNDS),
            LOG_LEVEL="WARNING",
            DATABASE_URL=self.url,
            WALLET_BLOCK_PRIVATE_ADDRESSES="false",  # the wallet is on 127.0.0.1
        )
        return env

    def _apply_setup_sql(self):
        path = self.options.setup_sql
        import psycopg2

        try:
            apply_sql(self.url, path)
        except (sqlite3.Error, psycopg2.Error) as exc:
            message = str(exc).strip().splitlines()[0]
            sys.exit(f"--setup-sql: {path} failed on {self.kind}, none of it applied: {message}")
        say(f"  setup SQL applied after the migrations: {path}")

    def file(self, name, lines):
        path = self.workdir / name
        path.write_text("\n".join(lines) + "\n")
        return str(path)

    # -- setup ---------------------------------------------------------------------------------

    def run(self):
        with ExitStack() as stack:
            subprocess.run(
                [str(BIN / "betterplay"), "db", "upgrade"],
                env=self.platform_env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            if self.options.setup_sql:
                self._apply_setup_sql()
            self.platform = stack.enter_context(
                Gunicorn(
                    "platform", "wsgi:app", self.platform_env, 2, 4, "/v1/health", self.workdir
                )
            )
            if self.kind == "postgres":
                self.db_backends = PostgresBackends(self.url)
                stack.callback(self.db_backends.close)
            wallet_port = free_port()
            self._setup_tenants(f"http://127.0.0.1:{wallet_port}")
            self.wallet = stack.enter_context(
                reference_wallet(
                    self.workdir, self.hmac_secret, self.subs, PLAYER_BALANCE, port=wallet_port
                )
            )
            self._launch_players()
            self._measure_memory()
            self._measure_endpoints()
            if self.options.scale:
                self._scale()

    def _setup_tenants(self, wallet_url):
        api = Api(self.platform.url, self.admin_key)
        created = api.call(
            "POST",
            "/api/v1/bo/aggregators",
            201,
            json={"code": "bench-aggregator", "name": "Bench Aggregator"},
            headers=api.admin,
        )
        self.aggregator_id = created["aggregator"]["id"]
        self.key = created["apiKey"]
        headers = {"X-Aggregator-Key": self.key}
        operator = api.call(
            "POST",
            "/api/v1/bo/aggregator/operators",
            201,
            json={
                "code": OPERATOR,
                "name": "Bench Casino",
                "walletBaseUrl": wallet_url,
                "gameFrontendBaseUrl": FRONTEND,
            },
            headers=headers,
        )["operator"]
        self.operator_id = operator["id"]
        self.jwt_secret = operator["jwtSharedSecret"]
        self.hmac_secret = operator["walletHmacSecret"]
        api.call(
            "PUT",
            f"/api/v1/bo/aggregator/operators/{OPERATOR}/config",
            200,
            json={
                "enabledGames": ["dice"],
                "currencies": {"USDT": {"minBet": "0.1", "maxBet": "500"}},
            },
            headers=headers,
        )

    def _launch_players(self):
        cookies = []
        http = requests.Session()
        for token in self_mint(OPERATOR, self.jwt_secret, self.subs, len(self.subs)):
            response = http.get(
                f"{self.platform.url}/launch", params={"token": token}, allow_redirects=False
            )
            cookies.append(session_cookie(response))
        self.cookies_file = self.file("cookies.txt", cookies)

    # -- measuring ------------------------------------------------------------------------------

    def _wrk(self, name, duration, warmup=True, **kwargs):
        """Warm up, then measure `name` with CPU readings around the measured run.

        A run whose connections all went to one gunicorn worker is measured again: wrk opens
        its 16 keep-alive connections at once, and now and then one worker accepts them all
        while the other idles, which halves the rate whatever the code does (seen on /v1/health:
        4,100 req/s with both workers busy, 1,130 with one).
        """
        script, url, headers, env = self._plan(name, duration)
        if warmup and self.options.warmup > 0:
            _, _, _, warm_env = self._plan(name, self.options.warmup)
            run_wrk(self.options, url, script, warm_env, self.options.warmup, headers)
        for attempt in range(UNEVEN_RETRIES + 1):
            if attempt:
                script, url, headers, env = self._plan(name, duration)
            # Both workers idle when wrk connects: one still draining the last run's requests
            # is slow to accept, and the other then takes every connection.
            time.sleep(SETTLE_SECONDS)
            result, shares = self._measure(name, script, url, headers, env, duration)
            result.uneven = name != "wallet" and min(shares, default=1) < UNEVEN_SHARE
            if not result.uneven:
                break
            split = ", ".join(f"{share:.0%}" for share in shares)
            again = "measuring again" if attempt < UNEVEN_RETRIES else "kept, marked uneven"
            say(f"  ({name}: the platform's workers took {split} of its CPU; {again})")
        return result

    def _measure(self, name, script, url, headers, env, duration):
        """One measured run: (Result, each platform worker's share of the platform's CPU)."""
        profilers = self._start_profilers(name, duration)
        platform_before, wallet_before = self.platform.cpu(), self.wallet.cpu()
        db_before = self.db_backends.cpu() if self.db_backends else None
        host_before = host_cpu()
        numbers = run_wrk(self.options, url, script, env, duration, headers)
        host_after = host_cpu()
        for server in (self.platform, self.wallet):
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"the {server.name} exited during the {name} run "
                    f"(code {server.process.returncode}); its log:\n{server.log_tail()}"
                )
        platform_after = self.platform.cpu()
        cpu = {
            "platform": cpu_delta(platform_before, platform_after),
            "wallet": cpu_delta(wallet_before, self.wallet.cpu()),
            "postgres": self.db_backends.cpu_since(db_before) if self.db_backends else None,
        }
        shares = []
        if cpu["platform"]:
            shares = [
                (platform_after[p] - platform_before[p]) / cpu["platform"]
                for p in sorted(platform_after)
            ]
        if name == "wallet":  # the wallet alone: the platform and its database are idle
            cpu["platform"] = cpu["postgres"] = None
        result = Result(name, numbers, cpu)
        busy, total = (
            after - before for after, before in zip(host_after, host_before, strict=True)
        )
        result.host_busy = busy / total if total else None
        self._report_profiles(name, profilers)
        return result, shares

    def _start_profilers(self, name, duration):
        """With --profile, py-spy samples every worker (the wallet's too) during the run."""
        if not self.options.profile:
            return []
        py_spy = shutil.which("py-spy") or str(BIN / "py-spy")
        out_dir = Path(self.options.profile)
        out_dir.mkdir(parents=True, exist_ok=True)
        started = []
        for server in (self.platform, self.wallet):
            for pid in server.worker_pids():
                out = out_dir / f"{self.kind}-{name}-{server.name}-{pid}.txt"
                command = [py_spy, "record", "--pid", str(pid), "--duration", str(duration)]
                command += ["--rate", "100", "--nonblocking", "--format", "raw", "-o", str(out)]
                process = subprocess.Popen(
                    command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                started.append((server.name, out, process))
        time.sleep(0.5)  # let py-spy attach before the load starts
        return started

    def _report_profiles(self, name, profilers):
        for _, _, process in profilers:
            process.wait()
        for server in ("platform", "wallet"):
            files = [out for owner, out, _ in profilers if owner == server and out.exists()]
            if files:
                say(f"    profile of {server} during {name} ({', '.join(f.name for f in files)}):")
                for line in hotspots.summarise(files, ROOT):
                    say("      " + line)

    def _tokens_needed(self, duration):
        # No endpoint outruns the baseline: its rate plus a margin covers the run (running out
        # would show as errors, counted as `tokens_exhausted`).
        baseline = self.results.get("health")
        rate = baseline.rps if baseline else 3000
        return int(rate * duration * 1.1) + 1000

    def _plan(self, name, duration):
        """(script, url, headers, env) of one wrk run of `name`."""
        self.runs += 1
        base = self.platform.url
        key_header = f"X-Aggregator-Key: {self.key}"
        json_header = "Content-Type: application/json"
        if name == "health":
            return "static.lua", f"{base}/v1/health", (), {}
        if name == "me":
            return "static.lua", f"{base}/api/v1/bo/aggregator/me", (key_header,), {}
        if name == "mint":
            return (
                "static.lua",
                f"{base}/v1/aggregator/operators/{OPERATOR}/launch-tokens",
                (key_header, json_header),
                {"BENCH_METHOD": "POST", "BENCH_BODY": json.dumps(self._mint_body())},
            )
        if name == "launch":
            tokens = self_mint(OPERATOR, self.jwt_secret, self.subs, self._tokens_needed(duration))
            path = self.file(f"tokens-{self.runs}.txt", tokens)
            return "launch.lua", base, (), {"BENCH_TOKENS": path}
        if name == "bet":
            env = {"BENCH_COOKIES": self.cookies_file, "BENCH_KEY_PREFIX": f"b{self.runs}"}
            return "bet.lua", base, (), env
        if name == "verify":
            return (
                "static.lua",
                f"{base}/v1/fairness/verify",
                (json_header,),
                {"BENCH_METHOD": "POST", "BENCH_BODY": json.dumps(VERIFY_BODY)},
            )
        if name == "wallet":
            path = self.file(
                f"signed-{self.runs}.txt", signed_auth_calls(self.hmac_secret, self.subs, 2000)
            )
            return "wallet_auth.lua", self.wallet.url, (), {"BENCH_SIGNED": path}
        raise ValueError(name)

    def _mint_body(self):
        return {"sub": self.subs[0], "currency": "USDT", "game": "dice"}

    def _mixed(self, total):
        per_thread = max(1, total // self.options.threads)
        tokens = self_mint(OPERATOR, self.jwt_secret, self.subs, total // 6 + 200)
        self.runs += 1
        env = {
            "BENCH_LIMIT": str(per_thread),
            "BENCH_TOKENS": self.file(f"tokens-{self.runs}.txt", tokens),
            "BENCH_COOKIES": self.cookies_file,
            "BENCH_KEY_PREFIX": f"m{self.runs}",
            "BENCH_AGGREGATOR_KEY": self.key,
            "BENCH_OPERATOR": OPERATOR,
            "BENCH_MINT_BODY": json.dumps(self._mint_body()),
            "BENCH_VERIFY_BODY": json.dumps(VERIFY_BODY),
        }
        done_dir = self.workdir / f"done-{self.runs}"
        done_dir.mkdir()
        env["BENCH_DONE_DIR"] = str(done_dir)
        numbers = run_wrk(self.options, self.platform.url, "mixed.lua", env, 600, (), done_dir)
        bad = {k: v for k, v in numbers.items() if k.startswith("status_")}
        if bad or numbers["timeout"] or numbers["connect"]:
            self.notes.append(f"mixed traffic had errors: {bad or numbers}")
        return numbers["requests"]

    def _measure_memory(self):
        served = self._mixed(100)
        early = self.platform.rss()
        served_more = self._mixed(self.options.memory_requests)
        late = self.platform.rss()
        self.memory = (served, early, served + served_more, late)
        say(f"  memory: worker RSS after {served} mixed requests: {fmt_rss(early)}")
        verdict_text = memory_verdict(early, late)
        say(f"          after {served + served_more}: {fmt_rss(late)}  -> {verdict_text}")

    def _measure_endpoints(self):
        say("  " + HEADER)
        names = [n for n in ENDPOINTS if n in self.options.only and n != "health"]
        self._bracketed(names, self.results)

    def _bracketed(self, names, results, references=None):
        """The baseline, then each endpoint followed by the baseline again; an endpoint's ratio
        is over the mean of the two baselines around it.

        A shared machine's speed drifts by tens of percent within minutes (one run's last
        baseline was 41% above its first): a single baseline at the start would charge or
        credit that drift to whichever endpoints came late. `references` (the empty database's
        results) turns on the scale comparison.
        """
        baselines = [self._wrk("health", self.options.duration)]
        results["health"] = baselines[0]
        self._print_result(baselines[0], baselines, references and references["health"])
        for name in names:
            result = results[name] = self._wrk(name, self.options.duration)
            baselines.append(self._wrk("health", self.options.duration))
            self._print_result(result, baselines[-2:], references and references[name])
            before, after = baselines[-2].rps, baselines[-1].rps
            say(f"  {'':<8} (baseline {before:.0f} before it, {after:.0f} after)")
        spread = results["health"].spread = [b.rps for b in baselines]
        say(
            f"  baseline: {len(spread)} runs, {rate_range(spread)} req/s "
            f"({max(spread) / min(spread) - 1:.0%} apart)"
        )

    def _print_result(self, result, baselines, reference=None):
        """Set `result`'s ratio over the mean of `baselines` and its ceiling, and print it."""
        result.ratio = result.rps / mean_rps(baselines)
        result.ceiling = ceiling(result, baselines)
        say("  " + result_line(result, reference))

    # -- scale ----------------------------------------------------------------------------------

    def _scale(self):
        say(
            f"  scale: seeding {self.options.scale_nonces:,} nonces, "
            f"{self.options.scale_operators:,} operators, {self.options.scale_rounds:,} rounds..."
        )
        started = time.monotonic()
        counts = seed.seed(
            self.url,
            operator_id=self.operator_id,
            aggregator_id=self.aggregator_id,
            bench_subs=self.subs,
            nonces=self.options.scale_nonces,
            operators=self.options.scale_operators,
            rounds=self.options.scale_rounds,
        )
        say(
            f"  scale: seeded in {time.monotonic() - started:.0f} s; rows now: "
            + ", ".join(f"{table} {n:,}" for table, n in counts.items())
        )
        say("  " + HEADER)
        names = [n for n in SCALE_ENDPOINTS if n != "health" and n in self.results]
        self._bracketed(names, self.scale_results, self.results)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres (default both)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--players", type=int, default=64, help="launched player sessions")
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument("--only", default=",".join(ENDPOINTS), help="endpoints to measure")
    parser.add_argument("--scale", action="store_true", help="also seed and re-measure")
    parser.add_argument("--scale-nonces", type=int, default=1_000_000)
    parser.add_argument("--scale-operators", type=int, default=100_000)
    parser.add_argument("--scale-rounds", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--setup-sql",
        metavar="FILE",
        help="run this SQL on the platform's database after its migrations, before the servers "
        "start: to measure a schema change (bench/experiments/); the figures are then not the "
        "platform's as shipped",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="sample the workers with py-spy during each measured run (pip install py-spy); "
        "raw stacks go to DIR and hot spots are printed; the figures then include its overhead",
    )
    options = parser.parse_args(argv)
    options.only = set(options.only.split(","))
    options.postgres_url = options.postgres_url or DEFAULT_POSTGRES_URL
    if options.setup_sql and not Path(options.setup_sql).is_file():
        sys.exit(f"--setup-sql: no such file: {options.setup_sql}")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `apt-get install wrk` (make bench does it)")

    say(
        f"BetterPlay benchmark: wrk -t{options.threads} -c{options.connections}, "
        f"{options.duration} s runs after {options.warmup} s warm-up"
    )
    details = machine()
    runs = {}
    started = time.monotonic()
    kinds = options.db.split(",")
    if not set(kinds) <= {"sqlite", "postgres"}:
        sys.exit(f"--db takes sqlite and/or postgres, not {options.db!r}")
    for kind in kinds:
        if kind == "postgres":
            problem = fresh_postgres(options.postgres_url)
            if problem:
                say(f"\n== postgres: SKIPPED: {problem}")
                continue
            details["PostgreSQL"] = postgres_version(options.postgres_url)
        workdir = tempfile.mkdtemp(prefix=f"betterplay-bench-{kind}-")
        url = f"sqlite:///{workdir}/platform.db" if kind == "sqlite" else options.postgres_url
        say(f"\n== {kind} ({url})")
        busy = machine_busy()
        if busy > 0.25:
            say(
                f"  warning: the machine was {busy:.0%} busy before the run started; other "
                "load shares the cores, so the figures will be noisy"
            )
        try:
            run = DatabaseRun(kind, url, workdir, options)
            run.run()
        except BaseException:  # a failure, a refused --setup-sql script or ^C alike
            say(f"  failed; its work directory (logs, database) is kept: {workdir}")
            raise
        runs[kind] = run
        for note in run.notes:
            say(f"  note: {note}")
        if options.keep:
            say(f"  work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    say("\n== Machine")
    for name, value in details.items():
        say(f"  {name}: {value}")
    if runs:
        say(
            "\n== Summary (ratio = req/s over /v1/health's in the same run; CPU = the platform's "
            "gunicorn workers; for `wallet`, the wallet's)"
        )
        if options.setup_sql:
            say(f"(an experiment: {options.setup_sql} ran after the migrations)")
        say(summary_table(runs))
        say()
        bcrypt_note(runs)
        for kind, run in runs.items():
            served, early, total, late = run.memory
            say(
                f"memory ({kind}): RSS after {served} / {total} requests: {fmt_rss(early)} / "
                f"{fmt_rss(late)}: {memory_verdict(early, late)}"
            )
        if not options.scale:
            say("scale: skipped (run `make bench SCALE=1` or `python -m bench.run --scale`)")
    say(f"\ntotal time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
