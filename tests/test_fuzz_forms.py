"""Whatever is typed or pasted (or sent by a broken script), the product and audit forms answer, never a 500."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.models import Audit
from rubrics.selectors import version_structure

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text as browsers can send it: any unicode except surrogates, NUL (rejected by PostgreSQL text) kept in.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
tricky = st.sampled_from(["", " ", "\x00", "=cmd|' /C calc'!A0", "<script>alert(1)</script>", "na", "-1",
                          "99999999999999999999", "4.0", "javascript:alert(1)", "http://", "https://ok.example/x",
                          "ReadAlong", "readalong", "x" * 6000])
value = st.one_of(any_text, tricky)


@FUZZ
@given(fields=st.fixed_dictionaries({}, optional={
    "name": value, "vendor": value, "website": value, "purpose": value, "marketing_copy": value,
    "grade_bands": st.lists(st.one_of(tricky, st.sampled_from(["k2", "3-5", "adult"])), max_size=4),
}))
def test_product_form_never_fails_with_a_server_error(leader_client, product, fields):
    for url in (reverse("product_create"), reverse("product_edit", args=[product.pk])):
        response = leader_client.post(url, fields)
        assert response.status_code in {200, 302}, (url, fields)


@pytest.fixture
def section(product, version, leader):
    draft = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    questions = list(version_structure(version)[0].questions.all())
    return draft, questions


@FUZZ
@given(data=st.data())
def test_audit_section_form_never_fails_with_a_server_error(leader_client, section, data):
    draft, questions = section
    names = [f"q{q.id}-{part}" for q in questions for part in ("level", "notes", "url", "quote")]
    fields = data.draw(st.dictionaries(st.one_of(st.sampled_from(names + ["revision", "action", "overwrite"]),
                                                 any_text), value, max_size=12))
    autosave = data.draw(st.booleans())
    if autosave:
        fields["autosave"] = "1"
    response = leader_client.post(reverse("audit_section", args=[draft.pk, 1]), fields)
    assert response.status_code in ({200, 400, 409} if autosave else {200, 302}), fields
    draft.refresh_from_db()
    assert draft.status == "draft"


@FUZZ
@given(username=value, password=value)
def test_sign_in_form_never_fails_with_a_server_error(client, username, password):
    response = client.post(reverse("login"), {"login": username, "password": password})
    assert response.status_code in {200, 302, 429}


@pytest.fixture
def submitted(product, version, leader):
    from tests.audits.helpers import scored_audit

    audit = scored_audit(product, version, leader, level=1)
    return audit, audit.answers.first().question_id


@FUZZ
@given(fields=st.fixed_dictionaries({}, optional={"notes": value, "evidence_url": value, "evidence_quote": value,
                                                   "level": value}))
def test_evidence_form_never_fails_with_a_server_error_and_never_changes_a_level(leader_client, submitted, fields):
    audit, question_id = submitted
    response = leader_client.post(reverse("audit_evidence", args=[audit.pk, question_id]), fields)
    assert response.status_code in {200, 302}, fields
    assert audit.answers.get(question_id=question_id).level == 1
