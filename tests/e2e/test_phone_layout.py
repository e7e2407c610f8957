"""Issue 17 at two sizes in Chromium: a laptop (1280×800) and a phone (390×844).

On the phone the header folds behind a "Menu" button (opened and closed by keyboard, and open without
JavaScript), the list tables stack as cards so nothing scrolls sideways, a 200-character unbroken name wraps, and
a name too long is counted before saving and refused, whole, after. axe-core is clean at both sizes.
"""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from assetlens.models import District
from audits.models import Audit
from products.models import Product
from rubrics.selectors import current_version_for
from tests.conftest import make_user

from .conftest import PASSWORD, check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LONG_NAME = "Supercalifragilistic" * 10  # 200 characters, no space to break at
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def district_with_work(browser_leader):
    district = browser_leader.membership.district
    version = current_version_for(district)
    long_one = Product.objects.create(district=district, name=LONG_NAME, vendor="Open Shelf Learning",
                                      created_by=browser_leader)
    other = Product.objects.create(district=district, name="ReadAlong Stories", vendor="Open Shelf",
                                   created_by=browser_leader)
    for product in (long_one, other):
        Audit.objects.create(district=district, product=product, rubric_version=version, auditor=browser_leader)
    return district


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_dashboard_and_product_list_never_scroll_sideways_and_meet_wcag_aa(page, axe_source, district_with_work,
                                                                            size):
    page.set_viewport_size(size)
    sign_in(page, "lakeview-leader")
    for path in ("/", "/products/"):
        page.goto(path)
        assert page.evaluate(SIDEWAYS) <= 0, f"{path} scrolls sideways at {size['width']} px"
        name = page.locator("table a", has_text="Supercalifragilistic").first
        assert name.bounding_box()["width"] <= size["width"]
        check_accessibility(page, axe_source, f"{path} at {size['width']} px")
    assert page.console_problems == []


def test_on_a_phone_the_header_folds_and_opens_by_keyboard(page, axe_source, district_with_work):
    page.set_viewport_size(PHONE)
    sign_in(page, "lakeview-leader")
    page.goto("/products/")
    button = page.locator(".site-menu-toggle")
    menu = page.locator("#site-menu")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    header_height = page.locator("header").bounding_box()["height"]
    assert header_height < 844 / 8, f"the folded header takes {header_height} px"
    # The cells of a stacked table say which column they are.
    label = page.evaluate("""() => getComputedStyle(document.querySelector('td[data-label]'), '::before').content""")
    assert label == '"Product"'

    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true" and menu.is_visible()
    check_accessibility(page, axe_source, "phone menu open")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('#site-menu') !== null")
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not menu.is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('site-menu-toggle')")

    page.set_viewport_size(LAPTOP)  # widening the window: the menu is simply there, the button gone
    assert menu.is_visible() and not button.is_visible()
    assert page.console_problems == []


def test_without_javascript_the_phone_menu_stays_open(browser, live_server, district_with_work):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "lakeview-leader")
        page.goto("/products/")
        assert not page.locator(".site-menu-toggle").is_visible()
        assert page.get_by_role("link", name="Products", exact=True).is_visible()
        assert page.evaluate(SIDEWAYS) <= 0
    finally:
        context.close()


def test_a_300_character_paste_is_counted_before_saving_and_refused_whole_after(page, axe_source, browser_leader):
    page.set_viewport_size(PHONE)
    sign_in(page, "lakeview-leader")
    page.goto("/products/new/")
    name = page.locator("#id_name")
    count = page.locator("#id_name-count")
    assert count.inner_text() == "0 of 200 characters"
    name.fill("R" * 300)  # nothing cuts it: the whole paste is in the box
    assert len(name.input_value()) == 300
    assert count.inner_text() == "100 characters too many: at most 200. Shorten it before saving."
    check_accessibility(page, axe_source, "product form over the limit")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "This is 300 characters long; it can be at most 200." in page.locator("main").inner_text()
    assert len(page.locator("#id_name").input_value()) == 300
    assert not Product.objects.exists()


def test_site_staff_land_on_districts_at_both_sizes_and_it_meets_wcag_aa(page, axe_source, district_with_work):
    staff = make_user("staff", is_staff=True, first_name="Sam", last_name="Ortiz")
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    sign_in(page, "staff", PASSWORD)
    page.fill("input[name=code]", format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    assert page.url.endswith("/districts/")
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        assert page.evaluate(SIDEWAYS) <= 0
        check_accessibility(page, axe_source, f"districts at {size['width']} px")
    district = District.objects.get(slug="lakeview")
    page.goto(f"/districts/{district.pk}/people/")
    check_accessibility(page, axe_source, "a district's people, for staff")
    assert page.console_problems == []
