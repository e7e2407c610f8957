"""Sign-in lockout, headers, production settings, uploads and spreadsheet exports."""

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assetlens.models import Membership
from tests.conftest import make_user
from tests.mailserver import free_port

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "ASSETLENS_PRODUCTION": "1",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "assetlens.district.example",
    "DEBUG": "0",
    "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",  # required in production
}


def production_env(**extra):
    # The browser tests allow sync ORM calls in their process; a production process never has that set.
    dev_only = {"DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {k: v for k, v in os.environ.items() if k not in dev_only} | PRODUCTION_ENV | extra


def run_with_production_env(*args, **extra):
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=production_env(**extra), capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """`collectstatic` with production settings into a folder of this run, as `make serve` and the image do."""
    folder = tmp_path_factory.mktemp("staticfiles")
    result = run_with_production_env("manage.py", "collectstatic", "--no-input", "-v0", STATIC_ROOT=str(folder))
    assert result.returncode == 0, result.stderr
    return folder


def wrong(client, login, address="10.1.1.1"):
    return client.post(reverse("login"), {"login": login, "password": "not-it"}, REMOTE_ADDR=address)


def right(client, login, address="10.1.1.1"):
    return client.post(reverse("login"), {"login": login, "password": "pw-for-tests-123"}, REMOTE_ADDR=address)


def minutes_pass(minutes):
    """Move every count's clock back, as if the time had passed (no sleeping in tests)."""
    from datetime import timedelta

    from django.db.models import F

    from accounts.models import SignInFailures

    SignInFailures.objects.update(first_failure_at=F("first_failure_at") - timedelta(minutes=minutes),
                                  last_failure_at=F("last_failure_at") - timedelta(minutes=minutes))


@pytest.mark.django_db
def test_five_wrong_passwords_pause_the_account_and_each_further_one_doubles_the_wait(client, district_a):
    make_user("maria", district_a, Membership.Role.LEADER, email="maria@alder.example")
    # Five free failures, by username or by email address: the same account either way.
    for login in ["maria", "maria@alder.example", "MARIA", "maria", "Maria@Alder.example"]:
        assert wrong(client, login).status_code == 200  # the form again, with its message
    # The sixth attempt waits one minute, even with the right password, on a page that explains.
    response = right(client, "maria")
    assert response.status_code == 429
    assert "Please wait a few minutes before signing in again" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # From any other address too: the lock is on the account, not on the address.
    assert right(client, "maria@alder.example", address="10.9.9.9").status_code == 429
    # A minute later one more guess is allowed; a wrong one now costs two minutes (then 4, 8, … up to 60).
    minutes_pass(1)
    assert wrong(client, "maria").status_code == 200
    minutes_pass(1)
    assert right(client, "maria").status_code == 429, "after the sixth failure the wait is two minutes"
    minutes_pass(1)
    response = right(client, "maria")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


@pytest.mark.django_db
def test_four_wrong_passwords_still_let_the_right_one_in_and_a_sign_in_clears_the_count(client, district_a):
    make_user("maria", district_a, Membership.Role.LEADER)
    for _ in range(4):
        wrong(client, "maria")
    response = right(client, "maria")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    client.post(reverse("logout"))  # signing out keeps the browser's cookie (client.logout() drops all)
    for _ in range(4):
        assert wrong(client, "maria").status_code == 200, "the count started again after signing in"


@pytest.mark.django_db
def test_someone_behind_the_same_school_address_cannot_lock_a_colleague_out(client, district_a):
    from django.test import Client

    make_user("maria", district_a, Membership.Role.LEADER)
    make_user("ana", district_a, Membership.Role.LEADER)
    school = "203.0.113.7"
    # Maria signed in on her own laptop before: it carries a signed cookie naming her account.
    assert right(client, "maria", school).status_code == 302
    client.post(reverse("logout"))  # signing out keeps the browser's cookie (client.logout() drops all)
    # A pupil on another computer at the same school guesses her password six times.
    pupil = Client()
    for _ in range(6):
        wrong(pupil, "maria", school)
    assert right(pupil, "maria", school).status_code == 429
    # Maria's laptop still gets in; so does Ana, whose account nobody guessed.
    assert right(client, "maria", school).status_code == 302
    assert right(Client(), "ana", school).status_code == 302


@pytest.mark.django_db
def test_spraying_many_names_from_one_address_pauses_new_browsers_there_for_fifteen_minutes(client, district_a):
    from django.test import Client

    make_user("maria", district_a, Membership.Role.LEADER)
    make_user("ana", district_a, Membership.Role.LEADER)
    assert right(client, "maria", "198.51.100.4").status_code == 302  # Maria's browser is known
    client.post(reverse("logout"))  # signing out keeps the browser's cookie (client.logout() drops all)
    sprayer = Client()
    # 30 failures in 15 minutes from one address (one guess each at 30 names: no account reaches its limit).
    for number in range(30):
        assert wrong(sprayer, f"teacher{number}", "198.51.100.4").status_code == 200
    response = right(sprayer, "ana", "198.51.100.4")
    assert response.status_code == 429 and "from your network" in response.content.decode()
    assert right(Client(), "ana", "192.0.2.9").status_code == 302, "other addresses are not affected"
    assert right(client, "maria", "198.51.100.4").status_code == 302, "a known browser is not affected"
    minutes_pass(15)
    assert right(Client(), "ana", "198.51.100.4").status_code == 302, "the window ends after 15 minutes"


@pytest.mark.django_db
def test_a_deactivated_person_is_refused_and_told_to_ask_their_district_admins(client, district_a):
    make_user("alder-admin", district_a, Membership.Role.DISTRICT_ADMIN, first_name="Rosa", last_name="Diaz",
              email="rosa@alder.example")
    make_user("maria", district_a, Membership.Role.LEADER, is_active=False)
    response = right(client, "maria")
    assert response.status_code == 403
    page = response.content.decode()
    assert "This account is switched off" in page and "Rosa Diaz" in page and "rosa@alder.example" in page
    assert "_auth_user_id" not in client.session
    # A wrong password tells a deactivated person nothing more than anyone else.
    assert "switched off" not in wrong(client, "maria").content.decode()


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_inline_scripts(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_pages_forbid_framing_and_sniffing(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_deploy_check_is_clean_with_production_settings(collected_static):
    result = run_with_production_env("manage.py", "check", "--deploy", "--fail-level", "WARNING",
                                     STATIC_ROOT=str(collected_static))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_http_only():
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'assetlens.settings'); django.setup();"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS > 0)"
    )
    result = run_with_production_env("-c", script)
    assert result.stdout.split() == ["True"] * 5, result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"ASSETLENS_PRODUCTION": "1"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_deploy_check_says_when_static_files_were_not_collected(tmp_path):
    result = run_with_production_env("manage.py", "check", "--deploy", STATIC_ROOT=str(tmp_path))
    assert result.returncode != 0 and "Static files are not collected" in result.stderr + result.stdout


def start_gunicorn(static_root, port):
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return subprocess.Popen(
        [gunicorn, "assetlens.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"], cwd=BASE_DIR,
        env=production_env(STATIC_ROOT=str(static_root), SECURE_SSL_REDIRECT="0", ALLOWED_HOSTS="127.0.0.1"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_production_web_server_refuses_to_start_without_collected_static_files_and_says_why(tmp_path):
    server = start_gunicorn(tmp_path, free_port())
    try:
        output, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert server.returncode != 0
    assert "Static files are not collected" in output and "collectstatic" in output


def test_production_web_server_with_collected_static_files_serves_pages(collected_static):
    port = free_port()
    server = start_gunicorn(collected_static, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
                    page = response.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert response.status == 200 and "/static/css/assetlens." in page  # the hashed name from the manifest
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


# --- Spreadsheet exports -----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)",
                                   "\tcmd"])
def test_export_cells_that_a_spreadsheet_would_run_are_shown_as_text(typed):
    from committees.exports import safe_cell

    assert safe_cell(typed) == "'" + typed


def test_export_a_formula_on_a_new_line_of_a_cell_is_shown_as_text_too():
    from committees.exports import safe_cell

    # The carriage return can start a new row where a spreadsheet splits lines: the "=" after it is escaped as well.
    assert safe_cell("\r=1") == "'\r'=1"


def test_export_keeps_ordinary_words_and_numbers_as_they_are():
    from committees.exports import safe_cell

    assert safe_cell("Builds on home languages") == "Builds on home languages"
    assert safe_cell(3) == 3
    assert safe_cell(None) == ""


# --- Rubric upload -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, district_admin):
    client.force_login(district_admin)
    return client


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.django_db
def test_rubric_upload_named_json_but_not_json_inside_is_refused_with_a_reason(admin_client):
    upload = SimpleUploadedFile("rubric.json", PNG_BYTES, content_type="application/json")
    response = admin_client.post(reverse("rubric_import"), {"file": upload})
    assert response.status_code == 400
    assert "not a text file in UTF-8" in response.content.decode()


@pytest.mark.django_db
def test_rubric_upload_over_one_megabyte_is_refused_before_it_is_read(admin_client):
    upload = SimpleUploadedFile("rubric.json", b"{" + b" " * (2 * 1024 * 1024) + b"}",
                                content_type="application/json")
    response = admin_client.post(reverse("rubric_import"), {"file": upload})
    assert response.status_code in {400, 413}
    assert "at most 1024 KB" in response.content.decode()


@pytest.mark.django_db
def test_a_pasted_paragraph_as_username_is_just_a_failed_sign_in(client):
    # Found by hypothesis on PostgreSQL when django-axes stored the whole name in a 255-character column and crashed;
    # the lockout now keys a name nobody has by its hash.
    response = client.post(reverse("login"), {"login": "x" * 6000, "password": "0"})
    assert response.status_code == 200
    assert "The username and/or password you specified are not correct" in response.content.decode()


@pytest.mark.django_db
def test_a_formula_typed_as_evidence_reaches_the_csv_download_as_text(client, product, version, leader):
    """End to end: a note a leader typed comes out of the committee's CSV without running in a spreadsheet."""
    import csv
    import io

    from audits import tasks
    from audits.models import Audit
    from committees import selectors as committee_selectors
    from committees import services as committee_services
    from committees import tasks as committee_tasks
    from committees.models import Committee, CommitteeMember
    from products.models import Product
    from tests.audits.helpers import answered_audit

    second = Product.objects.create(district=product.district, name="MathSprint")
    for each in (product, second):
        audit = answered_audit(each, version, leader, level=3)
        audit.answers.update(notes='=HYPERLINK("http://evil.example","Click")', evidence_quote="@SUM(A1:A9)")
        Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
        tasks.score_submitted_audit(audit.pk)
    committee = Committee.objects.create(district=product.district, name="Reading")
    CommitteeMember.objects.create(committee=committee, user=leader)
    chosen = [product, second]
    report = committee_services.request_comparison(committee, leader, chosen,
                                           list(committee_selectors.comparable_audits(product.district, chosen)))
    committee_tasks.build(report.pk)

    client.force_login(leader)
    response = client.get(reverse("report_csv", args=[report.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and all(row["notes"] == "'=HYPERLINK(\"http://evil.example\",\"Click\")" for row in rows)
    assert all(row["evidence_quote"] == "'@SUM(A1:A9)" for row in rows)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password/reset/", "/no-such-page/"])
def test_the_sign_in_and_error_pages_carry_the_sites_styles_scripts_and_language_form(client, url):
    """The header's links are kept per process (assetlens.context_processors): allauth's own pages put a "site" in
    their context, which must not hide them."""
    page = client.get(url).content.decode()
    assert 'href="/static/css/assetlens.css"' in page and 'src="/static/js/site.js"' in page
    assert 'action="/i18n/setlang/"' in page
