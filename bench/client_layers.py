"""What one wallet call costs the platform's thread, layer by layer.

    python -m bench.client_layers [--calls 300] [--rounds 5]

The same signed POST /auth to the reference wallet (gunicorn, kept-alive connections) is made
through each layer of the HTTP stack in turn, round after round; each layer's figure is the
CPU time of the calling thread per call (the median of the rounds), and its ratio to a bare
socket exchange measured in the same run. It shows how much of a launch's and a bet's CPU the
HTTP client is, and what each library layer adds (bench/README.md).
"""

import argparse
import http.client
import json
import shutil
import socket
import tempfile
import time
import uuid
from pathlib import Path
from statistics import median

import requests
import urllib3

from bench.processes import reference_wallet
from common.signing import signed_headers
from common.wallet import WalletClient

SECRET = "bench-wallet-secret-" + uuid.uuid4().hex
SUB = "layers-player"
PAYLOAD = {"operator": "bench-casino", "sub": SUB, "currency": "USDT", "sessionId": "layers"}


def layers(url):
    """name -> a function making one call, reading the whole answer; it returns the status."""
    host, port = url.removeprefix("http://").split(":")
    port = int(port)
    body = json.dumps({"requestId": str(uuid.uuid4()), **PAYLOAD}).encode()
    headers = {"Content-Type": "application/json", **signed_headers(SECRET, body)}

    client = WalletClient(url, SECRET, 5000)
    session = requests.Session()
    pool = urllib3.HTTPConnectionPool(host, port, maxsize=1)
    connection = http.client.HTTPConnection(host, port, timeout=5)
    sock = socket.create_connection((host, port), timeout=5)
    raw_request = (
        f"POST /auth HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(body)}\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        + "\r\n"
    ).encode() + body

    def platform_client():
        client.call("auth", PAYLOAD)  # raises unless the wallet answered 2xx, signed
        return 200

    def requests_session():
        return session.post(url + "/auth", data=body, headers=headers, timeout=5).status_code

    def urllib3_pool():
        return pool.urlopen("POST", "/auth", body=body, headers=headers, retries=False).status

    def http_client():
        connection.request("POST", "/auth", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status

    def bare_socket():
        sock.sendall(raw_request)
        received = b""
        while b"\r\n\r\n" not in received:
            received += _recv(sock)
        head, _, answer = received.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(answer) < length:
            answer += _recv(sock)
        return int(head.split(b" ", 2)[1])

    return {
        "platform WalletClient.call": platform_client,
        "requests Session.post": requests_session,
        "urllib3 HTTPConnectionPool": urllib3_pool,
        "http.client HTTPConnection": http_client,
        "bare socket (baseline)": bare_socket,
    }


def _recv(sock):
    chunk = sock.recv(65536)
    if not chunk:
        raise RuntimeError("the wallet closed the connection")
    return chunk


def measure(calls_by_layer, calls, rounds):
    """Layer -> median over the rounds of the calling thread's CPU microseconds per call."""
    samples = {name: [] for name in calls_by_layer}
    for name, call in calls_by_layer.items():  # warm up (connections, caches) and check
        statuses = {call() for _ in range(20)}
        if statuses != {200}:
            raise RuntimeError(f"{name}: the wallet answered {sorted(statuses)}, not 200")
    for _ in range(rounds):
        for name, call in calls_by_layer.items():
            started = time.thread_time()
            for _ in range(calls):
                call()
            samples[name].append((time.thread_time() - started) / calls * 1e6)
    return {name: median(values) for name, values in samples.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per layer per round")
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="betterplay-client-layers-"))
    try:
        # The layers take turns: a connection idles while the others run, longer than
        # gunicorn's default 2 s keep-alive, and http.client and the bare socket do not
        # reconnect by themselves.
        wallet = reference_wallet(workdir, SECRET, [SUB], "1000", threads=2, keep_alive=600)
        with wallet:
            figures = measure(layers(wallet.url), options.calls, options.rounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    baseline = figures["bare socket (baseline)"]
    print(
        f"One signed POST /auth to the reference wallet, kept alive; calling thread's CPU, "
        f"median of {options.rounds} rounds of {options.calls} calls per layer"
    )
    print(f"  {'layer':28s} {'us/call':>8s} {'x bare socket':>14s}")
    for name, micros in figures.items():
        print(f"  {name:28s} {micros:8.0f} {micros / baseline:14.1f}")


if __name__ == "__main__":
    main()
