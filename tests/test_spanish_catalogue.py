"""The Spanish interface catalogue: every string translated, with its placeholders intact."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def msgfmt():
    path = shutil.which("msgfmt")
    if path is None:
        message = "gettext's msgfmt is not installed (`make messages` installs it)"
        if os.environ.get("ASSETLENS_REQUIRE_REAL_STACK") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_every_interface_string_has_a_checked_spanish_translation(msgfmt):
    # --check also compares python-format placeholders (%(name)s) between each msgid and its msgstr.
    result = subprocess.run([msgfmt, "--check", "--statistics", "-o", os.devnull, str(PO)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics



@pytest.fixture
def spanish(msgfmt):
    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compilemessages", locale=["es"], ignore=[".venv", "node_modules"], verbosity=0)
    trans_real._translations = {}
    trans_real._default = None
    yield
    # A request in Spanish leaves Spanish active in this thread; later tests must start from the default again.
    translation.deactivate()


def test_a_leader_reading_in_spanish_is_told_in_spanish_why_a_page_is_not_part_of_their_role(spanish, leader_client):
    leader_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = leader_client.get(reverse("committee_create"))
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "Su rol en este distrito no incluye esto." in page
    assert "Esto no forma parte de su rol" in page
