"""The benchmark's processes: gunicorn masters started as the Procfile starts them, and the CPU
time and memory of their workers and of the machine, read from /proc."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# ---------------------------------------------------------------------------------------------


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        # The command name may hold spaces; everything after its closing parenthesis splits.
        return f.read().rsplit(")", 1)[1].split()


def children(pid):
    """Process ids whose parent is `pid` (gunicorn's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat_fields(entry)[1]) == pid:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return sorted(found)


def cpu_seconds(pid):
    """utime + stime of one process, in seconds."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Gunicorn:
    """A gunicorn master started as the Procfile starts it; stopped on exit."""

    def __init__(self, name, app, env, workers, threads, health_path, log_dir, port=None):
        self.name = name
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.health_url = self.url + health_path
        self.args = [
            str(BIN / "gunicorn"),
            app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--no-control-socket",
            "--log-level",
            "warning",
        ]
        self.env = env
        self.workers = workers
        self.log_path = Path(log_dir) / f"{name}.log"
        self.process = None

    def __enter__(self):
        log = open(self.log_path, "ab")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(
            self.args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                up = requests.get(self.health_url, timeout=2).status_code == 200
                if up and len(self.worker_pids()) >= self.workers:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"{self.name} did not come up; its log:\n{self.log_tail()}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def worker_pids(self):
        return children(self.process.pid)

    def cpu(self):
        """{worker pid: CPU seconds}."""
        usage = {}
        for pid in self.worker_pids():
            try:
                usage[pid] = cpu_seconds(pid)
            except OSError:
                continue
        return usage

    def rss(self):
        return {pid: rss_kib(pid) for pid in self.worker_pids()}


def host_cpu():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def machine_busy(seconds=2.0):
    """The machine's CPU use over `seconds` (0-1), measured before a run."""
    before = host_cpu()
    time.sleep(seconds)
    after = host_cpu()
    busy, total = (a - b for a, b in zip(after, before, strict=True))
    return busy / total if total else 0.0


def cpu_delta(before, after):
    """CPU seconds the workers used between two cpu() readings; None if a worker was replaced."""
    if set(before) != set(after):
        return None
    return sum(after[pid] - before[pid] for pid in after)


# ---------------------------------------------------------------------------------------------


# What `wallet add-player SUB --currency USDT --balance N` does, for many players at once.
WALLET_PLAYERS = """
import sys
from decimal import Decimal
from refwallet import create_app, players
from refwallet.db import database
app = create_app()
with app.app_context(), database.connection_context():
    for sub in sys.argv[2:]:
        players.add_player(sub, "USDT", Decimal(sys.argv[1]))
"""


def reference_wallet(workdir, hmac_secret, subs, balance, threads=4, port=None, keep_alive=None):
    """The reference wallet as a Gunicorn (1 worker, `threads`) on its own SQLite file in
    `workdir`, migrated, with each of `subs` holding `balance` USDT; `keep_alive` sets
    gunicorn's idle keep-alive in seconds (its default is 2)."""
    env = {k: v for k, v in os.environ.items() if k != "GUNICORN_CMD_ARGS"}
    env.update(
        WALLET_DATABASE_URL=f"sqlite:///{Path(workdir) / 'wallet.db'}",
        WALLET_HMAC_SECRET=hmac_secret,
    )
    if keep_alive is not None:
        env["GUNICORN_CMD_ARGS"] = f"--keep-alive {keep_alive}"
    for args in (
        [str(BIN / "flask"), "--app", "refwallet.wsgi", "wallet", "db-upgrade"],
        [sys.executable, "-c", WALLET_PLAYERS, balance, *subs],
    ):
        subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True)
    return Gunicorn("wallet", "refwallet.wsgi:app", env, 1, threads, "/health", workdir, port)
