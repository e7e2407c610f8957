"""Signing in, two-step sign-in's rate limits and a reset request with Redis frozen: still answered, never a 500.

allauth keeps its rate limits in the cache; the cache is Redis. The test starts its own redis-server on a free port
(never the shared one) and freezes it with SIGSTOP.
"""

import os
import shutil
import signal
import subprocess
import time

import pytest
import redis
from django.urls import reverse

from assetlens.models import Membership
from tests.conftest import make_user
from tests.mailserver import free_port

PASSWORD = "pw-for-tests-123"


@pytest.fixture
def own_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--save", "", "--appendonly", "no", "--dir",
                                str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_timeout=1)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.RedisError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    os.kill(process.pid, signal.SIGCONT)
    process.kill()
    process.wait(timeout=10)


@pytest.mark.django_db
def test_with_the_cache_frozen_sign_in_and_a_reset_request_still_answer(client, settings, own_redis, district_a):
    process, url = own_redis
    settings.CACHES = {"default": {"BACKEND": "assetlens.cache.RedisCache", "LOCATION": url,
                                   "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}}}
    make_user("maria", district_a, Membership.Role.LEADER, email="maria@alder.example")
    os.kill(process.pid, signal.SIGSTOP)  # frozen: connections open, nothing answers

    wrong = client.post(reverse("login"), {"login": "maria", "password": "not-it"})
    assert wrong.status_code == 200 and "not correct" in wrong.content.decode()
    right = client.post(reverse("login"), {"login": "maria@alder.example", "password": PASSWORD})
    assert right.status_code == 302 and right["Location"] == reverse("dashboard")
    client.post(reverse("logout"))
    reset = client.post(reverse("account_reset_password"), {"email": "maria@alder.example"})
    assert reset.status_code == 302 and reset["Location"] == reverse("account_reset_password_done")
