"""A committee with a ready comparison report, people with email addresses, and Spanish compiled when asked."""

import pytest
from django.contrib.auth import get_user_model

from committees import selectors as committee_selectors
from committees import services as committee_services
from committees import tasks as committee_tasks
from products.models import Product
from tests.audits.helpers import scored_audit


@pytest.fixture(autouse=True)
def addresses(leader, committee_member, district_admin, leader_b):
    """Everyone has an email address and a name (the conftest people have neither)."""
    for user, first, last in ((leader, "Rosa", "Martínez"), (committee_member, "Sam", "Okafor"),
                              (district_admin, "Lee", "Chen"), (leader_b, "Amara", "Begay")):
        get_user_model().objects.filter(pk=user.pk).update(email=f"{user.username}@example.org", first_name=first,
                                                           last_name=last)
        user.refresh_from_db()


@pytest.fixture
def report(committee, product, version, leader, committee_member, django_capture_on_commit_callbacks):
    """A ready report of two products, asked for by the committee member (the leader serves on it too)."""
    second = Product.objects.create(district=product.district, name="FamilyBridge")
    for chosen in (product, second):
        scored_audit(chosen, version, leader)
    chosen = [product, second]
    audits = list(committee_selectors.comparable_audits(product.district, chosen))
    with django_capture_on_commit_callbacks(execute=False):
        report = committee_services.request_comparison(committee, committee_member, chosen, audits)
    committee_tasks.build(report.pk)
    report.refresh_from_db()
    return report


@pytest.fixture
def spanish():
    """The Spanish catalogue compiled, as `make run` and the image do."""
    from django.core.management import call_command
    from django.utils import translation
    from django.utils.translation import trans_real

    call_command("compilemessages", locale=["es"], ignore=[".venv", "node_modules"], verbosity=0)
    trans_real._translations = {}
    trans_real._default = None
    yield
    translation.deactivate()
