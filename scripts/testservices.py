#!/usr/bin/env python3
"""Run a command beside a throwaway PostgreSQL server and a throwaway Redis server.

Usage: scripts/testservices.py -- COMMAND [ARG...]

Both servers live in a fresh temporary directory and are stopped, and the directory
removed, whatever happens to the command. The command gets:

    TEST_POSTGRES_URL        postgresql+psycopg://postgres@/maillage_test?host=DIR
    TEST_POSTGRES_ADMIN_URL  postgresql+psycopg://postgres@/postgres?host=DIR
                             (superuser, to create further databases)
    TEST_REDIS_URL           redis://127.0.0.1:PORT/0

A service whose binaries are not installed is left out (its variables are then absent,
and the tests that need it skip), unless CI=true, where that is an error. The script exits
with the command's exit code.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_DATABASE = "maillage_test"
PG_SUPERUSER = "postgres"
# Speed over durability: the cluster is thrown away after the run.
PG_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "max_connections": "200",
}
START_TIMEOUT = 30.0


class ServiceError(Exception):
    """A service is installed but could not be started."""


class Interrupted(Exception):
    """A SIGTERM or SIGHUP arrived before the command ran."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def log(message: str) -> None:
    print(f"testservices: {message}", file=sys.stderr, flush=True)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def find_postgres_bindir() -> Path | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
    )
    for bindir in reversed(candidates):
        if all(os.access(Path(bindir, tool), os.X_OK) for tool in ("initdb", "pg_ctl", "psql")):
            return Path(bindir)
    # Other systems put the server binaries on PATH.
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl") and shutil.which("psql"):
        return Path(initdb).parent
    return None


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Postgres:
    def __init__(self, bindir: Path, workdir: Path) -> None:
        self.bindir = bindir
        self.workdir = workdir
        self.datadir = workdir / "pgdata"
        self.logfile = workdir / "postgres.log"
        self.started = False
        # initdb and pg_ctl refuse to run as root: run them as the postgres system user.
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise ServiceError("running as root but there is no 'postgres' user") from exc
            self.as_user = [runuser, "-u", "postgres", "--"]
            os.chown(workdir, pwd.getpwnam("postgres").pw_uid, -1)

    def _run(self, *args: str, as_server_user: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = self.as_user if as_server_user else []
        return subprocess.run(
            [*prefix, *args],
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            # Keep the servers out of the terminal's process group: a Ctrl-C meant for the
            # tests must not shut them down under the cleanup.
            start_new_session=True,
        )

    def start(self) -> None:
        result = self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.datadir),
            "-U", PG_SUPERUSER,
            "-A", "trust",
            "-E", "UTF8",
            "--no-locale",
            "--no-sync",
        )
        if result.returncode != 0:
            raise ServiceError(f"initdb failed:\n{result.stdout}{result.stderr}")
        settings = dict(PG_SETTINGS, unix_socket_directories=f"'{self.workdir}'")
        with open(self.datadir / "postgresql.conf", "a") as conf:
            conf.write("\n# testservices.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

        self.started = True  # from now on, even half-started, the server must be stopped
        result = self._run(
            str(self.bindir / "pg_ctl"),
            "-D", str(self.datadir),
            "-l", str(self.logfile),
            "-t", str(int(START_TIMEOUT)),
            "-w",
            "start",
        )
        if result.returncode != 0:
            raise ServiceError(
                f"pg_ctl start failed:\n{result.stdout}{result.stderr}{tail(self.logfile)}"
            )
        result = self._run(
            str(self.bindir / "psql"),
            "-h", str(self.workdir),
            "-U", PG_SUPERUSER,
            "-d", "postgres",
            "-v", "ON_ERROR_STOP=1",
            "-qc", f"CREATE DATABASE {PG_DATABASE}",
            as_server_user=False,
        )
        if result.returncode != 0:
            raise ServiceError(f"creating database {PG_DATABASE} failed:\n{result.stderr}")

    def env(self) -> dict[str, str]:
        host = f"host={self.workdir}"
        return {
            "TEST_POSTGRES_URL": f"postgresql+psycopg://{PG_SUPERUSER}@/{PG_DATABASE}?{host}",
            "TEST_POSTGRES_ADMIN_URL": f"postgresql+psycopg://{PG_SUPERUSER}@/postgres?{host}",
        }

    def stop(self) -> None:
        if not self.started:
            return
        # Immediate mode: no checkpoint, the data is about to be deleted anyway.
        result = self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop"
        )
        if result.returncode != 0 and (self.datadir / "postmaster.pid").exists():
            self._kill_postmaster()

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.datadir / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
            log(f"killed PostgreSQL (pid {pid}) after pg_ctl stop failed")
        except (OSError, ValueError, IndexError):
            pass


class Redis:
    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir / "redis"
        self.logfile = workdir / "redis.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.workdir.mkdir()
        # A free port can be taken between the probe and redis' bind: try a few.
        for _ in range(3):
            self.port = free_port()
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--bind", "127.0.0.1",
                    "--port", str(self.port),
                    "--save", "",
                    "--appendonly", "no",
                    "--dir", str(self.workdir),
                    "--logfile", str(self.logfile),
                    "--daemonize", "no",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and self.process.poll() is None:
                if redis_ping(self.port):
                    return
                time.sleep(0.02)
            self.stop()
        raise ServiceError(f"redis-server did not start:\n{tail(self.logfile)}")

    def env(self) -> dict[str, str]:
        return {"TEST_REDIS_URL": f"redis://127.0.0.1:{self.port}/0"}

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def make_workdir() -> Path:
    # A Unix socket path is limited to about 100 bytes: stay short whatever TMPDIR says.
    base = tempfile.gettempdir()
    if len(base) > 40:
        base = "/tmp"
    path = Path(tempfile.mkdtemp(prefix="maillage-services-", dir=base))
    # The postgres user must reach the directory that holds its socket.
    path.chmod(0o755)
    return path


def run_command(command: list[str], env: dict[str, str]) -> int:
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as exc:
        log(f"cannot run {command[0]}: {exc.strerror}")
        return 127 if isinstance(exc, FileNotFoundError) else 126

    def forward(signum: int, _frame: object) -> None:
        # A Ctrl-C in the terminal already reached the child, which shares our process
        # group; forwarding it too would interrupt the child's own cleanup.
        if signum == signal.SIGINT and in_foreground():
            return
        if child.poll() is None:
            child.send_signal(signum)

    previous = {
        signum: signal.signal(signum, forward)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    try:
        returncode = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - returncode if returncode < 0 else returncode


def in_foreground() -> bool:
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except OSError:
        return False


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2

    missing = []
    pg_bindir = find_postgres_bindir()
    if pg_bindir is None:
        missing.append("PostgreSQL (initdb, pg_ctl, psql; Debian package postgresql)")
    redis_binary = shutil.which("redis-server")
    if redis_binary is None:
        missing.append("Redis (redis-server; Debian package redis-server)")
    for item in missing:
        log(f"not installed: {item}")
    if missing:
        if in_ci():
            log("CI=true: every service is required (run `make system-deps`)")
            return 1
        log("the tests that need a missing service will be skipped")

    # From here on, a SIGTERM or SIGHUP must still run the cleanup below.
    def interrupt(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)

    workdir = make_workdir()
    services: list[Postgres | Redis] = []
    started = time.monotonic()
    try:
        if pg_bindir is not None:
            services.append(Postgres(pg_bindir, workdir))
        if redis_binary is not None:
            services.append(Redis(redis_binary, workdir))
        env = dict(os.environ)
        for name in ("TEST_POSTGRES_URL", "TEST_POSTGRES_ADMIN_URL", "TEST_REDIS_URL"):
            env.pop(name, None)
        for service in services:
            service.start()
            env.update(service.env())
        log(f"services ready in {time.monotonic() - started:.1f}s ({workdir})")
        return run_command(argv, env)
    except ServiceError as exc:
        log(str(exc))
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 128 + signal.SIGINT
    except Interrupted as exc:
        log(f"interrupted by signal {exc.signum}")
        return 128 + exc.signum
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        stopping = time.monotonic()
        for service in reversed(services):
            try:
                service.stop()
            except Exception as exc:  # keep stopping the others, then remove the directory
                log(f"stopping {type(service).__name__} failed: {exc}")
        shutil.rmtree(workdir, ignore_errors=True)
        log(f"services stopped in {time.monotonic() - stopping:.1f}s")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
