"""Real `celery worker` processes for the real-stack tests: on the test database and the real Redis."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from audits.models import Audit

BASE_DIR = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).with_name("celery"))


def worker_env(**extra):
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class Worker:
    """A `celery worker` process (one pool child) whose log we can read and which we can kill outright."""

    def __init__(self, log_path, *args, **env):
        """`args` go on the command line, e.g. `-B --schedule=…` to run beat (the sweeps) inside the worker."""
        self.log_path = log_path
        self.log = open(log_path, "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [CELERY, "-A", "assetlens", "worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
             "--without-heartbeat", "--without-gossip", "--without-mingle", f"--hostname=faults-{time.time_ns()}@%h",
             *args],
            cwd=BASE_DIR, env=worker_env(**env), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def output(self):
        return Path(self.log_path).read_text()

    def kill_everything(self):
        """SIGKILL the main process and its pool child at once, as the OOM killer or a power cut would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def wait_until(condition, seconds, what, worker=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    log = f"\nWorker log:\n{worker.output()}" if worker else ""
    pytest.fail(f"Waited {seconds}s for {what}.{log}")


def status_of(audit_id):
    return Audit.objects.values_list("status", flat=True).get(pk=audit_id)


class PgProxy:
    """tests/pgproxy.py as a real process between the app and PostgreSQL: `cut()` refuses new connections and
    resets open ones, `restore()` lets them through again. The shared server itself is never stopped."""

    def __init__(self):
        db = connection.settings_dict
        self.process = subprocess.Popen(
            [sys.executable, str(BASE_DIR / "tests" / "pgproxy.py"), db["HOST"] or "127.0.0.1",
             str(db["PORT"] or 5432)],
            stdout=subprocess.PIPE, text=True, start_new_session=True,
        )
        self.port = int(self.process.stdout.readline())
        self.cut_now = False

    def _change(self, sig, said):
        self.cut_now = said == "cut"
        self.process.send_signal(sig)
        assert self.process.stdout.readline().strip() == said

    def cut(self):
        self._change(signal.SIGUSR1, "cut")

    def restore(self):
        if self.cut_now:
            self._change(signal.SIGUSR2, "restored")

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


@contextlib.contextmanager
def database_through_a_proxy():
    """Every new connection of this process (the test's, the live server's threads') goes through a PgProxy."""
    proxy = PgProxy()
    port = connection.settings_dict["PORT"]  # the dict every thread's connection is made from
    connection.close()
    connection.settings_dict["PORT"] = proxy.port
    try:
        yield proxy
    finally:
        proxy.restore()
        connection.close()
        connection.settings_dict["PORT"] = port
        proxy.stop()
