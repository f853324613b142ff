"""Running wrk with one of bench/lua's scripts and reading what its done() hook reports."""

import os
import re
import signal
import subprocess
import time

from bench.processes import ROOT

LUA_DIR = ROOT / "bench" / "lua"

RESULT_LINE = re.compile(r"^BENCH_RESULT (.*)$", re.MULTILINE)


def run_wrk(options, url, script, env=None, duration=10, headers=(), done_dir=None):
    """Run wrk once; returns the numbers its done() hook printed, as a dict.

    With `done_dir`, the script stops its threads itself and marks each in that directory.
    """
    args = [
        "wrk",
        "-t",
        str(options.threads),
        "-c",
        str(options.connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA_DIR / script),
    ]
    for header in headers:
        args += ["-H", header]
    args.append(url)
    wrk_env = {
        **os.environ,
        "BENCH_LUA_DIR": str(LUA_DIR),
        "BENCH_THREADS": str(options.threads),
        **(env or {}),
    }
    process = subprocess.Popen(
        args, env=wrk_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if done_dir is not None:
        # wrk sleeps for all of -d even when every thread has stopped; SIGINT ends it early
        # and it still reports.
        while process.poll() is None and len(os.listdir(done_dir)) < options.threads:
            time.sleep(0.05)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate()
    match = RESULT_LINE.search(stdout)
    if process.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{stdout}\n{stderr}")
    numbers = {}
    for pair in match.group(1).split():
        name, value = pair.split("=", 1)
        numbers[name] = int(value)
    numbers["raw"] = stdout
    return numbers


class Result:
    """One measured wrk run with the platform's and the wallet's CPU over it."""

    def __init__(self, name, numbers, cpu):
        self.name = name
        self.requests = numbers["requests"]
        self.rps = self.requests / (numbers["duration_us"] / 1e6)
        self.p50_ms = numbers["p50_us"] / 1000
        self.p99_ms = numbers["p99_us"] / 1000
        # wrk counts 4xx/5xx as "status" errors; launch.lua also counts any status but 302.
        self.error_detail = {
            key: value
            for key, value in numbers.items()
            if value and key in ("connect", "read", "write", "timeout", "status", "not_302")
        }
        self.errors = (
            sum(numbers[k] for k in ("connect", "read", "write", "timeout"))
            + max(numbers["status"], numbers.get("not_302", 0))
            + numbers.get("tokens_exhausted", 0)
        )
        if numbers.get("tokens_exhausted"):
            self.error_detail["tokens_exhausted"] = numbers["tokens_exhausted"]
        n = max(self.requests, 1)
        # {"platform"|"wallet"|"postgres": CPU ms per request, or None}
        self.cpu_ms = {k: None if v is None else v * 1000 / n for k, v in cpu.items()}
        self.ratio = None  # over the baseline measured around it (bench/run.py)
        self.spread = None  # for the baseline: the rate of each of its runs
        self.ceiling = None  # the ratio a free platform could reach (bench/report.py)
        self.host_busy = None
        self.uneven = False  # still uneven after the retries
