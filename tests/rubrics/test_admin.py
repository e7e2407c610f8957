"""The Django admin is the floor: published versions are read-only there, drafts are editable."""

import pytest
from django.urls import reverse

from .helpers import draft_of, first_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, site_staff):
    client.force_login(site_staff)
    return client


def test_a_published_question_opens_read_only_and_a_post_changes_nothing(staff_client, version):
    question = first_question(version)
    url = reverse("admin:rubrics_question_change", args=[question.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert 'name="prompt"' not in page.content.decode()  # shown as text, not as a field
    response = staff_client.post(url, {"prompt": "Changed"})
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.prompt != "Changed"


def test_a_draft_question_is_editable_in_the_admin(staff_client, version):
    question = first_question(draft_of(version.rubric))
    page = staff_client.get(reverse("admin:rubrics_question_change", args=[question.pk])).content.decode()
    assert 'name="prompt"' in page


def test_admin_actions_start_a_draft_and_publish_it(staff_client, version):
    changelist = reverse("admin:rubrics_rubricversion_changelist")
    staff_client.post(changelist, {"action": "start_draft", "_selected_action": [version.pk]})
    draft = version.rubric.versions.get(status="draft")
    staff_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published
    assert version.rubric.latest_published() == draft
