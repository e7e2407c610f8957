"""The benchmark data set: realistic shape, scores that agree with the worker's, and safe to run again."""

import io

import pytest
from django.core.management import CommandError, call_command

from assetlens.models import District, Membership
from audits import selectors, tasks
from audits.models import Answer, Audit, Score
from products.models import Product

pytestmark = pytest.mark.django_db


def test_load_data_has_the_asked_size_and_every_scored_audit_has_the_workers_score():
    call_command("generate_load_data", districts=2, products=6, audits=40, stdout=io.StringIO())
    assert District.objects.filter(slug__startswith="load-").count() == 2
    assert Product.objects.count() == 6 and Audit.objects.count() == 40
    # 5 leaders, a committee member and an admin per district.
    assert Membership.objects.filter(role=Membership.Role.LEADER).count() == 10
    scored = Audit.objects.filter(status=Audit.Status.SCORED)
    assert Score.objects.count() == scored.count() > 0
    for audit in scored[:5]:
        expected = tasks.scoring.score(*selectors.scoring_inputs(audit))
        assert audit.score.overall == expected.overall
    # Every audit's product and auditor are in the audit's own district.
    for audit in Audit.objects.select_related("product", "auditor__membership"):
        assert audit.product.district_id == audit.district_id == audit.auditor.membership.district_id
    assert Answer.objects.exists()


def test_load_data_refuses_to_double_up_and_replaces_on_request():
    quiet = io.StringIO()
    call_command("generate_load_data", districts=1, products=2, audits=5, stdout=quiet)
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_load_data", districts=1, products=2, audits=5, stdout=quiet)
    call_command("generate_load_data", districts=1, products=3, audits=7, replace=True, stdout=quiet)
    assert Product.objects.count() == 3 and Audit.objects.count() == 7
