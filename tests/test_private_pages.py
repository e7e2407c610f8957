"""Shared school computers: nothing a signed-in person saw stays in a browser's or a proxy's cache."""

import pytest
from django.urls import reverse

from audits.models import Audit
from tests.committees.test_committees import download_pdf, products_with_audits, ready_report

pytestmark = pytest.mark.django_db
PRIVATE = "private, no-store"


def test_signed_in_pages_and_every_export_are_never_cached(
        client, leader, district_admin, committee, district_a, version, product, django_capture_on_commit_callbacks):
    client.force_login(leader)
    audit = Audit.objects.create(district=district_a, product=product, rubric_version=version, auditor=leader)
    report = ready_report(committee, leader, products_with_audits(district_a, version, leader, 2),
                          django_capture_on_commit_callbacks)
    answers = {
        "dashboard": client.get(reverse("dashboard")),
        "audit section": client.get(reverse("audit_section", args=[audit.pk, 1])),
        "autosave": client.post(reverse("audit_section", args=[audit.pk, 1]), {"revision": "0", "autosave": "1"}),
        "report": client.get(reverse("report_detail", args=[report.pk])),
        "report CSV": client.get(reverse("report_csv", args=[report.pk])),
        "report PDF": download_pdf(client, report, django_capture_on_commit_callbacks),
    }
    client.force_login(district_admin)
    answers["rubric export"] = client.get(reverse("rubric_version_export", args=[version.pk]))
    for what, response in answers.items():
        assert response.status_code == 200, what
        assert response["Cache-Control"] == PRIVATE, what


def test_public_static_files_keep_their_cache_even_for_a_signed_in_browser(client, leader):
    client.force_login(leader)
    response = client.get("/static/css/assetlens.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"] and "max-age" in response["Cache-Control"]

