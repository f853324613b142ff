"""The total deadline of a wallet call (the operator's walletTimeoutMs), every part included.

A socket timeout bounds each wait for data, not the call: a wallet that sends its status line
and headers a byte at a time, each byte just inside the timeout, holds one of the platform's
threads for as long as it likes (a 0.3 s timeout once took 35 s), and with it the players of
every other operator that thread would have served. So each call is watched by one thread per
process, which shuts down the call's connection when the deadline passes: whatever read or
write is waiting on it returns at once, and the call ends as a timeout.

Connections join the call under way in their thread (`deadline_of` below), as urllib3 opens or
uses them: `DeadlineMixin` goes into the wallet adapters' connection classes.
"""

import heapq
import itertools
import os
import socket
import threading
import time
from contextlib import contextmanager, suppress

# The watcher wakes at most this often under load: finished calls leave the heap in batches, and
# a deadline is kept to within this much.
TICK_SECONDS = 0.01

_local = threading.local()


class Call:
    __slots__ = ("deadline", "connections", "finished", "expired")

    def __init__(self, deadline):
        self.deadline = deadline
        self.connections = []
        self.finished = False
        self.expired = False


class Watcher:
    """Calls by deadline; at a call's deadline, unless it finished, its connections are shut."""

    def __init__(self):
        self._heap = []
        self._order = itertools.count()
        self._condition = threading.Condition()
        self._thread = None

    def watch(self, call):
        with self._condition:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="wallet-deadlines", daemon=True
                )
                self._thread.start()
            heapq.heappush(self._heap, (call.deadline, next(self._order), call))
            if self._heap[0][2] is call:
                self._condition.notify()

    def join(self, call, connection):
        """Add `connection` to `call`; TimeoutError if the deadline has already passed."""
        with self._condition:
            if call.expired:
                raise TimeoutError("the wallet call's deadline has passed")
            call.connections.append(connection)

    def finish(self, call):
        with self._condition:
            call.finished = True

    def _run(self):
        with self._condition:
            while True:
                now = time.monotonic()
                while self._heap and (self._heap[0][2].finished or self._heap[0][0] <= now):
                    _, _, call = heapq.heappop(self._heap)
                    if not call.finished:
                        call.expired = True
                        for connection in call.connections:
                            _shut(connection)
                wait = None if not self._heap else max(self._heap[0][0] - now, TICK_SECONDS)
                self._condition.wait(wait)


def _shut(connection):
    # The socket as it was connected: http.client drops `sock` from a connection the wallet
    # said it would close, while the answer is still being read from that socket.
    sock = getattr(connection, "watched_sock", None)
    if sock is None:
        return
    # The plain socket's shutdown, under TLS too: it wakes a read blocked inside OpenSSL.
    with suppress(OSError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


_watcher = None
_watcher_pid = None
_watcher_lock = threading.Lock()


def _process_watcher():
    """This process's watcher (a worker forked with the parent's gets a fresh one)."""
    global _watcher, _watcher_pid
    pid = os.getpid()
    if _watcher_pid != pid:
        with _watcher_lock:
            if _watcher_pid != pid:
                _watcher, _watcher_pid = Watcher(), pid
    return _watcher


@contextmanager
def deadline_of(deadline):
    """Within the block, this thread's wallet connections are shut at `deadline` (a
    time.monotonic() value); yields the Call, whose `expired` says whether that happened."""
    watcher = _process_watcher()
    call = Call(deadline)
    watcher.watch(call)
    _local.call = call
    try:
        yield call
    finally:
        _local.call = None
        watcher.finish(call)


class DeadlineMixin:
    """For urllib3 connection classes: joins the call under way whenever it connects or sends."""

    watched_sock = None

    def connect(self):
        call = self._join_call()
        super().connect()
        self.watched_sock = self.sock
        if call is not None and call.expired:  # it passed while connecting, before the above
            _shut(self)

    def request(self, *args, **kwargs):
        self._join_call()
        return super().request(*args, **kwargs)

    def _join_call(self):
        call = getattr(_local, "call", None)
        if call is not None:
            _process_watcher().join(call, self)
        return call
