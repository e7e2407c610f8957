"""The journeys people take through AssetLens, in a real browser, in English and in Spanish.

Every page a journey visits is checked with axe-core at WCAG 2.2 AA, and the browser must not report a single
console error (a CSP block, a script error, a failed request) along the way.
"""

import csv
import re

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from assetlens.models import Membership
from audits import services, tasks
from audits.models import Audit
from rubrics.selectors import current_version_for, version_structure
from tests.conftest import make_user

from .conftest import check_accessibility, choose_language, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def uses_real_stack():
    return settings.REDIS_URL and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.fixture
def scoring(request):
    """In-process scoring locally; on the real stack (CI) a real `celery worker` process scores the audit."""
    if uses_real_stack():
        return request.getfixturevalue("workers")()
    return None


def translator(language):
    def t(text):
        with translation.override(language):
            return translation.gettext(text)

    return t


def level_for(criterion_number, question):
    """Section 1 all at 4, the rest at 2, and 'not applicable' where a question allows it outside section 1."""
    if criterion_number == 1:
        return 4
    return "na" if question.allow_not_applicable else 2


@pytest.mark.parametrize("language", ["en", "es"])
def test_leader_adds_a_product_completes_an_audit_and_sees_it_scored(
    page, axe_source, browser_leader, scoring, language, request
):
    t = translator(language)
    if language == "es":
        request.getfixturevalue("spanish_messages")
        assert t("Sign in") == "Iniciar sesión", "the Spanish catalogue is not compiled"

    response = page.goto("/accounts/login/")
    # The pages run under their real CSP; axe-core is injected through DevTools, which the CSP does not govern.
    assert "script-src 'self'" in response.headers["content-security-policy"]
    if language != "en":
        choose_language(page, language)
    assert page.locator("html").get_attribute("lang") == language
    check_accessibility(page, axe_source, "sign-in page")
    sign_in(page, "lakeview-leader")

    # The dashboard greets a district with no audits yet and offers the first step.
    assert "Lakeview Unified" in page.locator("h1").inner_text()
    check_accessibility(page, axe_source, "empty dashboard")

    page.get_by_role("link", name=t("Products"), exact=True).click()
    check_accessibility(page, axe_source, "empty product list")
    page.get_by_role("link", name=t("Add a product")).first.click()
    check_accessibility(page, axe_source, "add product form")

    # A first try without a name: the error is announced at the top and links to the field; what was typed stays.
    page.fill("#id_vendor", "Open Shelf")
    page.get_by_role("button", name=t("Add product")).click()
    summary = page.get_by_role("alert")
    assert t("Give the product a name so your team can find it.") in summary.inner_text()
    assert summary.locator("a").first.get_attribute("href") == "#id_name"
    assert page.input_value("#id_vendor") == "Open Shelf"
    check_accessibility(page, axe_source, "add product form with an error")

    page.fill("#id_name", "ReadAlong Stories")
    page.fill("#id_website", "https://readalong.example")
    page.fill("#id_purpose", "Bilingual picture books with read-aloud.")
    page.locator("label[for=id_grade_bands_1]").click()
    page.fill("#id_marketing_copy", "Help your child get excited about reading, in English, Spanish or both.")
    page.get_by_role("button", name=t("Add product")).click()
    assert page.locator("h1").inner_text() == "ReadAlong Stories"
    check_accessibility(page, axe_source, "product page")

    page.get_by_role("button", name=t("Start an audit")).click()
    version = current_version_for(browser_leader.membership.district)
    criteria = version_structure(version)
    for number, criterion in enumerate(criteria, start=1):
        page.wait_for_url(re.compile(rf"/section/{number}/$"))
        with translation.override(language):
            assert page.locator("h1").inner_text() == criterion.tr("title")
        check_accessibility(page, axe_source, f"section {number}")
        for question in criterion.questions.all():
            page.locator(f"label[for=q{question.id}-level-{level_for(number, question)}]").click()
        if number == 1:
            first = criterion.questions.all()[0]
            page.locator(f"#q-{first.id} summary").click()
            page.fill(f"#id_q{first.id}-notes", "The pitch talks about home languages as a strength.")
            page.fill(f"#id_q{first.id}-url", "https://readalong.example/about")
            page.fill(f"#id_q{first.id}-quote", "Families record stories in their home language.")
            # The draft saves itself as the leader types, and says so in the page's language.
            expect(page.locator("#autosave-status")).to_have_text(t("Draft saved."))
            check_accessibility(page, axe_source, "section 1 with evidence open")
        last = number == len(criteria)
        page.get_by_role("button", name=t("Save and review") if last else t("Save and continue")).click()

    page.wait_for_url(re.compile(r"/review/$"))
    check_accessibility(page, axe_source, "review page")
    ready = t("Every required question has an answer. Submitting locks your answers and sends the audit for scoring.")
    assert ready in page.locator("main").inner_text()
    page.get_by_role("button", name=t("Submit for scoring")).click()

    page.wait_for_url(re.compile(r"/result/$"))
    if page.locator("#scoring-status").count():
        # The worker has not finished yet: the page says so, and its polling brings in the score by itself.
        assert t("Scoring…") in page.locator("#scoring-status").inner_text()
        check_accessibility(page, axe_source, "result page while scoring")
    page.locator("#overall-score").wait_for(timeout=60_000)
    # Section 1 (weight 1.5) at 4 of 4 scores 100; every other criterion at 2 of 4 scores 50 (the N/A answer
    # leaves its criterion's score): (1.5 × 100 + 1.5 × 50 + 4 × 1 × 50) / 7 = 425 / 7 = 60.71… → 60.7.
    assert page.locator("#overall-score").inner_text() == ("60,7" if language == "es" else "60.7")
    first_row = page.locator("table tbody tr").first.inner_text()
    with translation.override(language):
        assert criteria[0].tr("title") in first_row  # the rubric's words, in this language
    assert ("100,0" if language == "es" else "100.0") in first_row  # and its numbers, written the local way
    assert page.get_by_role("heading", name=t("What the product does well")).is_visible()
    assert page.get_by_role("heading", name=t("Opportunities to strengthen")).is_visible()
    check_accessibility(page, axe_source, "scored result page")

    audit = Audit.objects.get(auditor=browser_leader)
    assert audit.status == Audit.Status.SCORED
    evidence = audit.answers.get(question=criteria[0].questions.all()[0])
    assert evidence.evidence_url == "https://readalong.example/about" and evidence.level == 4

    page.get_by_role("link", name=t("Back to audits")).click()
    assert "60" in page.locator("table").inner_text()
    check_accessibility(page, axe_source, "dashboard with a scored audit")
    assert page.console_problems == []


@pytest.fixture
def committee_with_scored_products(browser_leader):
    """A committee in the leader's district, and two products the leader has audited and had scored."""
    from committees.models import Committee, CommitteeMember
    from products.models import Product
    from tests.audits.helpers import answered_audit

    district = browser_leader.membership.district
    member = make_user("lakeview-committee", district, Membership.Role.COMMITTEE_MEMBER,
                       first_name="Tomás", last_name="Reyes")
    committee = Committee.objects.create(district=district, name="Elementary reading", purpose="K-5 reading",
                                         created_by=browser_leader)
    CommitteeMember.objects.create(committee=committee, user=member)
    version = current_version_for(district)
    for name, level in (("ReadAlong Stories", 4), ("MathSprint", 1)):
        product = Product.objects.create(district=district, name=name, created_by=browser_leader)
        audit = answered_audit(product, version, browser_leader, level=level)
        services.submit(audit)
        tasks.score_submitted_audit(audit.pk)
    return committee


def test_committee_member_compares_two_products_watches_it_build_and_downloads_csv_and_pdf(
    page, axe_source, committee_with_scored_products, scoring
):
    committee = committee_with_scored_products
    sign_in(page, "lakeview-committee")
    page.get_by_role("link", name="Committees", exact=True).click()
    check_accessibility(page, axe_source, "committee list")
    page.get_by_role("link", name=committee.name).first.click()
    check_accessibility(page, axe_source, "committee page")
    page.get_by_role("link", name="Compare products").first.click()
    check_accessibility(page, axe_source, "compare products form")

    # One product is not a comparison: the error says so, beside the form, and nothing is queued.
    page.get_by_label("ReadAlong Stories").first.check()
    page.get_by_role("button", name="Build the comparison").click()
    assert "Choose at least 2 products" in page.locator("main").inner_text()
    check_accessibility(page, axe_source, "compare products form with an error")

    page.get_by_label("MathSprint").first.check()
    page.get_by_role("button", name="Build the comparison").click()
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    if page.locator("#report-progress").count():
        # A worker is building it: the page shows the progress and swaps in the report by itself.
        check_accessibility(page, axe_source, "report while building")
    download_csv = page.get_by_role("link", name="Download CSV")
    download_csv.wait_for(timeout=60_000)
    check_accessibility(page, axe_source, "comparison report")
    assert "ReadAlong Stories" in page.locator("#comparison").inner_text()

    with page.expect_download() as csv_download:
        download_csv.click()
    with open(csv_download.value.path(), encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    levels = {}
    for row in rows:
        levels.setdefault(row["product"], set()).add(row["level"])
    # One row per answer: 20 questions for each product, at the levels its auditor gave.
    assert len(rows) == 40 and levels == {"ReadAlong Stories": {"4"}, "MathSprint": {"1"}}

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    with open(pdf_download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert page.console_problems == []


def test_admin_rewords_a_question_publishes_and_audits_already_scored_keep_their_wording(
    page, axe_source, browser_leader
):
    from products.models import Product
    from tests.audits.helpers import answered_audit

    district = browser_leader.membership.district
    make_user("lakeview-admin", district, Membership.Role.DISTRICT_ADMIN, first_name="Ana", last_name="Ruiz")
    shared = current_version_for(district)
    product = Product.objects.create(district=district, name="ReadAlong Stories", created_by=browser_leader)
    old_audit = answered_audit(product, shared, browser_leader, level=4)
    services.submit(old_audit)
    tasks.score_submitted_audit(old_audit.pk)
    question = version_structure(shared)[0].questions.all()[0]
    old_prompt, new_prompt = question.prompt, "How does the product describe the opportunity it opens for learners?"

    sign_in(page, "lakeview-admin")
    page.get_by_role("link", name="Rubrics", exact=True).click()
    check_accessibility(page, axe_source, "rubric list")
    page.get_by_role("link", name=shared.rubric.name).first.click()
    check_accessibility(page, axe_source, "shared rubric")
    page.get_by_role("link", name="Adopt as my district's rubric").click()
    check_accessibility(page, axe_source, "adopt form")
    page.get_by_role("button", name="Adopt and start editing").click()
    check_accessibility(page, axe_source, "draft version editor")

    page.locator("#criteria summary").first.click()  # criteria are folded: open the first one's questions
    page.get_by_role("link", name=re.compile(r"^Edit " + re.escape(" ".join(old_prompt.split()[:8])))).click()
    check_accessibility(page, axe_source, "question form")
    page.locator("#id_question-prompt").fill(new_prompt)  # the English prompt (its Spanish sits beside it)
    page.get_by_role("button", name="Save question").click()
    assert new_prompt in page.locator("main").inner_text()
    page.get_by_role("link", name="Publish this version").click()  # a page that says what publishing does
    check_accessibility(page, axe_source, "publish confirmation")
    page.get_by_role("button", name=re.compile(r"^Publish version \d+$")).click()
    check_accessibility(page, axe_source, "rubric after publishing")

    # The audit scored on the shared version keeps the words it was answered against.
    old_audit.refresh_from_db()
    assert old_audit.rubric_version_id == shared.pk
    page.goto(f"/audits/{old_audit.pk}/result/")
    result_text = page.locator("main").inner_text()
    assert old_prompt in result_text and new_prompt not in result_text
    # A new audit starts on the district's own version, with the new words.
    page.goto(f"/products/{product.pk}/")
    page.get_by_role("button", name="Start an audit").click()
    page.wait_for_url(re.compile(r"/section/1/$"))
    section_text = page.locator("main").inner_text()
    assert new_prompt in section_text and old_prompt not in section_text
    assert page.console_problems == []
