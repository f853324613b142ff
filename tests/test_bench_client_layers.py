"""`python -m bench.client_layers` end to end, briefly: it starts the reference wallet under
gunicorn, makes the same signed call through every layer of the HTTP stack, and prints each
layer's CPU per call against the bare socket's. Its figures are not read as speed here."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    "platform WalletClient.call",
    "requests Session.post",
    "urllib3 HTTPConnectionPool",
    "http.client HTTPConnection",
    "bare socket (baseline)",
]


def test_every_layer_is_measured_against_the_bare_socket():
    done = subprocess.run(
        [sys.executable, "-m", "bench.client_layers", "--calls", "10", "--rounds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {}
    for line in done.stdout.splitlines():
        match = re.fullmatch(r"  (.+?)\s+(\d+)\s+(\d+\.\d)", line)
        if match:
            rows[match.group(1)] = (int(match.group(2)), float(match.group(3)))
    assert list(rows) == LAYERS, done.stdout
    assert all(micros > 0 for micros, _ in rows.values())
    assert rows["bare socket (baseline)"][1] == 1.0
