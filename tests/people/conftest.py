import os
import shutil

import pytest
from django.test import Client

from assetlens.models import Membership
from tests.conftest import make_user


@pytest.fixture
def spanish_catalogue():
    """The Spanish catalogue compiled, so a Spanish email really is in Spanish and not the English fallback."""
    from django.core.management import call_command
    from django.utils.translation import trans_real

    if shutil.which("msgfmt") is None:
        message = "gettext's msgfmt is not installed (`make messages` installs it)"
        if os.environ.get("ASSETLENS_REQUIRE_REAL_STACK") == "1":
            pytest.fail(message)
        pytest.skip(message)
    call_command("compilemessages", locale=["es"], ignore=[".venv", "node_modules"], verbosity=0)
    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def named_admin(district_a):
    return make_user("alder-lee", district_a, Membership.Role.DISTRICT_ADMIN, first_name="Lee", last_name="Chen",
                     email="lee@alder.example")


@pytest.fixture
def admin_client(client, named_admin):
    client.force_login(named_admin)
    return client


@pytest.fixture
def fresh_client():
    """Another browser: a new client with no cookies, each time it is called."""
    return Client
