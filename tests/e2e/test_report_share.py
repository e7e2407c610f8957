"""In Spanish, a committee member prints the report, makes a read-only link for the board, and the board opens it
signed out; a revoked link then says why it no longer opens. axe-core checks every page on the way."""

import re

import pytest
from playwright.sync_api import expect

from committees import tasks as committee_tasks

from .conftest import check_accessibility, choose_language, sign_in
from .test_committee_report import queued_report, two_auditor_report  # noqa: F401 - fixtures used below

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_spanish_member_prints_shares_and_the_board_opens_the_link_signed_out(
        page, browser, live_server, axe_source, two_auditor_report):  # noqa: F811 - the fixture imported above
    report = two_auditor_report
    assert committee_tasks.build(report.pk) == "built"
    sign_in(page, "lakeview-member")
    page.goto(f"/reports/{report.pk}/")
    choose_language(page, "es")
    expect(page.get_by_role("heading", name="Clasificación")).to_be_visible()
    expect(page.locator("svg.report-chart title")).to_have_text("Puntuaciones por criterio de cada producto")
    check_accessibility(page, axe_source, "report in Spanish")

    # Ranked by a criterion, from its column heading.
    page.locator("#ranked-table thead a").nth(1).click()
    expect(page.locator("#ranked-table th[aria-sort=descending]")).to_have_count(1)
    check_accessibility(page, axe_source, "report ranked by a criterion")

    # On paper: the report without the forms and buttons.
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Crear un enlace de solo lectura")).to_be_hidden()
    expect(page.locator("#ranked-table")).to_be_visible()
    page.emulate_media(media="screen")

    # A link for the board.
    page.fill("#id_label", "Consejo, 14 de enero")
    page.get_by_role("button", name="Crear un enlace de solo lectura").click()
    link = page.locator("#share-link").input_value()
    assert re.search(r"/shared/[\w-]{40,}/$", link)
    check_accessibility(page, axe_source, "share link made")

    board = browser.new_context(base_url=live_server.url, locale="es-ES", extra_http_headers={"Accept-Language": "es"})
    board_page = board.new_page()
    board_page.goto(link)
    expect(board_page.get_by_role("heading", name="Clasificación")).to_be_visible()
    expect(board_page.get_by_role("button", name="Cerrar sesión")).to_have_count(0)
    expect(board_page.get_by_role("heading", name="Conversación")).to_have_count(0)
    check_accessibility(board_page, axe_source, "shared report, signed out")
    board_page.get_by_role("link", name=re.compile("Cada pregunta de ReadAlong Stories")).click()
    # In the first criterion's section, folded until opened.
    board_page.locator("details summary").first.click()
    expect(board_page.get_by_text("Stories in the languages our families speak at home.").last).to_be_visible()
    check_accessibility(board_page, axe_source, "shared product page, signed out")

    # Revoked on the report page: the board's link now says why it no longer opens.
    page.goto(f"/reports/{report.pk}/#share")
    page.get_by_role("button", name=re.compile("Retirar")).click()
    expect(page.get_by_text("El enlace ya no abre el informe.")).to_be_visible()
    check_accessibility(page, axe_source, "report with a revoked link")
    response = board_page.goto(link)
    assert response.status == 410
    expect(board_page.get_by_role("heading", name="Este enlace no abre ningún informe")).to_be_visible()
    check_accessibility(board_page, axe_source, "revoked link")
    board.close()
    assert page.console_problems == []
