"""Roles and leaving: a district admin changes a role, deactivates someone (signed out on their very next request,
whatever is cached) and brings them back; a district never loses its last active admin, even to a race."""

import threading

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.test import RequestFactory
from django.urls import reverse

from assetlens.models import Membership
from audits.models import Audit
from committees.models import AuditRequest, ComparisonReport, ReportComment
from people import services
from tests.conftest import make_user

ADMIN, LEADER = Membership.Role.DISTRICT_ADMIN, Membership.Role.LEADER


@pytest.mark.django_db
def test_admin_changes_a_persons_role(admin_client, leader):
    response = admin_client.post(reverse("person_role", args=[leader.membership.pk]), {"role": "committee_member"},
                                 follow=True)
    assert "is now a Committee member" in response.content.decode()
    leader.membership.refresh_from_db()
    assert leader.membership.role == Membership.Role.COMMITTEE_MEMBER


@pytest.mark.django_db
def test_the_only_active_admin_cannot_be_demoted(admin_client, named_admin):
    response = admin_client.post(reverse("person_role", args=[named_admin.membership.pk]), {"role": "leader"},
                                 follow=True)
    assert "is your district&#x27;s only active admin" in response.content.decode()
    named_admin.membership.refresh_from_db()
    assert named_admin.membership.role == ADMIN


@pytest.mark.django_db
def test_an_admin_may_step_down_when_another_active_admin_remains_but_not_for_a_deactivated_one(
    admin_client, named_admin, district_a
):
    other = make_user("second-admin", district_a, ADMIN)
    User.objects.filter(pk=other.pk).update(is_active=False)
    with pytest.raises(services.LastAdmin):
        services.change_role(named_admin.membership, LEADER)
    User.objects.filter(pk=other.pk).update(is_active=True)
    services.change_role(named_admin.membership, LEADER)
    assert Membership.objects.get(user=named_admin).role == LEADER


@pytest.mark.django_db
def test_an_admin_cannot_deactivate_themselves(admin_client, named_admin):
    response = admin_client.post(reverse("person_deactivate", args=[named_admin.membership.pk]), follow=True)
    assert "You cannot deactivate your own account" in response.content.decode()
    named_admin.refresh_from_db()
    assert named_admin.is_active


@pytest.mark.django_db
def test_an_invalid_role_is_explained_on_the_persons_page(admin_client, leader):
    response = admin_client.post(reverse("person_role", args=[leader.membership.pk]), {"role": "owner"})
    assert response.status_code == 400 and "Choose one of the roles listed." in response.content.decode()


def can_sign_in(user):
    """Whether the sign-in backends accept the person's password (whichever sign-in page is in front of them)."""
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, username=user.username, password="pw-for-tests-123") is not None


def signed_in_client(client_class, user):
    other = client_class()
    other.force_login(user)
    assert other.get(reverse("dashboard")).status_code == 200
    return other


@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db",
                                    "django.contrib.sessions.backends.cached_db"])
@pytest.mark.django_db
def test_deactivated_person_is_signed_out_on_their_very_next_request_and_their_work_stays(
    engine, settings, admin_client, leader, product, version, fresh_client
):
    settings.SESSION_ENGINE = engine
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    phone, laptop = signed_in_client(fresh_client, leader), signed_in_client(fresh_client, leader)

    response = admin_client.post(reverse("person_deactivate", args=[leader.membership.pk]), follow=True)
    assert "is deactivated and signed out everywhere" in response.content.decode()

    for device in (phone, laptop):
        response = device.get(reverse("dashboard"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not any(str(s.get_decoded().get("_auth_user_id")) == str(leader.pk) for s in Session.objects.all())
    # They cannot sign in again with their password either.
    assert not can_sign_in(leader)
    # Their work stays, under their name; the People page shows them as deactivated.
    assert Audit.objects.get(pk=audit.pk).auditor_id == leader.pk
    page = admin_client.get(reverse("people_list") + "?status=deactivated").content.decode()
    assert "alder-leader" in page and "Deactivated" in page

    response = admin_client.post(reverse("person_reactivate", args=[leader.membership.pk]), follow=True)
    assert "is active again" in response.content.decode()
    assert can_sign_in(leader)
    leader.membership.refresh_from_db()
    assert leader.membership.role == LEADER  # role kept


@pytest.mark.django_db(transaction=True)
def test_deactivation_signs_out_on_the_next_request_with_sessions_cached_in_the_real_redis(
    real_stack, settings, admin_client, leader, fresh_client
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    assert django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    device = signed_in_client(fresh_client, leader)
    device.get(reverse("dashboard"))  # the session is now in Redis too
    admin_client.post(reverse("person_deactivate", args=[leader.membership.pk]))
    response = device.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_comments_stay_attributed_after_deactivation(admin_client, named_admin, committee_member, committee):
    report = ComparisonReport.objects.create(district=committee.district, committee=committee)
    comment = ReportComment.objects.create(report=report, author=committee_member, body="I agree with level 3.")
    services.deactivate(committee_member.membership, named_admin)
    assert ReportComment.objects.get(pk=comment.pk).author_id == committee_member.pk


def _in_thread(barrier, results, name, action):
    try:
        barrier.wait(timeout=10)
        action()
        results[name] = "done"
    except services.LastAdmin:
        results[name] = "refused"
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_move_kind", ["demote", "deactivate"])
def test_two_admins_removing_each_other_at_once_leave_one_active_admin(real_stack, district_a, first_move_kind):
    """On PostgreSQL, two requests at the same moment: each would be allowed alone, but not both."""
    assert connection.vendor == "postgresql"
    first = make_user("first-admin", district_a, ADMIN)
    second = make_user("second-admin", district_a, ADMIN)
    barrier, results = threading.Barrier(2), {}
    # The first admin demotes (or deactivates) the second while the second demotes the first.
    first_move = ((lambda: services.change_role(Membership.objects.get(user=second), LEADER))
                  if first_move_kind == "demote" else
                  (lambda: services.deactivate(Membership.objects.get(user=second), first)))
    moves = {"first": first_move,
             "second": lambda: services.change_role(Membership.objects.get(user=first), LEADER)}
    threads = [threading.Thread(target=_in_thread, args=(barrier, results, name, move)) for name, move in moves.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == ["done", "refused"], results
    active_admins = Membership.objects.filter(district=district_a, role=ADMIN, user__is_active=True)
    assert active_admins.count() == 1


@pytest.mark.django_db
def test_open_audit_requests_show_what_a_person_is_working_on_until_they_submit(admin_client, committee,
                                                                               committee_member, product, version):
    AuditRequest.objects.create(committee=committee, product=product, member=committee_member)
    page = admin_client.get(reverse("person_detail", args=[committee_member.membership.pk])).content.decode()
    assert "Audit ReadAlong for K-5 reading" in page
    Audit.objects.create(district=product.district, product=product, rubric_version=version,
                         auditor=committee_member, status=Audit.Status.SCORED)
    page = admin_client.get(reverse("person_detail", args=[committee_member.membership.pk])).content.decode()
    assert "No open requests" in page
