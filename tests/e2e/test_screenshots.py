"""`manage.py screenshots` loads the demo data, serves the app and saves a PNG of each main page."""

import struct
import threading

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def png_size(path):
    with open(path, "rb") as fh:
        head = fh.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_screenshots_command_saves_the_main_pages_of_the_demo(browser, tmp_path):
    # `browser` makes this skip (or fail in CI) exactly as the other browser tests do. Its Playwright owns this
    # thread's event loop, so the command, which starts its own, runs in a thread of its own, as it would alone.
    failures = []

    def run():
        try:
            call_command("screenshots", output=str(tmp_path), language=["en"], size=[(1000, 700), (390, 844)])
        except Exception as exc:  # noqa: BLE001 - reported below, in the test's own thread
            failures.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=300)
    assert not worker.is_alive() and not failures, failures

    names = sorted(p.stem for p in tmp_path.glob("*.png"))
    for page in ("01-dashboard", "02-product", "03-audit-section", "04-audit-review", "05-audit-result",
                 "10-products"):
        assert page in names
    width, height = png_size(tmp_path / "05-audit-result.png")
    assert (width, height) == (1000, 700)
    # The phone pictures sit beside the desktop ones, at the phone's size (Chromium's device scale factor is 1).
    for page in ("01-dashboard", "10-products", "11-people"):
        assert f"{page}-phone" in names
    assert png_size(tmp_path / "01-dashboard-phone.png") == (390, 844)
