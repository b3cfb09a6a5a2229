"""Real server processes for tests that cross process boundaries (races, Redis)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server_process(database_url: str, *, redis_url: str | None = None,
                   command: list[str] | None = None, timeout: float = 30.0) -> Iterator[str]:
    """Start `python app.py` (or `command`) on a free port; yield its base URL."""
    port = free_port()
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, HOST="127.0.0.1", PORT=str(port),
               SECRET_KEY=os.environ.get("SECRET_KEY", "tests-only-secret"))
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    argv = command or [sys.executable, "app.py"]
    argv = [a.replace("{port}", str(port)) for a in argv]
    # The server's output goes to a file, not a pipe: a chatty server would block on a
    # full pipe that nobody reads.
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"

    def output() -> str:
        log.seek(0)
        return log.read()[-4000:]

    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {output()}")
            try:
                requests.get(base + "/api/v1/openapi.json", timeout=1)
                break
            except (requests.ConnectionError, requests.Timeout):  # not up, or still busy starting
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start in time: {output()}")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
