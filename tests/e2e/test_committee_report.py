"""A committee member watches a comparison report being built and reads it, in a real browser."""

import io
import re
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import expect

from assetlens.models import Membership
from audits import tasks
from audits.models import Audit
from committees import selectors as committee_selectors
from committees import services as committee_services
from committees import tasks as committee_tasks
from committees.models import Committee, CommitteeMember, ComparisonReport, ReportFile
from products.models import Product
from rubrics.selectors import current_version_for
from tests.audits.helpers import all_questions, answered_audit
from tests.conftest import make_user

from .conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_report(browser_leader):
    """A report waiting for a worker (nothing enqueued), so the test decides when the "worker" runs."""
    district = browser_leader.membership.district
    member = make_user("lakeview-member", district, Membership.Role.COMMITTEE_MEMBER, first_name="Ade")
    committee = Committee.objects.create(district=district, name="K-5 reading", purpose="K-5 reading supplement")
    CommitteeMember.objects.create(committee=committee, user=member)
    version = current_version_for(district)
    products = []
    for name, level in (("ReadAlong Stories", 4), ("MathSprint", 1)):
        product = Product.objects.create(district=district, name=name, marketing_copy="Families read together.")
        audit = answered_audit(product, version, browser_leader, level=level)
        Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
        tasks.score_submitted_audit(audit.pk)
        products.append(product)
    report = ComparisonReport.objects.create(district=district, committee=committee, requested_by=member)
    report.products.set(products)
    report.audits.set(committee_selectors.comparable_audits(district, products))
    return report


def test_the_report_page_shows_progress_and_turns_into_the_report_without_a_reload(page, axe_source, queued_report):
    sign_in(page, "lakeview-member")
    page.goto(f"/reports/{queued_report.pk}/")
    expect(page.locator("#report-progress-bar")).to_be_visible()
    check_accessibility(page, axe_source, "report being built")
    page.evaluate("() => { window.stillTheSamePage = true; }")

    assert committee_tasks.build(queued_report.pk) == "built"  # the worker's part, done from here

    expect(page.get_by_role("heading", name="Criteria side by side")).to_be_visible(timeout=20_000)
    assert page.evaluate("() => window.stillTheSamePage === true"), "the page reloaded instead of updating itself"
    expect(page.locator("svg.report-chart title")).to_have_text("Criterion scores by product")
    check_accessibility(page, axe_source, "finished report")
    assert page.console_problems == []


def test_a_failed_build_turns_into_an_alert_with_try_again(page, axe_source, queued_report):
    sign_in(page, "lakeview-member")
    page.goto(f"/reports/{queued_report.pk}/")
    committee_tasks.claim(queued_report.pk)
    committee_tasks.mark_failed(queued_report.pk, "The worker lost its database connection.")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The worker lost its database connection.", timeout=20_000)
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    check_accessibility(page, axe_source, "failed report")

    page.get_by_role("button", name="Try again").click()
    # In-process tasks: the retry builds the report before the page comes back.
    expect(page.get_by_role("heading", name="Criteria side by side")).to_be_visible(timeout=20_000)
    assert page.console_problems == []


def test_committee_pages_meet_wcag_22_aa(page, axe_source, queued_report, browser_leader):
    committee_tasks.build(queued_report.pk)
    sign_in(page, "lakeview-member")
    for url in ("/committees/", f"/committees/{queued_report.committee_id}/",
                f"/committees/{queued_report.committee_id}/compare/"):
        page.goto(url)
        check_accessibility(page, axe_source, url)
    page.goto(f"/committees/{queued_report.committee_id}/compare/")
    page.get_by_role("button", name="Build the comparison").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least 2 products")
    check_accessibility(page, axe_source, "comparison form with an error")
    assert page.console_problems == []


@pytest.fixture
def two_auditor_report(queued_report, browser_leader):
    """The queued report with a second auditor on ReadAlong Stories whose first answer quotes the product and links to
    where the quote is, so a product's page has more than one auditor's answers and evidence to show."""
    district = browser_leader.membership.district
    coach = make_user("lakeview-coach", district, Membership.Role.LEADER, first_name="Kwame", last_name="Osei")
    readalong = queued_report.products.get(name="ReadAlong Stories")
    version = current_version_for(district)
    audit = answered_audit(readalong, version, coach, level=3)
    first = audit.answers.select_related("question").get(question=all_questions(version)[0])
    first.evidence_quote = "Stories in the languages our families speak at home."
    first.evidence_url = "https://readalong.example/families"
    first.save()
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
    tasks.score_submitted_audit(audit.pk)
    queued_report.audits.set(committee_selectors.comparable_audits(district, queued_report.products.all()))
    queued_report.readalong, queued_report.first_prompt = readalong, first.question.prompt
    return queued_report


def pdf_text(download):
    """What a committee member gets from a download: a PDF, and the words in it."""
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF"), data[:40]
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_a_member_reads_one_products_answers_and_evidence_then_downloads_the_pdf(page, axe_source, two_auditor_report):
    report, product = two_auditor_report, two_auditor_report.readalong
    assert committee_tasks.build(report.pk) == "built"  # the worker builds it, and lays out its PDF once it is ready
    sign_in(page, "lakeview-member")
    page.goto(f"/reports/{report.pk}/")

    page.get_by_role("link", name="Every question for ReadAlong Stories, each auditor's answer and the evidence "
                                   "behind it").click()
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/products/{product.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "ReadAlong Stories: every answer and the evidence behind it")
    expect(page.get_by_role("heading", name="MathSprint")).to_have_count(0)  # one product per page
    expect(page.locator("main")).to_contain_text("2 audits: Rosa Delgado")
    expect(page.locator("main")).to_contain_text("Kwame Osei")

    # Every section of questions opens, as a member reading it would open them.
    sections = page.locator("details")
    expect(sections.first).to_be_visible()
    for summary in page.locator("details > summary").all():
        summary.click()
    for i in range(sections.count()):
        expect(sections.nth(i)).to_have_attribute("open", "")
    answers = page.locator("details h4", has_text=two_auditor_report.first_prompt).first.locator(
        "xpath=following-sibling::ul[1]").locator("li")
    expect(answers).to_have_count(2)  # each auditor's answer to the same question
    rosa = answers.filter(has_text="Rosa Delgado")
    kwame = answers.filter(has_text="Kwame Osei")
    expect(rosa).to_contain_text("level 4")
    expect(rosa).to_contain_text("Evidence for question 0")
    expect(kwame).to_contain_text("level 3")
    expect(kwame.locator("blockquote")).to_have_text("“Stories in the languages our families speak at home.”")
    evidence = kwame.get_by_role("link", name=re.compile(r"^Evidence link\s*: Kwame Osei, "))
    expect(evidence).to_have_attribute("href", "https://readalong.example/families")
    check_accessibility(page, axe_source, "one product's answers and evidence, every section open")

    page.get_by_role("link", name="Back to the comparison").click()
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/#product-{product.pk}$"))
    expect(page.get_by_role("heading", name="Criteria side by side")).to_be_visible()

    assert ReportFile.objects.filter(report=report).count() == 1  # made ahead by the worker
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == f"comparison-{report.pk}.pdf"
    text = pdf_text(download.value)
    assert "ReadAlong Stories" in text and "MathSprint" in text
    assert ReportFile.objects.filter(report=report).count() == 1  # served as kept, not made again
    assert page.console_problems == []


def test_a_pdf_still_being_laid_out_shows_a_waiting_page_that_downloads_it_when_ready(
        page, axe_source, queued_report, monkeypatch):
    assert committee_tasks.build(queued_report.pk) == "built"
    ReportFile.objects.filter(report=queued_report).delete()  # no PDF kept yet
    asked = []  # the worker is asked, but has not run yet
    monkeypatch.setattr(committee_services, "enqueue_pdf", lambda *job: asked.append(job))
    sign_in(page, "lakeview-member")
    page.goto(f"/reports/{queued_report.pk}/")

    with page.expect_response(lambda r: r.url.endswith(f"/reports/{queued_report.pk}/report.pdf")) as response:
        page.get_by_role("link", name="Download PDF").click()
    assert response.value.status == 202
    expect(page.get_by_role("heading", level=1)).to_have_text("Your PDF is being prepared")
    expect(page.get_by_role("status")).to_contain_text("the download starts by itself when it is ready")
    expect(page.get_by_role("link", name="Back to the comparison")).to_have_attribute(
        "href", f"/reports/{queued_report.pk}/")
    check_accessibility(page, axe_source, "PDF being prepared")
    assert len(asked) == 1, asked

    with page.expect_download(timeout=20_000) as download:
        for job in asked:  # the worker's turn; the page's next check finds the PDF and downloads it
            committee_tasks.enqueue_pdf(*job)
    assert download.value.suggested_filename == f"comparison-{queued_report.pk}.pdf"
    assert "ReadAlong Stories" in pdf_text(download.value)
    assert len(asked) == 1, "the waiting page asked the worker again on every check"
    assert page.console_problems == []
