"""Private PostgreSQL and Redis servers for the tests, started from Debian's binaries.

Why private instances rather than the machine's services: CI runs on a fresh machine
where nothing is started for us, several engineers share one machine, and a test
must never touch someone else's data. Each run makes a fresh cluster in a temporary
directory (``initdb`` + ``pg_ctl``, its own unix socket directory, a free port on
127.0.0.1, a random password) and a ``redis-server`` on a free port with no
persistence; both are removed at the end of the run.

``make test`` installs the Debian packages (``postgresql``, ``redis-server``) and runs
the LTI and runtime tests a second time with ``LDAI_TEST_BACKEND=postgres``: the root
conftest then calls :func:`start_backend` before any test touches the database, and
points Django (and every subprocess the tests start, through ``DATABASE_URL`` and
``REDIS_URL``) at these servers.

``initdb`` refuses to run as root, so as root the cluster belongs to the unprivileged
``postgres`` user the Debian package creates (``runuser -u postgres``).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BACKEND_ENV = "LDAI_TEST_BACKEND"  # "postgres" selects PostgreSQL + Redis; unset = SQLite + in-process cache


def selected_backend() -> str:
    return os.environ.get(BACKEND_ENV, "sqlite").strip().lower() or "sqlite"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin_dir() -> Path | None:
    """Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<version>/bin."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


class ServiceMissing(RuntimeError):
    """A server binary is not installed: `make test` installs it (the message says which package)."""


def _wait_for(check, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as error:  # not up yet: connection refused, loading...
            last = error
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s: {last}")


@dataclass
class PrivatePostgres:
    """A throw-away cluster: trust on its own socket, a password on 127.0.0.1, durability off (tests only)."""

    user: str = "ldai"
    database: str = "ldai"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    port: int = 0
    root: Path | None = None

    def _as_owner(self, argv: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return argv
        return ["runuser", "-u", "postgres", "--", *argv]

    def start(self) -> PrivatePostgres:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise ServiceMissing("PostgreSQL's initdb is missing: run `make test` (installs Debian's postgresql) or apt-get install postgresql")
        # As root the cluster belongs to "postgres", which must reach it: /tmp, not a TMPDIR under /root.
        self.root = Path(tempfile.mkdtemp(prefix="ldai-pg-", dir="/tmp" if os.geteuid() == 0 else None))
        data, sockets, pwfile = self.root / "data", self.root / "sockets", self.root / "pw"
        sockets.mkdir()
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.root, sockets, pwfile):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        pwfile.chmod(0o600)
        self.port = free_port()
        run = {"check": True, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
        subprocess.run(self._as_owner([
            str(bin_dir / "initdb"), "-D", str(data), "-U", self.user, f"--pwfile={pwfile}", "--auth-local=trust",
            "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        ]), **run)
        options = (f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=200")
        subprocess.run(self._as_owner([
            str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(self.root / "server.log"), "-o", options, "-w", "start",
        ]), **run)
        _wait_for(self._accepts, "PostgreSQL")
        return self

    def _accepts(self) -> bool:
        import psycopg

        with psycopg.connect(self.url("postgres"), connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True

    def create_database(self) -> PrivatePostgres:
        """Create ``database`` (the tests let pytest-django make theirs; the load bench migrates this one)."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}" OWNER "{self.user}" ENCODING \'UTF8\'')
        return self

    def url(self, database: str | None = None) -> str:
        return f"postgres://{self.user}:{self.password}@127.0.0.1:{self.port}/{database or self.database}"

    def stop(self) -> None:
        if self.root is None:
            return
        bin_dir = postgres_bin_dir()
        if bin_dir is not None and (self.root / "data" / "postmaster.pid").exists():
            subprocess.run(self._as_owner([str(bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None


@dataclass
class PrivateRedis:
    """redis-server on a free port of 127.0.0.1, a password, nothing written to disk."""

    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    port: int = 0
    process: subprocess.Popen | None = None
    root: Path | None = None

    def start(self) -> PrivateRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceMissing("redis-server is missing: run `make test` (installs Debian's redis-server) or apt-get install redis-server")
        self.root = Path(tempfile.mkdtemp(prefix="ldai-redis-"))
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.root), "--requirepass", self.password, "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_for(self._pong, "Redis")
        return self

    def _pong(self) -> bool:
        import redis

        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {self.process.returncode}")
        return bool(redis.Redis.from_url(self.url(), socket_timeout=2).ping())

    def url(self, db: int = 0) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None


@dataclass
class Backend:
    postgres: PrivatePostgres
    redis: PrivateRedis

    def stop(self) -> None:
        self.redis.stop()
        self.postgres.stop()


def start_backend() -> Backend:
    """Start both servers and point Django and future subprocesses at them (before any connection is opened)."""
    postgres = PrivatePostgres().start()
    try:
        redis_server = PrivateRedis().start()
    except BaseException:
        postgres.stop()
        raise
    backend = Backend(postgres, redis_server)
    atexit.register(backend.stop)  # also when the run is interrupted before pytest_unconfigure (stop is idempotent)
    os.environ["DATABASE_URL"] = postgres.url()
    os.environ["REDIS_URL"] = redis_server.url()
    _point_django_at(backend)
    return backend


def _point_django_at(backend: Backend) -> None:
    """pytest-django loaded the settings before any conftest ran: swap DATABASES and CACHES in place.

    No connection or cache client exists yet at ``pytest_configure`` time, so dropping the
    handlers' memoised settings is enough for every later connection to use the new servers.
    """
    import dj_database_url
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connections

    settings.DATABASES = {"default": dj_database_url.parse(backend.postgres.url(), conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": backend.redis.url()}}
    from asgiref.local import Local

    for handler in (connections, caches):
        handler.__dict__.pop("settings", None)  # the memoised cached_property
        handler._settings = None
        handler._connections = Local(handler.thread_critical)
    celery_settings = getattr(settings, "CELERY_BROKER_URL", None)
    if celery_settings is not None:
        settings.CELERY_BROKER_URL = backend.redis.url(1)
