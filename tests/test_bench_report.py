"""The benchmark's verdicts and its baseline bracketing (bench/), without running wrk: what
`make bench` reports as PASS or MISS must follow the issue's rules whatever the machine does."""

import os
from types import SimpleNamespace

import pytest

from bench.report import (
    ceiling,
    memory_verdict,
    result_line,
    scale_verdict,
    summary_table,
    verdict,
)
from bench.run import DatabaseRun
from bench.wrk import Result

NUMBERS = {"duration_us": 10_000_000, "p50_us": 10_000, "p99_us": 20_000}
NO_ERRORS = {"connect": 0, "read": 0, "write": 0, "timeout": 0, "status": 0}


def result(name, rps, p50_ms=10.0, p99_ms=20.0, cpu_ms=1.0, wallet_ms=None, db_ms=None, **errors):
    numbers = {
        **NUMBERS,
        **NO_ERRORS,
        **errors,
        "requests": int(rps * 10),
        "p50_us": p50_ms * 1000,
        "p99_us": p99_ms * 1000,
    }
    seconds = numbers["requests"] / 1000
    cpu = {
        "platform": cpu_ms * seconds,
        "wallet": None if wallet_ms is None else wallet_ms * seconds,
        "postgres": None if db_ms is None else db_ms * seconds,
    }
    measured = Result(name, numbers, cpu)
    measured.host_busy = 0.9
    return measured


def with_ratio(r, ratio):
    r.ratio = ratio
    return r


def test_ratio_targets_pass_at_the_target_and_miss_below_it():
    assert "ratio>=0.85 PASS" in verdict(with_ratio(result("me", 850), 0.85))
    assert "ratio>=0.85 MISS" in verdict(with_ratio(result("me", 849), 0.849))
    assert "ratio>=0.2 PASS" in verdict(with_ratio(result("bet", 200), 0.2))


def test_mint_p99_must_stay_under_three_times_p50():
    assert "p99<3xp50 PASS" in verdict(with_ratio(result("mint", 800, 10, 29.9), 0.8))
    assert "p99<3xp50 MISS" in verdict(with_ratio(result("mint", 800, 10, 30.0), 0.8))


def test_any_error_fails_the_endpoint():
    ok = verdict(with_ratio(result("me", 900), 0.9))
    assert "errors 0 PASS" in ok
    failed = verdict(with_ratio(result("me", 900, timeout=1), 0.9))
    assert "errors MISS" in failed and "timeout" in failed


def test_scale_verdict_compares_ratios_so_machine_drift_cancels():
    empty = with_ratio(result("launch", 500), 0.10)
    # The seeded run is 20% slower in raw rate, but so was its baseline: a PASS.
    drifted = with_ratio(result("launch", 400), 0.10)
    assert "1.00x rate (raw 0.80x" in scale_verdict(drifted, empty)
    assert "PASS" in scale_verdict(drifted, empty)
    slower = with_ratio(result("launch", 440), 0.089)
    assert "MISS" in scale_verdict(slower, empty)


def test_a_figure_just_under_its_target_does_not_print_as_the_target():
    assert "0.84  " in result_line(with_ratio(result("me", 849), 0.8499))
    empty = with_ratio(result("bet", 100), 0.05)
    seeded = with_ratio(result("bet", 90), 0.04499)  # 0.8998x the empty run's
    assert "vs empty: 0.89x rate" in scale_verdict(seeded, empty)
    assert "MISS" in scale_verdict(seeded, empty)


def test_a_ratio_is_cut_in_decimal_not_in_binary():
    # 0.29 * 100 is 28.999... as a float: a binary cut would print 0.28.
    assert " 0.29  " in result_line(with_ratio(result("mint", 290), 0.29))
    assert " 0.57  " in result_line(with_ratio(result("mint", 570), 0.57))
    assert " 1.00  " in result_line(with_ratio(result("health", 1000), 1.0))


def test_memory_verdict_allows_ten_percent_either_way():
    assert memory_verdict({1: 100, 2: 100}, {1: 110, 2: 95}).startswith("PASS")
    assert memory_verdict({1: 100, 2: 100}, {1: 111, 2: 100}).startswith("MISS")
    assert "replaced" in memory_verdict({1: 100, 2: 100}, {1: 100, 3: 100})


class ScriptedRun(DatabaseRun):
    """A DatabaseRun whose wrk runs return scripted rates (or whole results) in order."""

    def __init__(self, rates):
        options = SimpleNamespace(players=1, duration=10, only=set())
        super().__init__("sqlite", "sqlite:///unused.db", "/tmp", options)
        self.rates = list(rates)
        self.measured = []

    def _wrk(self, name, duration, warmup=True, **kwargs):
        self.measured.append(name)
        scripted = self.rates.pop(0)
        return scripted if isinstance(scripted, Result) else result(name, scripted)


def test_each_ratio_is_over_the_baselines_just_before_and_after_it(capsys):
    run = ScriptedRun([1000, 500, 3000, 900, 1000])
    run._bracketed(["me", "mint"], run.results)
    assert run.measured == ["health", "me", "health", "mint", "health"]
    assert run.results["me"].ratio == 500 / 2000  # baselines 1000 and 3000 around it
    assert run.results["mint"].ratio == 900 / 2000  # baselines 3000 and 1000
    assert run.results["health"].spread == [1000, 3000, 1000]
    assert "3 runs, 1000-3000 req/s" in capsys.readouterr().out


def test_the_summary_shows_the_baselines_spread_and_each_verdict(capsys):
    run = ScriptedRun([1000, 900, 1200])
    run._bracketed(["me"], run.results)
    run.memory = (100, {1: 100}, 10_100, {1: 101})
    table = summary_table({"sqlite": run})
    assert "| health |  | 1000 |" in table and "(2 runs: 1000-1200 req/s)" in table
    assert "| me | >= 0.85 | 900 |" in table and "| 0.81 |" in table  # 900 / 1100, cut
    assert "ratio>=0.85 MISS" in table


def test_the_ceiling_is_what_a_free_platform_could_reach_beside_this_wallet_and_database():
    cores = os.cpu_count()
    # Health at 1000 req/s with the machine fully busy: each took cores ms of the machine.
    baselines = [result("health", 1000), result("health", 1000)]
    for b in baselines:
        b.host_busy = 1.0
    bet = result("bet", 50, wallet_ms=cores, db_ms=cores)  # wallet + database: 2x a health check
    assert ceiling(bet, baselines) == pytest.approx(1 / 3)
    bet.ratio, bet.ceiling = 0.05, ceiling(bet, baselines)
    assert "ratio>=0.2 MISS  (ceiling 0.33)" in verdict(bet)
    # A health run that left the machine half idle was not held back by CPU: a looser bound.
    for b in baselines:
        b.host_busy = 0.5
    assert ceiling(bet, baselines) == pytest.approx(0.4)  # 1 / (0.5 + 2)


def test_no_ceiling_without_a_wallet_or_database_of_its_own_or_a_target():
    baselines = [result("health", 1000)]
    me = result("me", 800)  # SQLite: the database is inside the platform's workers
    assert ceiling(me, baselines) is None
    me.ratio = 0.8
    assert "ceiling" not in verdict(me)
    assert ceiling(result("verify", 800, db_ms=0.1), baselines) is None
    assert ceiling(result("me", 800, db_ms=0.1), baselines) is not None
    # A tick of the idle wallet's CPU during a mint is not the mint's (SQLite: no ceiling).
    assert ceiling(result("mint", 800, wallet_ms=0.01), baselines) is None
    assert ceiling(result("launch", 300, wallet_ms=0.01), baselines) is not None


def test_each_ceiling_is_over_the_baselines_just_before_and_after_it(capsys):
    cores = os.cpu_count()
    # Baselines at 90% busy: 0.9 x cores ms of the machine each at 1000 req/s, 0.3 x cores at
    # 3000; the bet's wallet takes 0.1 x cores ms a bet.
    bet = result("bet", 100, wallet_ms=0.1 * cores)
    run = ScriptedRun([1000, 800, 3000, bet, 1000])
    run._bracketed(["me", "bet"], run.results)
    assert run.results["me"].ceiling is None  # neither a wallet nor a database of its own
    # Around the bet: baselines 3000 and 1000 (mean 2000 req/s, 0.6 x cores ms each).
    assert run.results["bet"].ceiling == pytest.approx(1000 / (2000 * (0.6 + 0.1)))
    assert "(ceiling 0.71)" in capsys.readouterr().out
