"""Saves under real faults: two saves of one draft at the same instant, and PostgreSQL gone during a save.

Real PostgreSQL (both tests) and a real TCP proxy process that is cut between the app and the database (the
shared server is never stopped). Skipped without PostgreSQL locally, failed in CI (`real_stack`).
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from assetlens import stash
from audits.models import Answer, Audit
from rubrics.selectors import version_structure

from ..realstack import database_through_a_proxy

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]
ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


def first_section(version):
    return list(version_structure(version)[0].questions.all())


def post_at_once(leader, url, bodies):
    """Each body posted by its own browser (own client, own database connection), released by one barrier."""
    barrier = threading.Barrier(len(bodies))
    responses = [None] * len(bodies)

    def save(i):
        browser = Client()
        browser.force_login(leader)
        try:
            barrier.wait(timeout=10)
            responses[i] = browser.post(url, bodies[i])
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@pytest.mark.parametrize("how", ["form", "autosave"])
def test_two_saves_of_one_draft_at_the_same_instant_exactly_one_is_saved_the_other_sees_both_versions(
        how, real_stack, shared_rubric_reloaded, product, version, leader):
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    question = first_section(version)[0]
    url = reverse("audit_section", args=[audit.pk, 1])
    for round_number in range(15):
        loaded = Audit.objects.get(pk=audit.pk).revision  # both pages were opened at this revision
        notes = [f"round {round_number}: from tab {tab}" for tab in ("one", "two")]
        bodies = [{"revision": str(loaded), "action": "next", f"q{question.id}-level": str(level),
                   f"q{question.id}-notes": text, **({"autosave": "1"} if how == "autosave" else {})}
                  for level, text in zip((4, 1), notes, strict=True)]
        responses = post_at_once(leader, url, bodies)

        saved = [i for i, r in enumerate(responses)
                 if (r.status_code == 302 if how == "form" else r.status_code == 200 and r.json()["saved"])]
        assert len(saved) == 1, f"round {round_number}: {[r.status_code for r in responses]}"
        winner, loser = saved[0], 1 - saved[0]
        assert Answer.objects.get(audit=audit, question=question).notes == notes[winner]
        assert Audit.objects.get(pk=audit.pk).revision == loaded + 1
        if how == "autosave":
            assert responses[loser].status_code == 409 and responses[loser].json() == {"saved": False,
                                                                                        "conflict": True}
        else:
            page = responses[loser].content.decode()
            assert responses[loser].status_code == 200 and "changed in another tab" in page
            assert notes[winner] in page and notes[loser] in page  # the saved version and theirs, in the form


@pytest.fixture
def through_a_proxy(real_stack, shared_rubric_reloaded):
    with database_through_a_proxy() as proxy:
        yield proxy


def test_postgresql_down_during_a_save_gives_a_503_that_keeps_the_answers_and_they_come_back_after_recovery(
        through_a_proxy, product, version, leader):
    proxy = through_a_proxy
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    question, other = first_section(version)[:2]
    url = reverse("audit_section", args=[audit.pk, 1])
    browser = Client(raise_request_exception=False)
    browser.force_login(leader)
    assert browser.get(url).status_code == 200
    typed = {"revision": "0", "action": "next", f"q{question.id}-level": "3",
             f"q{question.id}-notes": "Families choose the language of every message.",
             f"q{other.id}-quote": "Celebrate what your child already knows"}

    proxy.cut()
    response = browser.post(url, typed, **ORIGIN)
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"]
    assert "cannot reach its database" in page and "were not saved" in page and "We kept a copy" in page
    assert "saved answers are safe" not in page.lower().replace("answers you saw confirmed as saved", "")
    assert "Families choose the language of every message." in page  # shown back, and in the Try again form
    assert "Celebrate what your child already knows" in page
    assert response.cookies[stash.KEPT_COOKIE]["path"] == url  # says a copy waits, to this page only
    # Autosave hears the truth in JSON, and a page that only reads says what happened instead of a 500.
    autosave = browser.post(url, {**typed, "autosave": "1"}, **ORIGIN)
    assert autosave.status_code == 503 and autosave.json() == {"saved": False, "reason": "unavailable", "kept": True}
    assert browser.get(url).status_code == 503
    # Where no copy can be kept (here: a browser without a session to keep it for), the page does not pretend.
    response = Client(raise_request_exception=False).post(url, typed, **ORIGIN)
    page = response.content.decode()
    assert response.status_code == 503 and "could not keep a copy" in page and "We kept a copy" not in page
    assert "Families choose the language of every message." in page and stash.KEPT_COOKIE not in response.cookies

    proxy.restore()
    connection.close()  # the test's own queries share the app's connection; a request would close it itself
    assert not Answer.objects.filter(audit=audit).exists()  # it really was not saved: the page said so
    page = browser.get(url).content.decode()
    assert "while AssetLens could not reach its database" in page
    assert "Families choose the language of every message." in page
    assert "Celebrate what your child already knows" in page
    # Saved now; the kept copy is gone, so it never comes back over newer answers.
    assert browser.post(url, typed, **ORIGIN).status_code == 302
    assert Answer.objects.get(audit=audit, question=question).notes == "Families choose the language of every message."
    assert "while AssetLens could not reach its database" not in browser.get(url).content.decode()
