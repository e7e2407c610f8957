"""A scored audit's result page and its one-page PDF: the level in words, the date and rubric version, the chart
with its table, strengths before opportunities with their evidence, the questions for the vendor, in English and
Spanish, and the blind rule."""

import io
import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from audits import tasks
from audits.models import Answer, Audit
from committees.models import AuditRequest
from products.models import Product
from rubrics.selectors import version_structure

from .helpers import all_questions, answered_audit, scored_audit

pytestmark = pytest.mark.django_db

SUBMITTED = datetime(2026, 3, 5, 18, 0, tzinfo=UTC)  # noon in Chicago, the district's time zone in the tests


def scored(product, version, auditor, level, without_evidence=()):
    """A scored audit whose answers at the indexes `without_evidence` have no notes, link or quote."""
    audit = answered_audit(product, version, auditor, level=level)
    questions = all_questions(version)
    Answer.objects.filter(audit=audit, question__in=[questions[i] for i in without_evidence]).update(notes="")
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED, submitted_at=SUBMITTED)
    assert tasks.score_submitted_audit(audit.pk) == "scored"
    audit.refresh_from_db()
    return audit


def result_page(client, audit, language="en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("audit_result", args=[audit.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def section(page, element_id):
    """The HTML of the element (section, ol, table…) that carries `element_id`, up to its closing tag."""
    start = page.index(f'id="{element_id}"')
    tag = page.rfind("<", 0, start)
    name = re.match(r"<(\w+)", page[tag:]).group(1)
    return page[tag:page.index(f"</{name}>", start)]


@pytest.mark.parametrize(("level", "overall", "words"), [
    (1, "25.0", "Leans deficit-framed"),  # 1 of 4 everywhere: 25 → 25 / 100 × 4 = 1
    (2, "50.0", "Mixed"),
    (3, "75.0", "Leans asset-framed"),
    (4, "100.0", "Asset-framed"),
])
def test_the_overall_score_comes_with_its_level_in_words(leader_client, product, version, leader, level, overall,
                                                          words):
    page = result_page(leader_client, scored(product, version, leader, level))
    assert f'id="overall-score">{overall}<' in page
    assert f'id="overall-level">{words}<' in page


def test_the_result_says_when_it_was_submitted_and_on_which_rubric_version(leader_client, product, version,
                                                                             leader):
    page = result_page(leader_client, scored(product, version, leader, 3))
    assert "Submitted March 5, 2026." in page
    assert f"rubric, version {version.number}." in page
    spanish = result_page(leader_client, Audit.objects.get(product=product))
    assert "Submitted March 5, 2026." in spanish  # still English: the cookie above was English
    spanish = result_page(leader_client, Audit.objects.get(product=product), "es")
    assert "Enviada el 5 de marzo de 2026." in spanish


def test_the_chart_draws_one_labelled_bar_per_criterion_with_its_value_and_a_0_to_100_scale(
        leader_client, product, version, leader):
    # Problem framing's four questions at level 4, everything else at level 2: 100.0 and five criteria at 50.0.
    audit = scored(product, version, leader, lambda i: 4 if i < 4 else 2)
    page = result_page(leader_client, audit)
    chart = page[page.index('<svg', page.index('id="criteria-heading"')):page.index("</svg>") + 6]
    assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', chart)
    assert len(bars) == len(version_structure(version)) == 6
    # The plot is 720 − 16 − 258 = 446 wide: a full bar for 100, half of it for 50.
    assert [float(b) for b in bars] == [446.0] + [223.0] * 5
    values = re.findall(r'font-weight="bold"[^>]*>([\d.]+)</text>', chart)
    assert values == ["100.0"] + ["50.0"] * 5
    for tick in ("0", "25", "50", "75", "100"):
        assert f">{tick}</text>" in chart
    assert "Score out of 100" in chart and "Problem framing" in chart
    # The same numbers for screen readers, in a table after the chart.
    table = section(page, "criteria-table")
    assert "<caption>" in table and table.count('<th scope="row">') == 6
    assert re.search(r"Problem framing</th><td[^>]*>100\.0</td><td[^>]*>4 · Asset-framed", table)


def test_strengths_come_first_with_their_evidence_and_bare_answers_make_one_compact_list(
        leader_client, product, version, leader):
    # Questions 0 and 1 at level 4 (strengths, with notes); the other 18 at level 1 and 15 of them with no evidence.
    audit = scored(product, version, leader, lambda i: 4 if i < 2 else 1, without_evidence=range(5, 20))
    page = result_page(leader_client, audit)
    assert page.index('id="strengths-heading"') < page.index('id="opportunities-heading"')
    strengths = page[page.index('id="strengths-heading"'):page.index('id="opportunities-heading"')]
    assert "Evidence for question 0" in strengths and "Evidence for question 1" in strengths
    opportunities = page[page.index('id="opportunities-heading"'):page.index('id="vendor-questions-heading"')]
    assert opportunities.count('class="card mb-2"') == 3  # questions 2, 3 and 4 have notes
    assert "15 answers with no evidence recorded" in opportunities
    bare = section(page, "opportunities-without-evidence")
    assert bare.count("<li>") == 15 and "level 1 · Leans deficit-framed" in bare
    assert "No evidence recorded for this answer." not in page
    # Its auditor may still add evidence (the levels stay as scored): one link per bare answer, to that question.
    questions = all_questions(version)
    assert bare.count("Add evidence") == 15
    assert f'href="{reverse("audit_evidence", args=[audit.pk, questions[19].id])}"' in bare


def test_others_in_the_district_read_bare_answers_as_plain_text(client, product, version, leader, district_admin):
    audit = scored(product, version, leader, 1, without_evidence=range(20))
    client.force_login(district_admin)
    page = result_page(client, audit)
    assert "20 answers with no evidence recorded" in page and "Add evidence" not in page
    assert client.get(reverse("audit_evidence", args=[audit.pk, all_questions(version)[0].id])).status_code == 404


def test_the_auditor_adds_evidence_to_a_submitted_answer_and_the_page_and_pdf_show_it(
        leader_client, product, version, leader):
    audit = scored(product, version, leader, 1, without_evidence=range(20))
    question = all_questions(version)[3]
    overall = audit.score.overall
    assert "20 answers with no evidence recorded" in result_page(leader_client, audit)  # now kept in the cache
    url = reverse("audit_evidence", args=[audit.pk, question.id])
    form = leader_client.get(url).content.decode()
    assert question.prompt in form and "level 1 · Leans deficit-framed" in form

    response = leader_client.post(url, {"notes": "The dashboard calls them “below basic”.",
                                        "evidence_url": "https://vendor.example/dashboard", "evidence_quote": ""})
    assert response.status_code == 302 and response["Location"] == reverse("audit_result", args=[audit.pk])
    page = result_page(leader_client, audit)
    assert "19 answers with no evidence recorded" in page
    assert "The dashboard calls them “below basic”." in page and 'href="https://vendor.example/dashboard"' in page
    # The level and the score are as scored.
    assert Answer.objects.get(audit=audit, question=question).level == 1
    audit.refresh_from_db()
    assert audit.score.overall == overall and audit.status == Audit.Status.SCORED
    _, text = pdf_text(leader_client.get(reverse("audit_result_pdf", args=[audit.pk])))
    assert "ReadAlong" in text


def test_an_empty_or_bad_evidence_form_is_explained_and_keeps_what_was_typed(leader_client, product, version,
                                                                              leader):
    audit = scored(product, version, leader, 1, without_evidence=range(20))
    url = reverse("audit_evidence", args=[audit.pk, all_questions(version)[0].id])
    empty = leader_client.post(url, {"notes": "", "evidence_url": "", "evidence_quote": ""})
    assert empty.status_code == 200 and "an empty form has nothing to save" in empty.content.decode()
    bad = leader_client.post(url, {"notes": "Seen in the parent app", "evidence_url": "not a link",
                                   "evidence_quote": ""}).content.decode()
    assert "Enter a full web address" in bad and "Seen in the parent app" in bad
    assert not Answer.objects.get(audit=audit, question=all_questions(version)[0]).has_evidence


def test_evidence_is_added_only_to_an_answer_of_the_audit(leader_client, product, version, leader):
    audit = scored(product, version, leader, 1)
    other = Product.objects.create(district=product.district, name="MathPath", created_by=leader)
    elsewhere = scored(other, version, leader, 1)
    Answer.objects.filter(audit=elsewhere).delete()
    assert leader_client.get(reverse("audit_evidence", args=[elsewhere.pk, all_questions(version)[0].id])
                             ).status_code == 404
    assert leader_client.get(reverse("audit_evidence", args=[audit.pk, 999_999])).status_code == 404


def test_questions_for_the_vendor_come_from_the_opportunities_most_room_to_grow_first(
        leader_client, product, version, leader):
    # Question 0 at level 4 (a strength), 1 at level 0, the rest at level 2.
    audit = scored(product, version, leader, lambda i: {0: 4, 1: 0}.get(i, 2))
    questions = all_questions(version)
    listed = section(result_page(leader_client, audit), "vendor-questions")
    assert listed.count("<li") == 19
    assert questions[0].prompt not in listed
    first = listed.split("</li>")[0]
    # Level 0 of 4 has the most room to grow; the question is asked with what its top level looks like.
    top = questions[1].levels.order_by("-value").first()
    assert questions[1].prompt in first
    assert f"What can you show us of this: “{top.descriptor}”?" in first.replace("&#x27;", "'")

    spanish = section(result_page(leader_client, audit, "es"), "vendor-questions")
    first = spanish.split("</li>")[0]
    assert questions[1].translations["es"]["prompt"] in first
    assert top.translations["es"]["descriptor"] in first.replace("&#x27;", "'") and "¿Qué nos puede mostrar" in first


def test_an_audit_with_no_opportunities_says_there_is_nothing_to_ask_the_vendor(leader_client, product, version,
                                                                                  leader):
    page = result_page(leader_client, scored(product, version, leader, 4))
    assert "there is nothing to ask the vendor yet" in page and 'id="vendor-questions"' not in page


def test_the_result_page_reads_in_spanish(leader_client, product, version, leader):
    page = result_page(leader_client, scored(product, version, leader, 1, without_evidence=range(20)), "es")
    for words in ("Tiende al enfoque en déficits", "Puntuación de cada criterio", "Puntuación sobre 100",
                  "Preguntas para el proveedor", "20 respuestas sin evidencia registrada",
                  "Descargar un PDF de una página"):
        assert words in page, words


def pdf_text(response):
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def test_the_pdf_is_one_page_with_the_product_score_level_and_questions(leader_client, product, version, leader):
    # A long audit: every one of the 20 questions listed somewhere (2 strengths, 18 opportunities).
    audit = scored(product, version, leader, lambda i: 4 if i < 2 else 1)
    pages, text = pdf_text(leader_client.get(reverse("audit_result_pdf", args=[audit.pk])))
    assert pages == 1
    # Problem framing (weight 1.5): questions weighted 2, 1 at 4 of 4 and 1, 1 at 1 of 4: 3.5 / 5 = 70.
    # Overall: (1.5 × 70 + 1.5 × 25 + 4 × 25) / 7 = 242.5 / 7 = 34.64… → 34.6, which reads "Leans deficit-framed".
    assert "ReadAlong" in text and "34.6" in text and "Leans deficit-framed" in text
    assert "Questions to ask the vendor" in text
    assert "And 13 more opportunities on the result page." in text


def test_the_pdf_reads_in_spanish(leader_client, product, version, leader):
    audit = scored(product, version, leader, 1)
    leader_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    pages, text = pdf_text(leader_client.get(reverse("audit_result_pdf", args=[audit.pk]), HTTP_ACCEPT_LANGUAGE="es"))
    assert pages == 1
    assert "ReadAlong" in text and "25,0" in text and "Tiende al enfoque en déficits" in text
    assert "Preguntas para el proveedor" in text


def test_the_pdf_shows_a_new_score_after_scoring_again_not_the_kept_one(leader_client, product, version, leader):
    audit = scored(product, version, leader, 4)
    _, first = pdf_text(leader_client.get(reverse("audit_result_pdf", args=[audit.pk])))
    assert "100.0" in first
    Answer.objects.filter(audit=audit).update(level=1)
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
    assert tasks.score_submitted_audit(audit.pk) == "scored"
    _, again = pdf_text(leader_client.get(reverse("audit_result_pdf", args=[audit.pk])))
    assert "25.0" in again and "100.0" not in again


def test_the_pdf_of_an_audit_not_scored_yet_goes_back_to_the_result_page(leader_client, product, version, leader):
    audit = answered_audit(product, version, leader)
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
    response = leader_client.get(reverse("audit_result_pdf", args=[audit.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("audit_result", args=[audit.pk])


def test_a_blind_committee_member_gets_neither_the_page_nor_the_pdf(client, committee, product, version, leader,
                                                                    committee_member):
    others = scored_audit(product, version, leader, level=4)
    AuditRequest.objects.create(committee=committee, product=product, member=committee_member,
                                requested_by=committee.created_by)
    client.force_login(committee_member)
    page = client.get(reverse("audit_result", args=[others.pk])).content.decode()
    assert "100.0" not in page and "Questions to ask the vendor" not in page
    response = client.get(reverse("audit_result_pdf", args=[others.pk]))
    assert response.status_code == 403 and response["Content-Type"].startswith("text/html")
    assert b"100.0" not in response.content


def test_the_pdf_shows_the_products_new_name_after_it_is_renamed(leader_client, product, version, leader):
    audit = scored(product, version, leader, 4)
    _, first = pdf_text(leader_client.get(reverse("audit_result_pdf", args=[audit.pk])))
    assert "ReadAlong" in first
    Product.objects.filter(pk=product.pk).update(name="ReadAlong Plus")
    _, again = pdf_text(leader_client.get(reverse("audit_result_pdf", args=[audit.pk])))
    assert "ReadAlong Plus" in again
