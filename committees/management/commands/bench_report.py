"""Time a full-size comparison: 12 products × 3 audits on a 40-question rubric, build + PDF + page queries.

Runs in a throwaway district inside one transaction that is rolled back at the end, unless --keep.
"""

import json
import os
import time
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assetlens.models import District, Membership
from audits.models import Answer, Audit
from committees import selectors, services, tasks
from committees.models import Committee, CommitteeMember, ComparisonReport, ReportFile
from products.models import Product
from rubrics import serialization
from rubrics.models import Criterion, Level, Question, Rubric, RubricVersion

COPY = [
    "Don't let your child fall behind! Struggling students lose ground every week they wait. ",
    "Families record stories in their home language, and every book read is a milestone we celebrate. ",
]


class Took:
    """Wall-clock and this process's CPU seconds: on a busy shared machine the CPU figure is the steadier one."""

    def __init__(self, wall=0.0, cpu=0.0):
        self.wall, self.cpu = wall, cpu

    def __add__(self, other):
        return Took(self.wall + other.wall, self.cpu + other.cpu)

    def __str__(self):
        return f"{self.wall:.3f} s wall ({self.cpu:.3f} s CPU)"


@contextmanager
def timed():
    took = Took()
    wall, cpu = time.perf_counter(), time.process_time()
    yield took
    took.wall, took.cpu = time.perf_counter() - wall, time.process_time() - cpu


@contextmanager
def counting_queries():
    """Every SQL statement run inside, without DEBUG's query log (which stops growing at 9000 entries)."""
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def rubric_data(criteria, questions_per_criterion):
    return {
        "format": serialization.FORMAT, "name": f"Bench rubric {time.time_ns()}", "description": "",
        "criteria": [
            {"key": f"c{c}", "title": f"Criterion {c}", "weight": 1 + c % 3,
             "questions": [
                 {"key": f"q{q}", "prompt": f"Question {c}.{q}: how does the product build on what learners bring?",
                  "weight": 1 + q % 2,
                  "levels": [{"value": v, "label": f"Level {v}", "descriptor": f"Descriptor {v}"} for v in range(5)]}
                 for q in range(questions_per_criterion)
             ]}
            for c in range(criteria)
        ],
    }


class Command(BaseCommand):
    help = "Build a 12-product × 3-audit × 40-question comparison and print build time, PDF time and query counts."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=12)
        parser.add_argument("--audits", type=int, default=3, help="audits per product")
        parser.add_argument("--keep", action="store_true", help="keep the data instead of rolling it back")

    def handle(self, *args, products, audits, keep, **options):
        with transaction.atomic():
            district = self.run(products, audits)
            if not keep:
                for kept in ReportFile.objects.filter(report__district=district):
                    kept.file.delete(save=False)  # the rows go with the rolled-back data; the files must go too
                transaction.set_rollback(True)
                self.stdout.write("(throwaway data rolled back; use --keep to keep it)")

    def run(self, product_count, audits_per_product):
        User = get_user_model()
        stamp = time.time_ns()
        district = District.objects.create(name=f"Bench district {stamp}", slug=f"bench-{stamp}")
        auditors = []
        for i in range(audits_per_product):
            user = User.objects.create_user(username=f"bench-{stamp}-{i}", password=None)
            Membership.objects.create(user=user, district=district, role=Membership.Role.COMMITTEE_MEMBER)
            auditors.append(user)
        version = serialization.build(rubric_data(8, 5), Rubric=Rubric, RubricVersion=RubricVersion,
                                      Criterion=Criterion, Question=Question, Level=Level, district=district)
        questions = list(Question.objects.filter(criterion__version=version))
        committee = Committee.objects.create(district=district, name="Bench committee")
        for user in auditors:
            CommitteeMember.objects.create(committee=committee, user=user)

        products = [Product.objects.create(district=district, name=f"Product {p:02d}", vendor="Bench",
                                           marketing_copy=COPY[p % len(COPY)] * 20)
                    for p in range(product_count)]
        now = timezone.now()
        audit_rows = Audit.objects.bulk_create(
            Audit(district=district, product=product, rubric_version=version, auditor=user,
                  status=Audit.Status.SCORED, submitted_at=now, scored_at=now)
            for product in products for user in auditors
        )
        Answer.objects.bulk_create(
            Answer(audit=audit, question=q, level=(audit.pk + q.pk) % 5, notes=f"Notes on {q.key}",
                   evidence_quote="“Families read together.”", evidence_url="https://vendor.example/page")
            for audit in audit_rows for q in questions
        )
        self.stdout.write(f"Data: {product_count} products × {audits_per_product} audits × {len(questions)} "
                          f"questions = {len(audit_rows) * len(questions)} answers")

        def new_report(chosen):
            return services.request_comparison(
                committee, auditors[0], chosen, list(selectors.comparable_audits(district, chosen)))

        # Once per process, not per report: a worker compiles the tone rules when it starts
        # (report_tasks.load_tone_rules), and the first PDF in a web process imports WeasyPrint and loads fonts.
        with timed() as tone_startup:
            tasks.load_tone_rules()
        with timed() as pdf_startup:
            from weasyprint import HTML

            HTML(string="<p>.</p>").write_pdf()

        build_times = []
        for _ in range(2):
            large = new_report(products)
            with counting_queries() as build_queries:
                with timed() as took:
                    outcome = tasks.build(large.pk)
                build_times.append(took)
            assert outcome == "built", outcome
        cold_build, build_seconds = build_times
        small = new_report(products[:2])
        tasks.build(small.pk)

        client = Client()
        client.force_login(auditors[0])

        def page(report):
            with counting_queries() as queries:
                with timed() as took:
                    response = client.get(reverse("report_detail", args=[report.pk]))
            assert response.status_code == 200, response.status_code
            return len(queries), took, len(response.content)

        pdf_times = []
        for _ in range(2):  # the worker's part: lay out and keep the PDF (again: a fresh key)
            ComparisonReport.objects.filter(pk=large.pk).update(revision=F("revision") + 1)
            large.refresh_from_db()
            with timed() as took:
                assert tasks.build_report_pdf(large.pk, "en", []) == "built"
            pdf_times.append(took)
        cold_pdf, pdf_seconds = pdf_times
        with timed() as download_seconds:
            pdf = client.get(reverse("report_pdf", args=[large.pk]))
        assert pdf.getvalue().startswith(b"%PDF"), pdf.status_code
        small_queries, _, _ = page(small)
        large_queries, page_seconds, page_bytes = page(large)
        large.refresh_from_db()
        assert large.status == ComparisonReport.Status.READY

        self.stdout.write("Load average while measuring: " + ", ".join(f"{n:.2f}" for n in os.getloadavg())
                          + f" on {os.cpu_count()} CPUs")
        self.stdout.write(f"Once per process: compile tone rules {tone_startup}; import WeasyPrint {pdf_startup}")
        self.stdout.write(f"Build (worker's work: claim, load, read copy tone, compare, save): first {cold_build}, "
                          f"again {build_seconds}; {len(build_queries)} queries")
        self.stdout.write(f"PDF (worker: load, render HTML with chart, WeasyPrint, keep): first {cold_pdf}, "
                          f"again {pdf_seconds}; {len(pdf.getvalue()) // 1024} KiB; download from storage "
                          f"{download_seconds}")
        self.stdout.write(f"Build + PDF: first {cold_build + cold_pdf}, again {build_seconds + pdf_seconds}")
        self.stdout.write(f"Report page, {product_count} products: {large_queries} queries, {page_seconds}, "
                          f"{page_bytes // 1024} KiB")
        self.stdout.write(f"Report page, 2 products: {small_queries} queries")
        self.stdout.write(f"Result JSON: {len(json.dumps(large.result)) // 1024} KiB")
        return district
