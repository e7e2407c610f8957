"""Share a report with the board: a read-only link that needs no sign-in, until it expires or is revoked."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.models import AuditRequest, ConsensusLevel, ReportComment, ReportShare, hash_share_token

from .test_committees import products_with_audits, ready_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(committee, district_a, version, leader, django_capture_on_commit_callbacks):
    products = products_with_audits(district_a, version, leader, 2)
    return ready_report(committee, leader, products, django_capture_on_commit_callbacks)


def make_link(client, report, **data):
    response = client.post(reverse("report_share_create", args=[report.pk]), {"label": "Board, 14 Jan", "days": 30,
                                                                                **data})
    assert response.status_code == 200
    return re.search(r'value="(http[^"]+/shared/[^"]+/)"', response.content.decode()).group(1)


def test_a_member_makes_a_link_the_board_opens_signed_out_without_the_discussion(client, leader, report):
    client.force_login(leader)
    ReportComment.objects.create(report=report, author=leader, body="Private thought about the vendor")
    product = report.products.order_by("name").first()
    ConsensusLevel.objects.create(report=report, product=product, criterion_key=report.result["criteria"][0]["key"],
                                  level=3, reason="Agreed after the meeting", set_by=leader)
    link = make_link(client, report)
    share = ReportShare.objects.get()
    token = link.rstrip("/").rsplit("/", 1)[1]
    # Only the hash of the secret is kept.
    assert share.token_hash == hash_share_token(token) and token not in share.token_hash
    assert share.expires_at - timezone.now() > timedelta(days=29)
    # It is listed on the report, with a way to revoke it.
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Board, 14 Jan" in page and reverse("report_share_revoke", args=[report.pk, share.pk]) in page

    client.logout()
    shared = client.get(link)
    body = shared.content.decode()
    assert shared.status_code == 200 and shared["X-Robots-Tag"] == "noindex, nofollow"
    assert "Product 00" in body and "Agreed after the meeting" in body
    assert "Private thought" not in body and "Post comment" not in body
    for members_only in ("report_comment", "report_csv", "report_share_create"):
        assert reverse(members_only, args=[report.pk]) not in body
    # Each product's questions and evidence open on their own shared page, also signed out.
    product_page = client.get(reverse("shared_report_product", args=[token, product.pk]))
    assert product_page.status_code == 200 and "every answer and the evidence behind it" in \
        product_page.content.decode()


def test_a_revoked_link_says_so_with_410(client, leader, report):
    client.force_login(leader)
    link = make_link(client, report)
    share = ReportShare.objects.get()
    response = client.post(reverse("report_share_revoke", args=[report.pk, share.pk]))
    assert response.status_code == 302
    client.logout()
    gone = client.get(link)
    assert gone.status_code == 410 and "revoked this link" in gone.content.decode()


def test_an_expired_link_says_when_it_expired_and_an_unknown_one_is_a_404(client, leader, report):
    client.force_login(leader)
    link = make_link(client, report, days=7)
    ReportShare.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    gone = client.get(link)
    assert gone.status_code == 410 and "expired on" in gone.content.decode()
    missing = client.get(reverse("shared_report", args=["not-a-real-secret"]))
    assert missing.status_code == 404 and "whole link was copied" in missing.content.decode()


def test_a_member_still_blind_to_a_product_cannot_share_the_report(client, committee, committee_member, report):
    AuditRequest.objects.create(committee=committee, product=report.products.first(), member=committee_member)
    client.force_login(committee_member)
    response = client.post(reverse("report_share_create", args=[report.pk]), {"days": 30})
    assert response.status_code == 403 and not ReportShare.objects.exists()


def test_a_bad_length_is_explained_and_the_label_kept(client, leader, report):
    client.force_login(leader)
    response = client.post(reverse("report_share_create", args=[report.pk]), {"label": "Board", "days": 5})
    page = response.content.decode()
    assert response.status_code == 400 and "Choose how long the link works." in page and 'value="Board"' in page
    assert not ReportShare.objects.exists()


def test_another_districts_member_cannot_revoke_a_link(client, leader, leader_b, report):
    client.force_login(leader)
    make_link(client, report)
    share = ReportShare.objects.get()
    client.force_login(leader_b)
    response = client.post(reverse("report_share_revoke", args=[report.pk, share.pk]))
    assert response.status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None
