"""`python -m bench.run --setup-sql FILE`: an experiment's SQL runs on the benchmark's database
after the migrations, all of it or none of it (bench/experiments/)."""

import os
import re
import shutil

import pytest

from bench.run import apply_sql, main
from common.db import make_database

PROBES = ("bench_probe_a", "bench_probe_b")


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """(url, tables(): the names of its tables) on a new SQLite file, or on the suite's
    PostgreSQL database when TEST_DATABASE_URL is set; the probe tables are dropped after."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bench.db'}"
    else:
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.skip("PostgreSQL only with TEST_DATABASE_URL")
    db = make_database(url, pool_size=1)

    def tables():
        with db.connection_context():
            return set(db.get_tables())

    try:
        yield url, tables
    finally:
        with db.connection_context():
            for table in PROBES:
                db.execute_sql(f"DROP TABLE IF EXISTS {table}")
        db.close_all()


def test_the_script_runs_on_the_database(database, tmp_path):
    url, tables = database
    script = tmp_path / "probe.sql"
    script.write_text(
        "CREATE TABLE bench_probe_a (id INTEGER);\nCREATE TABLE bench_probe_b (id INTEGER);\n"
    )
    apply_sql(url, script)
    assert {"bench_probe_a", "bench_probe_b"} <= tables()


def test_a_failing_script_changes_nothing(database, tmp_path):
    url, tables = database
    script = tmp_path / "broken.sql"
    script.write_text("CREATE TABLE bench_probe_a (id INTEGER);\nDROP TABLE no_such_table;\n")
    with pytest.raises(Exception, match="no_such_table"):
        apply_sql(url, script)
    assert "bench_probe_a" not in tables()


def test_a_missing_file_is_refused_before_anything_runs(tmp_path, capsys):
    missing = tmp_path / "missing.sql"
    with pytest.raises(SystemExit, match="--setup-sql: no such file"):
        main(["--db", "sqlite", "--setup-sql", str(missing)])
    assert "BetterPlay benchmark" not in capsys.readouterr().out


@pytest.fixture(params=["sqlite", "postgres"])
def bench_database(request):
    """The `--db` and extra arguments of a benchmark run on this database; PostgreSQL on a
    database of its own beside the suite's, dropped after."""
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (make bench-tools installs it)")
    if request.param == "sqlite":
        yield "sqlite", [], None
        return
    suite_url = os.environ.get("TEST_DATABASE_URL")
    if not suite_url:
        pytest.skip("PostgreSQL only with TEST_DATABASE_URL")
    base, name = suite_url.rsplit("/", 1)
    url = f"{base}/{name.split('?', 1)[0]}_setup_sql"
    try:
        yield "postgres", ["--postgres-url", url], url
    finally:
        import psycopg2

        connection = psycopg2.connect(f"{base}/postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        connection.close()


def test_a_failing_script_stops_the_benchmark_with_its_error(bench_database, tmp_path, capsys):
    kind, extra, postgres_url = bench_database
    script = tmp_path / "broken.sql"
    # The first statement needs the migrations to have run; the second fails.
    script.write_text(
        "CREATE INDEX bench_probe_index ON rounds (game);\nDROP TABLE no_such_table;\n"
    )
    with pytest.raises(SystemExit) as stopped:
        main(["--db", kind, *extra, "--setup-sql", str(script)])
    message = str(stopped.value.code)
    assert message.startswith(f"--setup-sql: {script} failed on {kind}, none of it applied: ")
    assert "no_such_table" in message
    output = capsys.readouterr().out
    workdir = re.search(r"work directory \(logs, database\) is kept: (\S+)", output).group(1)
    url = postgres_url or f"sqlite:///{workdir}/platform.db"
    db = make_database(url, pool_size=1)
    try:
        with db.connection_context():
            assert "bench_probe_index" not in {index.name for index in db.get_indexes("rounds")}
    finally:
        db.close_all()
        shutil.rmtree(workdir, ignore_errors=True)
    assert "== Summary" not in output
