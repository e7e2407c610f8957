"""Real `celery worker` processes for the real-stack tests: on the test database and the real Redis."""

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
