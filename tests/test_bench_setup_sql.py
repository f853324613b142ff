"""`python -m bench.run --setup-sql FILE`: an experiment's SQL runs on the benchmark's database
after the migrations, all of it or none of it (bench/experiments/)."""

import os
import sqlite3

import pytest

from bench.run import apply_sql, main


def _suite_postgres():
    url = os.environ.get("TEST_DATABASE_URL")
    return url if url and url.startswith("postgres") else None


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """(url, tables(): the names of its tables, cleanup SQL) on SQLite, or on the suite's
    PostgreSQL database when TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        path = tmp_path / "bench.db"
        sqlite3.connect(path).close()

        def tables():
            with sqlite3.connect(path) as connection:
                rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                return {name for (name,) in rows}

        yield f"sqlite:///{path}", tables
        return
    url = _suite_postgres()
    if url is None:
        pytest.skip("PostgreSQL only with TEST_DATABASE_URL")
    import psycopg2

    def tables():
        connection = psycopg2.connect(url)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                return {name for (name,) in cursor.fetchall()}
        finally:
            connection.close()

    try:
        yield url, tables
    finally:
        connection = psycopg2.connect(url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_probe_a, bench_probe_b")
        connection.close()


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
