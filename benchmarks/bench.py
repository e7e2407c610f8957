"""`make bench`: how fast AssetLens is at a realistic size, measured on loopback only.

1. A dedicated PostgreSQL database (BENCH_DATABASE_URL, default assetlens_bench) with the load data set
   (generate_load_data; BENCH_DISTRICTS / BENCH_PRODUCTS / BENCH_AUDITS, made once and reused).
2. gunicorn serves the app; wrk (BENCH_CONNECTIONS clients, BENCH_SECONDS per page, gzip accepted as by
   every browser) measures the trivial /ping/ view and the real pages in the same run: latency p50/p90/p99,
   requests per second, answers other than 200, and each page's median as a multiple of /ping/'s. Five
   passes: as served (a page seen again while nothing it shows changed comes from the page cache); as
   served while leaders of another district, then of the same one, save BENCH_WRITES_PER_SECOND answers a
   second; with pages always rendered, the cost of the first view after a change
   (PAGE_CACHE_WHOLE_PAGES=0); and with nothing kept at all (PAGE_CACHE=0).
3. Scoring throughput: audits per second through the pure audits.scoring.score.
4. Worker end-to-end latency: submit → scored, through Redis (BENCH_REDIS_URL) and a real celery worker.

Figures are printed, never asserted: the machine decides them.
"""

import contextlib
import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/assetlens_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SIZE = {name: int(os.environ.get(f"BENCH_{name.upper()}", default))
        for name, default in (("districts", 20), ("products", 2000), ("audits", 20000))}
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "3"))
E2E_SUBMITS = int(os.environ.get("BENCH_E2E_SUBMITS", "30"))
WRITES_PER_SECOND = int(os.environ.get("BENCH_WRITES_PER_SECOND", "20"))
BASE = f"http://127.0.0.1:{PORT}"


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
    os.environ.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE":
                       "assetlens.settings"})
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
            "audits": Audit.objects.filter(district__slug__startswith="load-").count()}
    if have["districts"] != SIZE["districts"] or have["audits"] != SIZE["audits"]:
        print(f"Generating load data {SIZE} (have {have}) …", flush=True)
        call_command("generate_load_data", replace=True, **SIZE)


def bench_objects():
    """The signed-in leader's pages: a draft's first section, a scored result, a comparison report if any."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from audits.models import Audit

    leader = get_user_model().objects.get(username="load-01-leader-1")
    draft = Audit.objects.filter(auditor=leader, status=Audit.Status.DRAFT).order_by("id").first()
    scored = Audit.objects.filter(auditor=leader, status=Audit.Status.SCORED).order_by("id").first()
    # /ping/ twice: bare, and with the session cookie (session, user and district lookups every page pays).
    pages = [("trivial /ping/", reverse("ping"), False), ("/ping/ signed in", reverse("ping"), True),
             ("dashboard", reverse("dashboard"), True),
             ("audit form (section 1)", reverse("audit_section", args=[draft.pk, 1]), True),
             ("result page", reverse("audit_result", args=[scored.pk]), True)]
    try:
        report = comparison_report(leader)
    except Exception as exc:  # noqa: BLE001 - the other pages are still worth measuring
        print(f"(No comparison report page measured: {exc.__class__.__name__}: {exc})")
        report = None
    if report is not None:
        pages.append(("comparison report", reverse("report_detail", args=[report.pk]), True))
    return leader, pages


def comparison_report(leader):
    """A ready report comparing 6 of the district's products (built in-process), or None without committees."""
    try:
        from assetlens.celery import app as celery_app
        from audits import committees
        from audits.models import Audit, Committee, CommitteeMember, ComparisonReport, Product
    except ImportError:
        return None
    district = leader.membership.district
    existing = ComparisonReport.objects.filter(district=district, committee__name="Bench committee",
                                               status=ComparisonReport.Status.READY).first()
    if existing is not None:
        return existing
    committee, _ = Committee.objects.get_or_create(district=district, name="Bench committee",
                                                   defaults={"created_by": leader})
    CommitteeMember.objects.get_or_create(committee=committee, user=leader)
    products = list(Product.objects.filter(district=district, audits__status=Audit.Status.SCORED)
                    .distinct().order_by("id")[:6])
    audits = list(Audit.objects.filter(product__in=products, status=Audit.Status.SCORED))
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # build it here, now; the worker benchmark comes later
    try:
        report = committees.request_comparison(committee, leader, products, audits)
    finally:
        celery_app.conf.task_always_eager = eager
    report.refresh_from_db()
    return report if report.status == ComparisonReport.Status.READY else None


def start_gunicorn(**extra_env):
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "ALLOWED_HOSTS": "127.0.0.1",
           **extra_env}
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
    process.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(username, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{BASE}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    try:
        opener.open(f"{BASE}/accounts/login/", data.encode())
    except urllib.error.HTTPError as exc:  # the 302 after signing in
        if exc.code != 302:
            raise
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "sessionid=" not in cookie:
        raise SystemExit("Could not sign in as the load leader")
    return cookie, opener


def check_page(opener, path):
    """Each page must answer 200 signed in; a redirect to sign in would make the figures meaningless."""
    try:
        response = opener.open(f"{BASE}{path}")
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{path} answered {exc.code}, not 200; fix that before benchmarking") from exc
    assert response.status == 200


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


def bench_pages(pages, cookie, title):
    print(f"\n{title}: wrk, {CONNECTIONS} clients, {SECONDS}s each, gunicorn --workers {GUNICORN_WORKERS}, "
          f"loopback", flush=True)
    header = f"{'page':<26}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'req/s':>9}{'non-200':>9}{'sock err':>9}"
    print(header + f"{'p50 / ping':>12}")
    baseline = None
    for name, path, signed_in in pages:
        run_wrk(path, cookie if signed_in else None, 2, 4)  # warm up templates, connections and caches
        f = run_wrk(path, cookie if signed_in else None, SECONDS, CONNECTIONS)
        baseline = baseline or f["p50"]
        print(f"{name:<26}{f['p50']:>9.1f}{f['p90']:>9.1f}{f['p99']:>9.1f}{f['rps']:>9.0f}{f['not_ok']:>9.0f}"
              f"{f['socket_errors']:>9.0f}{f['p50'] / baseline:>11.1f}x", flush=True)


@contextlib.contextmanager
def saving_answers(district_slug, per_second):
    """Leaders of `district_slug` at work meanwhile: one answer's notes saved `per_second` times a second, each
    save a write that moves that district's page generation (as a save through the page does)."""
    if district_slug is None:
        yield
        return
    from django.db import connection

    from assetlens import pagecache
    from audits.models import Answer

    stop, saved = threading.Event(), [0]

    def save():
        answer = Answer.objects.select_related("audit").filter(audit__district__slug=district_slug).first()
        while not stop.is_set():
            with pagecache.district_work(answer.audit.district_id):
                Answer.objects.filter(pk=answer.pk).update(notes=f"Bench note {saved[0]}")
            saved[0] += 1
            stop.wait(1 / per_second)
        connection.close()

    writer = threading.Thread(target=save, daemon=True)
    started = time.monotonic()
    writer.start()
    try:
        yield
    finally:
        stop.set()
        writer.join(timeout=10)
        print(f"({saved[0]} answers saved in {district_slug} meanwhile, "
              f"{saved[0] / (time.monotonic() - started):.1f}/s)", flush=True)


def bench_scoring(sample=2000, rounds=3):
    from collections import defaultdict

    from audits import scoring, services
    from audits.models import Answer, Audit

    audits = list(Audit.objects.filter(district__slug__startswith="load-", status=Audit.Status.SCORED)
                  .values_list("id", "rubric_version_id")[:sample])
    version = Audit.objects.get(pk=audits[0][0]).rubric_version
    criterion_specs, question_specs, _ = services.scoring_inputs(Audit.objects.get(pk=audits[0][0]))
    answers = defaultdict(list)
    for audit_id, question_id, level, na in Answer.objects.filter(audit_id__in=[a for a, _ in audits]).values_list(
            "audit_id", "question_id", "level", "not_applicable"):
        answers[audit_id].append(scoring.AnswerInput(question_id, level, na))
    inputs = [answers[a] for a, v in audits if v == version.pk]
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for audit_answers in inputs:
            scoring.score(criterion_specs, question_specs, audit_answers)
        best = min(best, time.perf_counter() - started)
    print(f"\nScoring throughput (pure audits.scoring.score, {len(question_specs)} questions, best of {rounds}): "
          f"{len(inputs) / best:,.0f} audits/s ({len(inputs)} audits in {best * 1000:.0f} ms)", flush=True)


def bench_worker(leader, submits):
    import redis
    from django.db import transaction

    from audits import services
    from audits.models import Answer, Audit

    redis.Redis.from_url(REDIS_URL).delete("celery", "unacked", "unacked_index")
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL}
    worker = subprocess.Popen([str(BIN / "celery"), "-A", "assetlens", "worker", "--concurrency=2",
                               "--loglevel=warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                              cwd=ROOT, env=env)
    template = Audit.objects.filter(auditor=leader, status=Audit.Status.SCORED).order_by("id").first()
    answers = list(Answer.objects.filter(audit=template).values("question_id", "level", "not_applicable", "notes"))
    created, latencies = [], []
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
                    raise SystemExit("An audit was not scored within 60 s; is Redis up at BENCH_REDIS_URL?")
                time.sleep(0.002)
            if i:  # the first one waits for the worker to start; leave it out
                latencies.append((time.perf_counter() - started) * 1000)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        Audit.objects.filter(pk__in=created).delete()
    latencies.sort()
    print(f"\nWorker end-to-end (submit committed → status scored, real worker via Redis, {len(latencies)} "
          f"submits one at a time): p50 {statistics.median(latencies):.0f} ms, "
          f"p90 {latencies[int(len(latencies) * 0.9) - 1]:.0f} ms, max {latencies[-1]:.0f} ms", flush=True)


def main():
    started = time.monotonic()
    ensure_database()
    setup_django()
    ensure_load_data()
    leader, pages = bench_objects()
    from django.db import connection

    from audits.models import Answer, Audit, Product

    print(f"AssetLens bench on {os.cpu_count()} CPUs, PostgreSQL {connection.pg_version // 10000}: "
          f"{SIZE['districts']} districts, {Product.objects.count()} products, {Audit.objects.count()} audits, "
          f"{Answer.objects.count()} answers; load average {os.getloadavg()[0]:.1f} before the run", flush=True)
    # As served: a page seen again while nothing it shows changed is kept (assetlens/pagecache.py). Then every
    # page rendered, as for the first view after a change in the district (sessions, people, rubric versions
    # and report sections still kept, as they are then); then with nothing kept at all.
    passes = [
        ("Pages as served (repeat views, nothing changed)", {}, None),
        (f"As served, while another district saves {WRITES_PER_SECOND} answers/s", {}, "load-02"),
        (f"As served, while the same district saves {WRITES_PER_SECOND} answers/s", {}, "load-01"),
        ("Pages rendered, as after a change in the district (PAGE_CACHE_WHOLE_PAGES=0)",
         {"PAGE_CACHE_WHOLE_PAGES": "0"}, None),
        ("Nothing kept at all (PAGE_CACHE=0)", {"PAGE_CACHE": "0"}, None),
    ]
    for title, env, writing_district in passes:
        server = start_gunicorn(**env)
        try:
            cookie, opener = sign_in(leader.username, "assetlens-load")
            for _, path, _ in pages:
                check_page(opener, path)
            with saving_answers(writing_district, WRITES_PER_SECOND):
                bench_pages(pages, cookie, title)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    bench_scoring()
    bench_worker(leader, E2E_SUBMITS)
    print(f"\nBench finished in {time.monotonic() - started:.0f}s.")


if __name__ == "__main__":
    main()
