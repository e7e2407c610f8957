"""`make bench`: how much each AssetLens page costs at a realistic size, measured on loopback only.

Data: a dedicated PostgreSQL database (BENCH_DATABASE_URL, default assetlens_bench) holding the load data set
(generate_load_data; BENCH_DISTRICTS / BENCH_PRODUCTS / BENCH_AUDITS, made once and reused; `migrate` is run on it
first). The bench adds, once and by name, what some pages need: a "Bench committee" with the first load leader
(load-01-leader-1) on it, ready comparison reports of 6 and 12 products built in-process (BENCH_REBUILD_REPORTS=1
builds fresh ones, e.g. after the report format changed), and a "Bench product with long copy" (about 20 KB of
vendor copy, just within what is read inline as the page renders) with a draft audit of it. Kept report PDFs go to
BENCH_MEDIA_ROOT (default /tmp/assetlens-bench-media), not into the repository.

1. CPU per request, in-process: django.test.Client signed in with force_login, the app set up without Redis (tasks
   run eagerly, the cache is this process's memory). For each page, time.process_time() and wall time per request,
   interleaved as [/ping/, page 1, /ping/, page 2, ...] for BENCH_ROUNDS rounds (default 30; the first
   BENCH_WARMUP, default 5, discarded) so machine noise hits /ping/ and the pages alike. Printed: median CPU and
   wall ms, CPU as a multiple of signed-in /ping/'s median in the same run, SQL queries of one request, and bytes
   sent (gzip accepted, as by browsers) and rendered. The section save POSTs the section's saved answers with the
   current revision to the same draft each time, so it stays a draft. A page that raises or answers other than
   expected is shown as such in the table.
2. Latency under load: gunicorn (BENCH_GUNICORN_WORKERS sync workers, default 3, on 127.0.0.1:BENCH_PORT, default
   8765, with BENCH_REDIS_URL as its REDIS_URL, as in production) and wrk (BENCH_CONNECTIONS clients, default 50,
   BENCH_SECONDS per page, default 10) on each GET page of part 1: p50/p90/p99, requests per second, answers other
   than 200, and p50 as a multiple of signed-in /ping/'s. The session comes from a real sign-in. All the while,
   the other leaders of the same district save answers (the section form's autosave POST) through the same server
   at BENCH_WRITES_PER_SECOND in all (default 20), from BENCH_WRITERS threads (default 16), each on its own draft;
   the rate they reached is shown per page. Also per page: the CPU gunicorn's processes used, as a share of one
   CPU (a figure well under the worker count means other processes on the machine took the CPU) and per request
   served (wrk's and the saves together).
3. Scoring throughput: audits per second through the pure audits.scoring.score.
4. Worker end-to-end latency: submit → scored, through Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14)
   and a real celery worker, BENCH_E2E_SUBMITS submits (default 30) one at a time. Skipped if BENCH_REDIS_URL= .

BENCH_QUICK=1 runs part 1 only. Figures are printed, never asserted: the machine decides them. Every process the
bench starts (gunicorn, wrk, the worker) is stopped before it ends.
"""

import contextlib
import gzip
import http.cookiejar
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/assetlens_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SIZE = {name: int(os.environ.get(f"BENCH_{name.upper()}", default))
        for name, default in (("districts", 20), ("products", 2000), ("audits", 20000))}
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "3"))
WRITES_PER_SECOND = float(os.environ.get("BENCH_WRITES_PER_SECOND", "20"))
WRITERS = int(os.environ.get("BENCH_WRITERS", "16"))
E2E_SUBMITS = int(os.environ.get("BENCH_E2E_SUBMITS", "30"))
REBUILD_REPORTS = os.environ.get("BENCH_REBUILD_REPORTS", "") not in ("", "0")
MEDIA_ROOT = os.environ.get("BENCH_MEDIA_ROOT", "/tmp/assetlens-bench-media")  # kept report PDFs; not the repo's
BASE = f"http://127.0.0.1:{PORT}"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

LEADER = "load-01-leader-1"
COMMITTEE_NAME = "Bench committee"
LONG_COPY_PRODUCT = "Bench product with long copy"
BENCH_PREFIX = "Bench "  # products the bench adds to the load set; not counted as load data
GZIP = {"accept-encoding": "gzip, deflate, br, zstd"}


@dataclass
class Page:
    name: str
    path: str | None = None  # None: the page could not be set up; `problem` says why
    method: str = "GET"
    form: object = None  # for a POST: a function returning the form data, called outside the timing
    expect: int = 200
    expect_location: str = ""
    problem: str = ""
    cpu: list = field(default_factory=list)
    wall: list = field(default_factory=list)
    queries: int | None = None
    sent: int | None = None
    rendered: int | None = None


# --- Setting up -------------------------------------------------------------------------------------------


def check_loopback():
    for url in (DATABASE_URL, REDIS_URL):
        if url and urllib.parse.urlparse(url).hostname not in LOOPBACK:
            raise SystemExit(f"The bench only talks to loopback; {url} is not on 127.0.0.1.")


def ensure_database():
    import psycopg2

    parts = urllib.parse.urlparse(DATABASE_URL)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                            password=parts.password, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def setup_django():
    """In-process, the app runs without Redis: tasks run eagerly in-process, the cache is this process's memory."""
    os.environ.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": "", "MEDIA_ROOT": MEDIA_ROOT,
                       "ALLOWED_HOSTS": "127.0.0.1,testserver", "DJANGO_SETTINGS_MODULE": "assetlens.settings"})
    os.environ.pop("DEBUG", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_load_data():
    from django.core.management import call_command

    from assetlens.models import District
    from audits.models import Audit

    call_command("migrate", verbosity=0)
    have = {"districts": District.objects.filter(slug__startswith="load-").count(),
            "audits": Audit.objects.filter(district__slug__startswith="load-")
            .exclude(product__name__startswith=BENCH_PREFIX).count()}
    if have["districts"] != SIZE["districts"] or have["audits"] != SIZE["audits"]:
        print(f"Generating load data {SIZE} (have {have}) …", flush=True)
        call_command("generate_load_data", replace=True, **SIZE)


def long_copy(limit):
    """About `limit` characters of realistic vendor copy (the tone corpus's English sentences, in paragraphs)."""
    corpus = ROOT / "products" / "data" / "tone_corpus.tsv"
    sentences = [parts[2] for line in corpus.read_text(encoding="utf-8").splitlines()
                 if not line.startswith("#") and len(parts := line.split("\t")) >= 3 and parts[1] == "en"]
    text, i = "", 0
    while True:
        piece = sentences[i % len(sentences)] + ("\n\n" if i % 5 == 4 else " ")
        if len(text) + len(piece) > limit:
            return text.strip()
        text += piece
        i += 1


def ensure_long_copy_draft(leader):
    """A draft by the leader of a product with ~20 KB of copy, and the number of its copy-and-tone section."""
    from audits import services
    from audits.models import Audit
    from products import selectors as product_selectors
    from products.models import Product
    from rubrics.selectors import current_version_for, version_structure

    district = leader.membership.district
    copy = long_copy(min(20_000, product_selectors.INLINE_LIMIT))
    product, _ = Product.objects.get_or_create(district=district, name=LONG_COPY_PRODUCT, defaults={
        "vendor": "Bench vendor", "website": "https://bench.example", "purpose": "Benchmarking long copy.",
        "grade_bands": ["3-5"], "created_by": leader})
    if product.marketing_copy != copy:
        product.marketing_copy = copy
        product.save(update_fields=["marketing_copy", "updated_at"])
    draft = Audit.objects.filter(product=product, auditor=leader, status=Audit.Status.DRAFT).order_by("id").first()
    if draft is None:
        draft, _ = services.start_audit(product, current_version_for(district), leader)
    keys = [c.key for c in version_structure(draft.rubric_version)]
    if product_selectors.COPY_CRITERION_KEY not in keys:
        raise LookupError(f"the rubric has no {product_selectors.COPY_CRITERION_KEY!r} criterion")
    return draft, keys.index(product_selectors.COPY_CRITERION_KEY) + 1, len(copy)


def ensure_committee(leader):
    from committees.models import Committee, CommitteeMember

    committee, _ = Committee.objects.get_or_create(district=leader.membership.district, name=COMMITTEE_NAME,
                                                   defaults={"created_by": leader})
    CommitteeMember.objects.get_or_create(committee=committee, user=leader)
    return committee


def ensure_report(committee, leader, size):
    """A ready report of `size` products of the district with scored audits, built here in-process once. None of
    them is one the leader has a draft of, so nothing in it is hidden from them (blind until submitted)."""
    from django.db.models import Count

    from audits.models import Audit
    from committees import selectors, services, tasks
    from committees.models import ComparisonReport
    from products.models import Product

    ready = (committee.reports.filter(status=ComparisonReport.Status.READY).annotate(n=Count("products"))
             .filter(n=size).order_by("-id").first())
    if ready is not None and not REBUILD_REPORTS:
        return ready
    drafted = Audit.objects.filter(auditor=leader, status=Audit.Status.DRAFT).values("product_id")
    products = list(Product.objects.filter(district=committee.district, audits__status=Audit.Status.SCORED)
                    .exclude(name__startswith=BENCH_PREFIX).exclude(pk__in=drafted).distinct().order_by("id")[:size])
    if len(products) < size:
        raise LookupError(f"only {len(products)} products with scored audits")
    audits = list(selectors.comparable_audits(committee.district, products))
    report = services.request_comparison(committee, leader, products, audits)
    tasks.build(report.pk)  # "skipped": the eager enqueue at commit built it already
    report.refresh_from_db()
    if report.status != ComparisonReport.Status.READY:
        raise RuntimeError(f"report {report.pk} is {report.status}: {report.failure_message}")
    return report


def section_form(audit_id, number, note=None):
    """What the browser posts for a section: the saved answers, every text field, and the current revision."""
    from audits import selectors
    from audits.forms import initial_from_answers
    from audits.models import Audit
    from rubrics.selectors import version_structure

    audit = Audit.objects.select_related("rubric_version").get(pk=audit_id)
    questions = list(version_structure(audit.rubric_version)[number - 1].questions.all())
    initial = initial_from_answers(questions, selectors.answers_by_question(audit), audit.revision)
    data = {"revision": str(audit.revision), "action": "next"}
    for question in questions:
        for part in ("notes", "url", "quote"):
            data[f"q{question.id}-{part}"] = initial.get(f"q{question.id}-{part}") or ""
        if initial.get(f"q{question.id}-level"):
            data[f"q{question.id}-level"] = initial[f"q{question.id}-level"]
    if note is not None:
        data[f"q{questions[0].id}-notes"] = note
    return data


def attempt(pages, name, build):
    """Add the page(s) `build()` returns; if setting them up fails, a row that says why."""
    try:
        pages.extend(build())
    except Exception as exc:  # noqa: BLE001 - the other pages are still worth measuring
        pages.append(Page(name, problem=f"setup failed: {exc.__class__.__name__}: {exc}"[:200]))


def bench_pages(leader):
    """The pages measured, in order; the first is signed-in /ping/, the baseline."""
    from django.db.models import Count
    from django.urls import reverse

    from audits.models import Audit
    from products.models import Product

    district = leader.membership.district
    drafts = Audit.objects.filter(auditor=leader, status=Audit.Status.DRAFT).exclude(
        product__name__startswith=BENCH_PREFIX).order_by("id")
    scored = Audit.objects.filter(auditor=leader, status=Audit.Status.SCORED).order_by("id")
    pages = [Page("/ping/ signed in", reverse("ping")), Page("dashboard", reverse("dashboard"))]

    def product_page():
        product = (Product.objects.filter(district=district).exclude(name__startswith=BENCH_PREFIX)
                   .annotate(n=Count("audits")).order_by("-n", "id").first())
        return [Page(f"product page ({product.n} audits)", reverse("product_detail", args=[product.pk]))]

    def draft_pages():
        draft = drafts.first()
        section = reverse("audit_section", args=[draft.pk, 1])
        return [Page("audit section 1 (GET)", section),
                Page("audit section 1 save (POST)", section, method="POST", expect=302,
                     form=lambda: section_form(draft.pk, 1),
                     expect_location=reverse("audit_section", args=[draft.pk, 2])),
                Page("review page (draft)", reverse("audit_review", args=[draft.pk]))]

    def copy_section():
        draft, number, length = ensure_long_copy_draft(leader)
        return [Page(f"copy-and-tone section ({length / 1000:.0f} KB copy)",
                     reverse("audit_section", args=[draft.pk, number]))]

    def committee_pages():
        committee = ensure_committee(leader)
        rows = [Page("committee page", reverse("committee_detail", args=[committee.pk]))]
        reports = {}

        def report_page(name, url_name, size):
            def build():
                if size not in reports:
                    reports[size] = ensure_report(committee, leader, size)
                return [Page(name, reverse(url_name, args=[reports[size].pk]))]
            return build

        for name, url_name, size in (("report, 6 products", "report_detail", 6),
                                     ("report, 12 products", "report_detail", 12),
                                     ("report PDF, 12 products", "report_pdf", 12)):
            attempt(rows, name, report_page(name, url_name, size))
        return rows

    attempt(pages, "product page", product_page)
    attempt(pages, "audit section 1 (GET)", draft_pages)
    attempt(pages, "result page (scored)",
            lambda: [Page("result page (scored)", reverse("audit_result", args=[scored.first().pk])),
                     Page("result PDF (scored, kept)", reverse("audit_result_pdf", args=[scored.first().pk]))])
    attempt(pages, "copy-and-tone section", copy_section)
    attempt(pages, "committee page", committee_pages)
    return pages


# --- 1. CPU per request, in-process ---------------------------------------------------------------------


def timed_request(client, page):
    """One request: (response, body as sent, CPU ms, wall ms). A POST's form is made before the clock starts."""
    data = page.form() if page.form else None
    cpu, wall = time.process_time(), time.perf_counter()
    if page.method == "POST":
        response = client.post(page.path, data, headers=GZIP)
    else:
        response = client.get(page.path, headers=GZIP)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body, (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def check_response(page, response, body):
    """'' when the page answered as expected, else what it answered instead."""
    if response.status_code != page.expect:
        location = f" → {response.get('Location')}" if response.has_header("Location") else ""
        return f"HTTP {response.status_code}{location}"
    if page.expect_location and response.get("Location") != page.expect_location:
        return f"redirected to {response.get('Location')}"
    page.sent = len(body)
    page.rendered = len(gzip.decompress(body)) if response.get("Content-Encoding") == "gzip" else len(body)
    return ""


def measure(client, page, keep):
    try:
        response, body, cpu, wall = timed_request(client, page)
    except Exception as exc:  # noqa: BLE001 - a page that raises is shown as such
        page.problem = f"error: {exc.__class__.__name__}: {exc}"[:200]
        return
    page.problem = check_response(page, response, body)
    if keep and not page.problem:
        page.cpu.append(cpu)
        page.wall.append(wall)


def count_queries(client, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        measure(client, page, keep=False)
    if not page.problem:
        page.queries = len(captured.captured_queries)


def bench_cpu(leader, pages):
    from django.test import Client

    client = Client()
    client.force_login(leader)
    ping, others = pages[0], pages[1:]
    for page in pages:
        if not page.problem:
            measure(client, page, keep=False)  # first view: fills what pages keep, shows a page that errors
    print(f"\n1. CPU per request, in-process (django.test.Client as {leader.username}, PostgreSQL), "
          f"{ROUNDS} interleaved rounds, first {WARMUP} discarded", flush=True)
    started = time.monotonic()
    for round_number in range(ROUNDS):
        for page in others:
            if not page.problem:
                measure(client, ping, keep=round_number >= WARMUP)
                measure(client, page, keep=round_number >= WARMUP)
    for page in pages:
        if not page.problem:
            count_queries(client, page)
    base = statistics.median(ping.cpu) if ping.cpu else None
    print(f"{'page':<34}{'CPU ms':>9}{'wall ms':>9}{'CPU/ping':>10}{'queries':>9}{'bytes sent':>12}{'rendered':>10}")
    for page in pages:
        if page.problem or not page.cpu:
            print(f"{page.name:<34}  {page.problem or 'no samples'}")
            continue
        cpu, wall = statistics.median(page.cpu), statistics.median(page.wall)
        ratio = f"{cpu / base:>9.1f}x" if base else f"{'-':>10}"
        print(f"{page.name:<34}{cpu:>9.2f}{wall:>9.2f}{ratio}{page.queries if page.queries is not None else '-':>9}"
              f"{page.sent:>12,}{page.rendered:>10,}")
    print(f"({sum(len(p.cpu) for p in pages)} requests measured in {time.monotonic() - started:.0f}s; "
          f"/ping/ CPU ms p10–p90 {quantile(ping.cpu, 0.1):.2f}–{quantile(ping.cpu, 0.9):.2f})", flush=True)
    tone_note(leader)


def quantile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def tone_note(leader):
    """The page above shows a kept reading; this is what reading that copy costs when it is not kept."""
    from products import tone
    from products.models import Product

    product = Product.objects.filter(district=leader.membership.district, name=LONG_COPY_PRODUCT).first()
    if product is None:
        return
    tone.load_rules()
    cpu = time.process_time()
    tone.analyse(product.marketing_copy)
    print(f"(Reading the {len(product.marketing_copy):,}-character copy for tone, not kept: "
          f"{(time.process_time() - cpu) * 1000:.0f} ms CPU)", flush=True)


# --- 2. Latency under load: gunicorn + wrk --------------------------------------------------------------


def port_is_free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def start_gunicorn():
    if not port_is_free(PORT):
        raise SystemExit(f"127.0.0.1:{PORT} is already in use; set BENCH_PORT")
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "ALLOWED_HOSTS": "127.0.0.1"}
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "assetlens.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", str(GUNICORN_WORKERS),
         "--log-level", "warning"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{BASE}/ping/", timeout=5)
            return process
        except OSError:  # refused while booting, or slow to answer the first request
            time.sleep(0.3)
    stop_process(process)
    raise SystemExit("gunicorn did not start within 30 s")


def server_cpu_seconds(pid):
    """CPU seconds used so far by a process and its children (gunicorn's master and its workers), from /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (name)": state, ppid, …
        except (OSError, IndexError):
            continue  # a process that just ended
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def stop_process(process, timeout=30):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(username, password):
    """A real sign-in through the login form: (Cookie header, CSRF token, opener that keeps the cookies)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{BASE}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"login": username, "password": password, "csrfmiddlewaretoken": token})
    try:
        opener.open(f"{BASE}/accounts/login/", data.encode(), timeout=30)
    except urllib.error.HTTPError as exc:  # the 302 after signing in
        if exc.code != 302:
            raise
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"Could not sign in as {username}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), cookies.get("csrftoken", ""), opener


def served_status(opener, path):
    """'' when the page answers 200 signed in, else what it answered: such a page is not measured."""
    try:
        with opener.open(f"{BASE}{path}", timeout=60) as response:
            response.read()
            return "" if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        location = f" → {exc.headers.get('Location')}" if exc.headers.get("Location") else ""
        return f"HTTP {exc.code}{location}"
    except OSError as exc:
        return f"error: {exc}"


def run_wrk(path, cookie, seconds, connections):
    env = {**os.environ, "BENCH_COOKIE": cookie or ""}
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s",
         str(ROOT / "benchmarks" / "wrk_session.lua"), f"{BASE}{path}"],
        env=env, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    figures = {k: float(v) for k, v in (part.split("=") for part in line.split()[1:])}
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


@dataclass
class Writes:
    saved: int = 0
    failed: int = 0
    last_error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, ok, error=""):
        with self.lock:
            if ok:
                self.saved += 1
            else:
                self.failed += 1
                self.last_error = error


def writer_slots(leader):
    """Other leaders of the leader's district, each signed in for real, with one of their own drafts per writer."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from audits.management.commands.generate_load_data import LOAD_PASSWORD
    from audits.models import Audit

    others = list(get_user_model().objects.filter(membership__district=leader.membership.district,
                                                  username__contains="-leader-").exclude(pk=leader.pk)
                  .order_by("username"))
    sessions = {user.pk: sign_in(user.username, LOAD_PASSWORD)[:2] for user in others}
    drafts = {user.pk: list(Audit.objects.filter(auditor=user, status=Audit.Status.DRAFT).order_by("id")
                            .values_list("pk", flat=True)) for user in others}
    slots = []
    for i in range(WRITERS):
        user = others[i % len(others)]
        if i // len(others) < len(drafts[user.pk]):
            audit_id = drafts[user.pk][i // len(others)]
            cookie, csrf = sessions[user.pk]
            slots.append((cookie, csrf, reverse("audit_section", args=[audit_id, 1]),
                          section_form(audit_id, 1)))
    return slots


def save_loop(slot, interval, stop, writes):
    """One leader saving one draft's section 1 (as its autosave does), every `interval` seconds."""
    cookie, csrf, path, data = slot
    data = {**data, "autosave": "1"}
    next_at, n = time.monotonic(), 0
    notes_field = next(k for k in data if k.endswith("-notes"))
    while not stop.is_set():
        n += 1
        data[notes_field] = f"Bench note {n}"
        request = urllib.request.Request(f"{BASE}{path}", urllib.parse.urlencode(data).encode(),
                                         headers={"Cookie": cookie, "X-CSRFToken": csrf})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = json.loads(response.read())
            writes.count(bool(payload.get("saved")), "not saved")
        except urllib.error.HTTPError as exc:
            body = exc.read()
            payload = json.loads(body) if exc.headers.get_content_type() == "application/json" else {}
            writes.count(False, f"HTTP {exc.code} {payload or body[:80]!r}")
        except OSError as exc:
            payload = {}
            writes.count(False, str(exc))
        if "revision" in payload:
            data["revision"] = str(payload["revision"])
        next_at = max(next_at + interval, time.monotonic() - 1)  # behind schedule: catch up at most 1 s
        stop.wait(max(0.0, next_at - time.monotonic()))


@contextlib.contextmanager
def saving_answers(slots, per_second):
    writes, stop = Writes(), threading.Event()
    interval = len(slots) / per_second if per_second > 0 else None
    threads = [threading.Thread(target=save_loop, args=(slot, interval, stop, writes), daemon=True)
               for slot in slots] if interval else []
    for thread in threads:
        thread.start()
    try:
        yield writes
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=35)


def bench_wrk(leader, pages):
    from audits.management.commands.generate_load_data import LOAD_PASSWORD

    server = start_gunicorn()
    try:
        cookie, _, opener = sign_in(leader.username, LOAD_PASSWORD)
        slots = writer_slots(leader)
        print(f"\n2. Latency under load: wrk, {CONNECTIONS} clients, {SECONDS}s per page, gunicorn --workers "
              f"{GUNICORN_WORKERS}, loopback; meanwhile {len(slots)} other leaders' drafts in "
              f"{leader.membership.district.slug} saved at {WRITES_PER_SECOND:g}/s in all; load average "
              f"{os.getloadavg()[0]:.1f} before", flush=True)
        print(f"{'page':<34}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'req/s':>9}{'non-200':>9}{'sock err':>9}"
              f"{'writes/s':>10}{'p50/ping':>10}{'srv CPU%':>10}{'CPU ms/req':>11}")
        baseline = None
        with saving_answers(slots, WRITES_PER_SECOND) as writes:
            for page in pages:
                if page.method != "GET":
                    continue
                problem = "not set up" if page.path is None else served_status(opener, page.path)
                if problem:
                    print(f"{page.name:<34}  {page.problem or problem}", flush=True)
                    continue
                try:
                    run_wrk(page.path, cookie, 2, 4)  # warm up templates, connections and what pages keep
                    saved_before, started = writes.saved, time.monotonic()
                    cpu_before = server_cpu_seconds(server.pid)
                    f = run_wrk(page.path, cookie, SECONDS, CONNECTIONS)
                    cpu = server_cpu_seconds(server.pid) - cpu_before
                    elapsed = time.monotonic() - started
                    rate = (writes.saved - saved_before) / elapsed
                except (subprocess.SubprocessError, StopIteration, ValueError) as exc:
                    print(f"{page.name:<34}  wrk failed: {exc.__class__.__name__}: {exc}"[:200], flush=True)
                    continue
                baseline = baseline or f["p50"]
                print(f"{page.name:<34}{f['p50']:>9.1f}{f['p90']:>9.1f}{f['p99']:>9.1f}{f['rps']:>9.0f}"
                      f"{f['not_ok']:>9.0f}{f['socket_errors']:>9.0f}{rate:>10.1f}{f['p50'] / baseline:>9.1f}x"
                      f"{cpu / elapsed * 100:>9.0f}%{cpu * 1000 / (f['requests'] + rate * elapsed):>11.1f}",
                      flush=True)
        print(f"({writes.saved} answers saved meanwhile, {writes.failed} not saved"
              f"{f'; last: {writes.last_error}' if writes.failed else ''}; load average {os.getloadavg()[0]:.1f} "
              f"after)", flush=True)
    finally:
        stop_process(server)


# --- 3. Scoring throughput ------------------------------------------------------------------------------


def bench_scoring(sample=2000, rounds=3):
    from collections import defaultdict

    from audits import scoring, selectors
    from audits.models import Answer, Audit

    audits = list(Audit.objects.filter(district__slug__startswith="load-", status=Audit.Status.SCORED)
                  .values_list("id", "rubric_version_id")[:sample])
    first = Audit.objects.select_related("rubric_version").get(pk=audits[0][0])
    criterion_specs, question_specs, _ = selectors.scoring_inputs(first)
    answers = defaultdict(list)
    for audit_id, question_id, level, na in Answer.objects.filter(audit_id__in=[a for a, _ in audits]).values_list(
            "audit_id", "question_id", "level", "not_applicable"):
        answers[audit_id].append(scoring.AnswerInput(question_id, level, na))
    inputs = [answers[a] for a, v in audits if v == first.rubric_version_id]
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for audit_answers in inputs:
            scoring.score(criterion_specs, question_specs, audit_answers)
        best = min(best, time.perf_counter() - started)
    print(f"\n3. Scoring throughput (pure audits.scoring.score, {len(question_specs)} questions, best of {rounds}): "
          f"{len(inputs) / best:,.0f} audits/s ({len(inputs)} audits in {best * 1000:.0f} ms)", flush=True)


# --- 4. Worker end-to-end latency -----------------------------------------------------------------------


def bench_worker(leader, submits):
    if not REDIS_URL:
        print("\n4. Worker end-to-end: skipped (BENCH_REDIS_URL is empty)")
        return
    import redis
    from django.db import transaction

    from assetlens.celery import app as celery_app
    from audits import services
    from audits.models import Answer, Audit

    # Messages left by earlier runs (e.g. PDFs gunicorn asked for above) would be worked through first.
    redis.Redis.from_url(REDIS_URL).delete("celery", "unacked", "unacked_index")
    # This process ran tasks eagerly so far (set up without Redis); from here on it publishes them to Redis.
    celery_app.conf.update(task_always_eager=False, broker_url=REDIS_URL)
    # Connections made so far were to the in-process broker; without closing them the submits below would be
    # published there, where no worker listens.
    celery_app.close()
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL}
    log = tempfile.NamedTemporaryFile("w+", prefix="assetlens-bench-worker-", suffix=".log", delete=False)
    worker = subprocess.Popen([str(BIN / "celery"), "-A", "assetlens", "worker", "--concurrency=2",
                               "--loglevel=info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    # A product the leader holds no draft of: each timed audit is a draft for a moment (one per person and product).
    drafting = Audit.objects.filter(auditor=leader, status=Audit.Status.DRAFT).values("product_id")
    template = (Audit.objects.filter(auditor=leader, status=Audit.Status.SCORED).exclude(product_id__in=drafting)
                .order_by("id").first())
    answers = list(Answer.objects.filter(audit=template).values("question_id", "level", "not_applicable", "notes"))
    created, latencies, kept_log = [], [], False
    try:
        for i in range(submits + 1):
            audit = Audit.objects.create(district=template.district, product=template.product,
                                         rubric_version=template.rubric_version, auditor=leader)
            created.append(audit.pk)
            Answer.objects.bulk_create(Answer(audit=audit, **a) for a in answers)
            with transaction.atomic():
                services.submit(audit)
            started = time.perf_counter()  # the commit just published the task
            deadline = started + 60
            while Audit.objects.values_list("status", flat=True).get(pk=audit.pk) != Audit.Status.SCORED:
                if time.perf_counter() > deadline:
                    log.seek(0)
                    tail = "".join(log.readlines()[-15:])
                    print(f"\n4. Worker end-to-end: audit {audit.pk} was not scored within 60 s (published to "
                          f"{celery_app.connection_for_write().as_uri()}). The worker's log ({log.name}) ends:\n"
                          f"{tail}", flush=True)
                    kept_log = True
                    return
                time.sleep(0.002)
            if i:  # the first one waits for the worker to start; leave it out
                latencies.append((time.perf_counter() - started) * 1000)
    finally:
        stop_process(worker)
        log.close()
        if not kept_log:  # kept only to read why an audit was not scored
            os.unlink(log.name)
        Audit.objects.filter(pk__in=created).delete()
    latencies.sort()
    print(f"\n4. Worker end-to-end (submit committed → status scored, real worker via Redis, {len(latencies)} "
          f"submits one at a time): p50 {statistics.median(latencies):.0f} ms, "
          f"p90 {latencies[int(len(latencies) * 0.9) - 1]:.0f} ms, max {latencies[-1]:.0f} ms", flush=True)


def main():
    started = time.monotonic()
    check_loopback()
    ensure_database()
    setup_django()
    ensure_load_data()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from audits.models import Answer, Audit
    from products.models import Product

    leader = get_user_model().objects.select_related("membership__district").get(username=LEADER)
    print(f"AssetLens bench on {os.cpu_count()} CPUs, PostgreSQL {connection.pg_version // 10000}, "
          f"Redis for parts 2 and 4 {REDIS_URL or 'off'}: {SIZE['districts']} districts, "
          f"{Product.objects.count()} products, {Audit.objects.count()} audits, {Answer.objects.count()} answers; "
          f"load average {os.getloadavg()[0]:.1f} before the run", flush=True)
    pages = bench_pages(leader)
    bench_cpu(leader, pages)
    if not QUICK:
        bench_wrk(leader, pages)
        bench_scoring()
        bench_worker(leader, E2E_SUBMITS)
    print(f"\nBench finished in {time.monotonic() - started:.0f}s; load average {os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    main()
