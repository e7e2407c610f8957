"""docker-compose.yml on a real install: no public demo accounts unless asked for, no default secret."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from assetlens.models import Membership

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def web_start_commands(tmp_path, **env):
    """Run the web service's start command as the container's shell would, with `python` and `gunicorn` standing
    in as scripts that write down how they were called: which programs the start-up runs, in order."""
    log = tmp_path / "calls.log"
    for program in ("python", "gunicorn"):
        stub = tmp_path / program
        stub.write_text(f'#!/bin/sh\necho "{program} $*" >> "{log}"\n')
        stub.chmod(0o755)
    command = COMPOSE["services"]["web"]["command"].replace("$$", "$")  # compose's own escape for a literal $
    environment = {"PATH": f"{tmp_path}:/usr/bin:/bin", **env}
    subprocess.run(shlex.split(command), env=environment, check=True, timeout=30)
    return log.read_text().splitlines()


@pytest.mark.parametrize("demo", [None, "0", "yes"])
def test_compose_web_loads_no_demo_accounts_unless_asked_for(tmp_path, demo):
    calls = web_start_commands(tmp_path, **({} if demo is None else {"ASSETLENS_DEMO": demo}))
    assert calls[0] == "python manage.py migrate --no-input"
    assert not any("seed_demo" in call for call in calls)
    assert calls[-1].startswith("gunicorn assetlens.wsgi")


def test_compose_web_loads_the_demo_with_assetlens_demo_1(tmp_path):
    calls = web_start_commands(tmp_path, ASSETLENS_DEMO="1")
    assert calls[1] == "python manage.py seed_demo" and calls[-1].startswith("gunicorn assetlens.wsgi")


def test_compose_has_no_default_secret_key_and_refuses_to_start_without_one():
    environment = COMPOSE["x-app"]["environment"]
    # ${VAR:?message}: compose stops with the message when SECRET_KEY is not set; no fallback value anywhere.
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", environment["SECRET_KEY"])
    assert environment["ASSETLENS_DEMO"] == "${ASSETLENS_DEMO:-0}"
    for service in COMPOSE["services"].values():
        assert (service.get("environment") or {}).get("SECRET_KEY", environment["SECRET_KEY"]) == environment[
            "SECRET_KEY"]


@pytest.mark.django_db
def test_seed_demo_refuses_under_production_settings_and_creates_nobody(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run with production settings"):
        call_command("seed_demo")
    assert not Membership.objects.exists()


def test_seed_demo_refuses_in_a_real_production_process_with_a_clear_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}} | {
        "ASSETLENS_PRODUCTION": "1", "SECRET_KEY": "x" * 50, "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3",
        # Production settings refuse to start without a broker; the command refuses before it would use one.
        "REDIS_URL": "redis://127.0.0.1:6379/15"}
    result = subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "refuses to run with production settings (ASSETLENS_PRODUCTION=1)" in result.stderr
