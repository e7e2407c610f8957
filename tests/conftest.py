"""One user per role in two districts, and switches between in-process and real-stack Celery."""

import os

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import get_user_model

from assetlens.celery import app as celery_app
from assetlens.models import District, Membership
from committees.models import Committee, CommitteeMember
from products.models import Product
from rubrics.selectors import current_version_for

pytest_plugins = ["tests.mailserver"]

REQUIRE_REAL_STACK = os.environ.get("ASSETLENS_REQUIRE_REAL_STACK") == "1"


@pytest.fixture(autouse=True, scope="session")
def files_in_a_temporary_folder(tmp_path_factory):
    """Report PDFs and other files the app keeps go to a folder of the test run (and the workers it starts)."""
    folder = tmp_path_factory.mktemp("media")
    previous = settings.MEDIA_ROOT
    settings.MEDIA_ROOT, os.environ["MEDIA_ROOT"] = folder, str(folder)
    yield folder
    settings.MEDIA_ROOT = previous
    os.environ.pop("MEDIA_ROOT", None)


@pytest.fixture(autouse=True)
def in_process_tasks():
    """Tasks run in-process unless a test asks for the real worker (see `real_stack`)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def no_language_left_behind():
    """A request in Spanish leaves Spanish active in the thread; the next test starts in the default again."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def nothing_kept_from_other_tests():
    """Each test starts with nothing in the cache (tone readings, report sections): test databases reuse ids.
    Only our own keys: the same Redis database holds the Celery queue."""
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(match=f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:*", count=1000):
            client.delete(key)
    else:
        cache.clear()
    yield


@pytest.fixture
def real_stack():
    """PostgreSQL and Redis for real. Skipped locally without them; a failure in CI, where they are required."""
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL does not point at PostgreSQL")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL is not set")
    else:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis is not reachable: {exc}")
    if problems:
        message = "real stack needed: " + "; ".join(problems)
        if REQUIRE_REAL_STACK:
            pytest.fail(message)
        pytest.skip(message)
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def make_user(username, district=None, role=None, **extra):
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-123", **extra)
    if district is not None:
        Membership.objects.create(user=user, district=district, role=role)
    return user


@pytest.fixture
def district_a(db):
    return District.objects.create(name="Alder District", slug="alder")


@pytest.fixture
def district_b(db):
    return District.objects.create(name="Birch District", slug="birch")


@pytest.fixture
def leader(district_a):
    return make_user("alder-leader", district_a, Membership.Role.LEADER)


@pytest.fixture
def committee_member(district_a):
    return make_user("alder-committee", district_a, Membership.Role.COMMITTEE_MEMBER)


@pytest.fixture
def district_admin(district_a):
    return make_user("alder-admin", district_a, Membership.Role.DISTRICT_ADMIN)


@pytest.fixture
def leader_b(district_b):
    return make_user("birch-leader", district_b, Membership.Role.LEADER)


@pytest.fixture
def site_staff(db):
    """Site staff always use two-step sign-in: without it every page sends them to set it up."""
    user = make_user("staff", is_staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client


@pytest.fixture
def product(district_a, leader):
    return Product.objects.create(district=district_a, name="ReadAlong", vendor="Open Shelf", created_by=leader,
                                  marketing_copy="Help your child get excited about reading.")


@pytest.fixture
def version(district_a):
    return current_version_for(district_a)


@pytest.fixture
def shared_rubric_reloaded(transactional_db):
    """An earlier transactional test's flush emptied the shared rubric a data migration loads; load it again.
    (serialized_rollback restores it too, but clashes with content types recreated by such a flush.)"""
    import importlib

    from django.apps import apps as django_apps

    from rubrics.models import Rubric
    from rubrics.spanish import apply_spanish

    if not Rubric.objects.filter(district__isnull=True, is_default=True).exists():
        importlib.import_module("rubrics.migrations.0002_default_rubric").load_default(django_apps, None)
        apply_spanish(django_apps)


@pytest.fixture
def clean_queue(real_stack):
    """No message from an earlier run (whose audit ids a new test database reuses) may reach our workers."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = ("celery", "unacked", "unacked_index", "unacked_mutex")
    client.delete(*keys)
    yield
    client.delete(*keys)


@pytest.fixture
def workers(clean_queue, shared_rubric_reloaded, tmp_path):
    """Start real `celery -A assetlens worker` processes: `workers(*args, **env)`; all are stopped afterwards."""
    from tests.realstack import Worker

    started = []

    def start(*args, **env):
        worker = Worker(tmp_path / f"worker-{len(started)}.log", *args, **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def committee(district_a, district_admin, leader, committee_member):
    committee = Committee.objects.create(district=district_a, name="K-5 reading", purpose="K-5 reading supplement",
                                         created_by=district_admin)
    CommitteeMember.objects.create(committee=committee, user=leader)
    CommitteeMember.objects.create(committee=committee, user=committee_member)
    return committee
