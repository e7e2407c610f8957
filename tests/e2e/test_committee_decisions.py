"""A committee decides in Spanish, in a real browser: a member proposes a decision from the report, members vote,
and the committee's quorum and majority carry it; axe-core checks every page on the way."""

import pytest
from playwright.sync_api import expect

from assetlens.models import Membership
from audits import tasks
from audits.models import Audit
from committees import selectors as committee_selectors
from committees import tasks as committee_tasks
from committees.models import Committee, CommitteeMember, ComparisonReport, Decision
from products.models import Product
from rubrics.selectors import current_version_for
from tests.audits.helpers import answered_audit
from tests.conftest import make_user

from .conftest import check_accessibility, choose_language, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ready_report(browser_leader):
    """Two products audited by the leader; the leader and Ade serve on the committee (more than half must vote,
    more agree than disagree)."""
    district = browser_leader.membership.district
    member = make_user("lakeview-member", district, Membership.Role.COMMITTEE_MEMBER, first_name="Ade")
    committee = Committee.objects.create(district=district, name="Lectura K-5", purpose="Suplemento de lectura",
                                         chair=browser_leader)
    for person in (browser_leader, member):
        CommitteeMember.objects.create(committee=committee, user=person)
    version = current_version_for(district)
    products = []
    for name, level in (("ReadAlong Stories", 4), ("MathSprint", 1)):
        product = Product.objects.create(district=district, name=name)
        audit = answered_audit(product, version, browser_leader, level=level)
        Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
        tasks.score_submitted_audit(audit.pk)
        products.append(product)
    report = ComparisonReport.objects.create(district=district, committee=committee, requested_by=browser_leader)
    report.products.set(products)
    report.audits.set(committee_selectors.comparable_audits(district, products))
    assert committee_tasks.build(report.pk) == "built"
    return report


def test_propose_vote_and_carry_a_decision_in_spanish(page, axe_source, spanish_messages, ready_report):
    sign_in(page, "lakeview-leader")
    choose_language(page, "es")
    page.goto(f"/reports/{ready_report.pk}/")
    expect(page.get_by_role("heading", name="Proponer una decisión")).to_be_visible()
    check_accessibility(page, axe_source, "report, Spanish")

    proposal = page.locator(f'form[action="/reports/{ready_report.pk}/decisions/"]')
    proposal.locator("select[name=product]").select_option(label="ReadAlong Stories")
    proposal.get_by_label("Adoptar", exact=True).check()
    proposal.locator("textarea[name=rationale]").fill("Parte de los idiomas que hablan las familias.")
    proposal.get_by_role("button", name="Proponer decisión").click()
    expect(page.get_by_role("heading", name="Decisión sobre ReadAlong Stories")).to_be_visible()
    expect(page.get_by_text("Propuesta, abierta a votación", exact=True)).to_be_visible()
    check_accessibility(page, axe_source, "proposal, Spanish")

    page.get_by_label("A favor", exact=True).check()
    page.get_by_role("button", name="Registrar mi voto").click()
    expect(page.get_by_text("Su voto quedó registrado.")).to_be_visible()
    check_accessibility(page, axe_source, "after the first vote, Spanish")
    decision = Decision.objects.get()
    assert decision.status == "proposed"

    page.context.clear_cookies()
    sign_in(page, "lakeview-member")
    choose_language(page, "es")
    page.goto(f"/decisions/{decision.pk}/")
    check_accessibility(page, axe_source, "the second member's view, Spanish")
    page.get_by_label("A favor", exact=True).check()
    page.get_by_role("button", name="Registrar mi voto").click()
    expect(page.get_by_text("Su voto quedó registrado y, con él, la decisión queda aprobada.")).to_be_visible()
    expect(page.get_by_text("Estado: Aprobada")).to_be_visible()
    check_accessibility(page, axe_source, "carried decision, Spanish")
    decision.refresh_from_db()
    assert decision.status == "carried"

    page.get_by_role("link", name="Volver al comité").first.click()
    expect(page.get_by_role("heading", name="Reuniones")).to_be_visible()
    check_accessibility(page, axe_source, "committee page, Spanish")
    assert page.console_problems == []
