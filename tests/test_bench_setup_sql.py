"""`python -m bench.run --setup-sql FILE`: an experiment's SQL runs on the benchmark's database
after the migrations, all of it or none of it (bench/experiments/)."""

import os

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
