"""Real servers for tests that cross HTTP: an app in a thread, or gunicorn with workers."""

import os
import socket
import subprocess
import sys
import threading
import time

import requests
from werkzeug.serving import make_server


class ThreadedServer:
    """Serves a WSGI app on 127.0.0.1 (a free port) from a background thread; over TLS with
    `ssl_context` (an ssl.SSLContext)."""

    def __init__(self, app, ssl_context=None):
        self._server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=ssl_context)
        scheme = "https" if ssl_context else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._thread.join(5)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class Gunicorn:
    """`gunicorn APP` with several workers, as the Procfile runs it, with `env` added."""

    def __init__(self, app_path, env, workers=3, threads=4, health_path="/v1/health"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._health = self.url + health_path
        self._args = [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            app_path,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ]
        self._env = {**os.environ, **{k: str(v) for k, v in env.items()}}
        self._process = None

    def __enter__(self):
        self._process = subprocess.Popen(self._args, env=self._env)
        try:
            wait_until_up(self._health)
        except RuntimeError:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
