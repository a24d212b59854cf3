"""A Prefect API server for the bulk workers: the one in PREFECT_API_URL, else a temporary one.

Without a shared server every worker process would start its own temporary server (6-13 s each)
and the runs would be scattered. The temporary server dies with the process that started it,
even on SIGKILL (Linux parent-death signal).
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pipeline.prefect_env  # noqa: F401  (defaults before prefect is imported)


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    import httpx

    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def drain_prefect(timeout: float = 5.0) -> None:
    """Send Prefect's queued logs and events now, while the server still answers."""
    try:
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=timeout)
        EventsWorker.drain_all(timeout=timeout)
    except Exception:
        pass


class LocalServer:
    """`with LocalServer() as api_url:` a running Prefect API for this process and its workers."""

    def __init__(self, startup_timeout: float = 60.0):
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.api_url: str | None = None
        self.reused = False

    def start(self) -> str:
        from prefect.settings import PREFECT_API_URL

        configured = PREFECT_API_URL.value()
        if configured:
            if not healthy(configured):
                raise RuntimeError(f"PREFECT_API_URL={configured} does not answer; start it with "
                                   "`prefect server start` or unset PREFECT_API_URL")
            self.api_url, self.reused = configured, True
            return configured
        import prefect

        port = _free_port()
        self._log = tempfile.TemporaryFile()
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
        env.pop("PREFECT_API_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent),
             "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "error", "--lifespan", "on"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
            preexec_fn=_die_with_parent)
        url = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.seek(0)
                err = self._log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"the temporary Prefect server exited: {err}")
            if healthy(url, timeout=1.0):
                self.api_url = url
                return url
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the temporary Prefect server did not answer within "
                           f"{self.startup_timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None:
            drain_prefect()
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
