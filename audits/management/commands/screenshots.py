"""Screenshots of the main pages for the README, taken from the demo data in a real browser.

    python manage.py screenshots                 # English and Spanish, desktop and phone, into docs/screenshots/
    python manage.py screenshots --language en --size 1280x800

Each page is taken at every --size (default 1280×800, a laptop, and 390×844, a phone); a phone-sized picture's
name ends in "-phone" (01-dashboard-phone.png), so the README's desktop pictures keep their names.

Loads the demo data (`seed_demo`, safe to run twice), serves the app on a free local port in a thread, signs in
as the demo people and saves a PNG of each page. Pages that do not exist in this install are left out.
"""

import argparse
import io
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler, get_internal_wsgi_application
from django.urls import NoReverseMatch, reverse

from assetlens.models import District
from audits.models import Audit
from committees.models import ComparisonReport
from products.models import Product
from rubrics.selectors import current_version_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_PASSWORD = "assetlens-demo"
SIZES = ["1280x800", "390x844"]
PHONE_WIDTH = 576  # below this the header folds and tables stack (static/css/assetlens.css)


@dataclass
class Shot:
    name: str
    username: str
    path: str
    language: str = "en"
    full_page: bool = False


def _size(text):
    """"390x844" → (390, 844)."""
    try:
        width, height = (int(n) for n in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 390x844") from exc
    if not (200 <= width <= 4000 and 200 <= height <= 4000):
        raise argparse.ArgumentTypeError(f"{text!r}: width and height go from 200 to 4000")
    return width, height


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def plan(languages):
    """Every screenshot as (who, which page); looked up before the browser starts, so the ORM stays synchronous."""
    shots = []
    leader, committee, admin = "riverbend-leader", "riverbend-committee", "riverbend-admin"
    scored = Audit.objects.filter(
        district__slug="riverbend", status="scored", product__name="ReadAlong Stories").first()
    draft = Audit.objects.filter(district__slug="riverbend", status="draft").first()
    pitch = Product.objects.filter(district__slug="riverbend", name="MathSprint").first()
    for lang in languages:
        suffix = "" if lang == "en" else f"-{lang}"
        shots.append(Shot(f"01-dashboard{suffix}", leader, reverse("dashboard"), lang))
        if pitch:
            shots.append(Shot(f"02-product{suffix}", leader, reverse("product_detail", args=[pitch.pk]), lang))
        if draft:
            shots.append(Shot(f"03-audit-section{suffix}", leader, reverse("audit_section", args=[draft.pk, 1]), lang))
            shots.append(Shot(f"04-audit-review{suffix}", leader, reverse("audit_review", args=[draft.pk]), lang))
        if scored:
            shots.append(Shot(f"05-audit-result{suffix}", leader, reverse("audit_result", args=[scored.pk]), lang))
    shots.append(Shot("06-committees", committee, _url("committee_list")))
    shots.append(Shot("10-products", leader, _url("product_list")))
    shots.append(Shot("11-people", admin, _url("people_list")))
    report = ComparisonReport.objects.filter(district__slug="riverbend").order_by("-id").first()
    if report is not None:
        shots.append(Shot("07-comparison-report", committee, reverse("report_detail", args=[report.pk])))
    shots.append(Shot("08-rubrics", admin, _url("rubric_list")))
    version = current_version_for(District.objects.filter(slug="riverbend").first())
    if version is not None:
        shots.append(Shot("09-rubric-version", admin, _url("rubric_version", version.pk)))
    return [shot for shot in shots if shot.path]


class Command(BaseCommand):
    help = "Take screenshots of the main pages (from the demo data) into docs/screenshots/."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs" / "screenshots"))
        parser.add_argument("--language", action="append", choices=[code for code, _ in settings.LANGUAGES],
                            help="Take the leader's pages in this language (repeatable; default: every language).")
        parser.add_argument("--size", action="append", type=_size, metavar="WIDTHxHEIGHT",
                            help=f"Viewport size (repeatable; default: {' and '.join(SIZES)}).")

    def handle(self, *args, output, language, size, **options):
        sizes = size or [_size(s) for s in SIZES]
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise CommandError("Playwright is not installed: run `make install`.") from exc
        if not Path(CHROMIUM).exists():
            raise CommandError(f"Chromium is not installed at {CHROMIUM}: `apt-get install chromium`.")
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)

        call_command("seed_demo", stdout=io.StringIO())
        shots = plan(language or [code for code, _ in settings.LANGUAGES])

        server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
        server.set_app(get_internal_wsgi_application())
        base = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started = time.monotonic()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                contexts = {}
                for width, height in sizes:
                    suffix = "-phone" if width < PHONE_WIDTH else ""
                    for shot in shots:
                        page = contexts.get((shot.username, shot.language))
                        if page is None:
                            page = self._signed_in_page(browser, base, shot)
                            contexts[(shot.username, shot.language)] = page
                        page.set_viewport_size({"width": width, "height": height})
                        response = page.goto(base + shot.path)
                        if response is None or response.status != 200:
                            self.stderr.write(f"skipped {shot.name}: {shot.path} answered "
                                              f"{response.status if response else 'nothing'}")
                            continue
                        page.wait_for_load_state("networkidle")
                        target = out / f"{shot.name}{suffix}.png"
                        page.screenshot(path=str(target), full_page=shot.full_page)
                        self.stdout.write(f"{target}")
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
        self.stdout.write(self.style.SUCCESS(
            f"{len(list(out.glob('*.png')))} screenshots in {out} ({time.monotonic() - started:.1f} s)"))

    def _signed_in_page(self, browser, base, shot):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=shot.language)
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": shot.language, "url": base}])
        page = context.new_page()
        page.goto(base + reverse("login"))
        page.fill("#id_login", shot.username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.locator("#sign-in-button").click()
        page.wait_for_load_state()
        if "/accounts/login/" in page.url:
            raise CommandError(f"Could not sign in as {shot.username}; is the demo password {DEMO_PASSWORD}?")
        return page
