"""A real browser against the live server: Debian's Chromium driven by Playwright, and axe-core for accessibility.

Playwright's sync API runs an event loop in the test thread, and Django refuses ORM calls from a thread with a
running loop unless told it is safe; here the ORM calls are ordinary synchronous test setup, so it is.
"""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import json  # noqa: E402
import shutil  # noqa: E402
import sysconfig  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402

from tests.conftest import REQUIRE_REAL_STACK, make_user  # noqa: E402

CHROMIUM = Path(os.environ.get("ASSETLENS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# axe-core from npm (`make install` runs `npm install`); axe-playwright-python ships the same file as a fallback.
AXE_CANDIDATES = [
    Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js",
    Path(sysconfig.get_paths()["purelib"]) / "axe_playwright_python" / "axe.min.js",
]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "pw-for-tests-123"
NAVIGATED_AWAY = ("Execution context was destroyed", "reading 'documentElement'", "axe is not defined")


def unavailable(reason):
    """Locally a missing browser skips the browser tests; in CI, where they are required, it fails them."""
    if REQUIRE_REAL_STACK:
        pytest.fail(f"{reason} (required in CI: ASSETLENS_REQUIRE_REAL_STACK=1)")
    pytest.skip(reason)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def axe_source():
    for path in AXE_CANDIDATES:
        if path.exists():
            return path.read_text(encoding="utf-8")
    unavailable("axe-core is not installed: run `npm install --no-audit --no-fund` (or `make install`)")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM}: `apt-get install chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed: `make install`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def spanish_messages():
    """The Spanish catalogue compiled, so a Spanish page really is in Spanish and not the English fallback."""
    from django.core.management import call_command
    from django.utils.translation import trans_real

    if shutil.which("msgfmt") is None:
        unavailable("gettext's msgfmt is not installed: `apt-get install gettext` (or `make messages`)")
    call_command("compilemessages", locale=["es"], ignore=[".venv", "node_modules"], verbosity=0)
    trans_real._translations = {}  # forget any catalogue loaded before the .mo existed
    trans_real._default = None


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    # What the browser complains about is a finding: a CSP block, a script error, a missing file, a server error.
    # A 400 or 409 is not: the app answers a form with errors, or a stale autosave, that way on purpose.
    page.console_problems = []

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            page.console_problems.append(message.text)

    def on_response(response):
        if response.status >= 500 or (response.status == 404 and response.request.resource_type != "document"):
            page.console_problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.console_problems.append(str(exc)))
    page.on("response", on_response)
    yield page
    context.close()


def check_accessibility(page, axe_source, where=""):
    """axe-core's WCAG 2.2 AA rules on the page as it is now; a readable list of what is wrong if anything is.

    `evaluate` runs through the DevTools protocol, which the page's CSP (script-src 'self') does not govern,
    so the page under test keeps its real CSP and axe still loads.
    """
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        # A click that navigates returns once the new page has begun to load; axe reads the page once it has.
        page.wait_for_load_state()
        try:
            if not page.evaluate("() => typeof window.axe === 'object'"):
                page.evaluate(axe_source)
            result = page.evaluate(
                "async (tags) => await axe.run(document, "
                "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                WCAG_22_AA,
            )
            break
        except PlaywrightError as exc:
            # The document axe was reading went away under it (the navigation finished mid-run): read the new one.
            if attempt == 2 or not any(sign in str(exc) for sign in NAVIGATED_AWAY):
                raise
    violations = result["violations"]
    if violations:
        lines = [f"axe-core found {len(violations)} WCAG 2.2 AA problem(s) on {where or page.url}:"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            for node in v["nodes"][:5]:
                lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
        pytest.fail("\n".join(lines))
    return result


def sign_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.locator("#sign-in-button").click()
    page.wait_for_load_state()


def choose_language(page, code):
    """Use the switcher in the page header, as a person would."""
    page.select_option("#language-select", code)
    page.locator("#language-select").locator("xpath=..").locator("button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture(autouse=True)
def default_rubric(shared_rubric_reloaded):
    """Every browser test starts with the shared rubric a data migration loads, whatever ran before it."""


@pytest.fixture
def browser_leader(db):
    """A demo-style leader with a name, in a district of their own."""
    from assetlens.models import District, Membership

    district = District.objects.create(name="Lakeview Unified", slug="lakeview")
    return make_user("lakeview-leader", district, Membership.Role.LEADER, first_name="Rosa", last_name="Delgado")
