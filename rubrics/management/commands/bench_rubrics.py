"""Print how long the rubric operations take on the default rubric (and on a rubric N times its size).

    python manage.py bench_rubrics --scale 10 --repeat 20

Nothing is kept: the writes run in a transaction that is rolled back.
"""

import copy
import json
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from rubrics import diff, serialization, services
from rubrics.models import Rubric


class Rollback(Exception):
    pass


def scaled(data, scale):
    """The rubric with every criterion repeated `scale` times under new keys."""
    big = copy.deepcopy(data)
    big["criteria"] = []
    for n in range(scale):
        for criterion in data["criteria"]:
            c = copy.deepcopy(criterion)
            c["key"] = f"{c['key']}-{n}"
            for q in c["questions"]:
                q["key"] = f"{q['key']}-{n}"
            big["criteria"].append(c)
    return big


class Command(BaseCommand):
    help = "Time export, validate, diff, import and start-draft for the rubric."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1)
        parser.add_argument("--repeat", type=int, default=10)

    def timed(self, label, func, repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            for _ in range(repeat):
                result = func()
        ms = (time.perf_counter() - start) * 1000 / repeat
        self.stdout.write(f"{label:<28} {ms:9.2f} ms   {len(queries) // repeat:5d} queries")
        return result

    def handle(self, *args, scale, repeat, **options):
        default = Rubric.objects.get(district__isnull=True, is_default=True).latest_published()
        data = scaled(services.version_data(default), scale)
        questions = sum(len(c["questions"]) for c in data["criteria"])
        raw = json.dumps(data).encode()
        self.stdout.write(f"rubric: {len(data['criteria'])} criteria, {questions} questions, {len(raw) // 1024} KB")
        changed = copy.deepcopy(data)
        changed["criteria"][0]["questions"][0]["prompt"] += " (reworded)"
        try:
            with transaction.atomic():
                data["name"] = "Benchmark rubric"
                version = self.timed("import (parse+validate+build)",
                                     lambda: self._import(raw, data), 1)
                self.timed("parse + validate", lambda: serialization.parse(raw), repeat)
                self.timed("export", lambda: serialization.export(version), repeat)
                self.timed("diff (pure)", lambda: diff.compare(data, changed), repeat)
                services.publish(version)
                self.timed("start draft (copy)", lambda: services.start_draft(version.rubric), 1)
                raise Rollback
        except Rollback:
            pass

    def _import(self, raw, data):
        parsed, problems = serialization.parse(raw)
        assert not problems, problems
        parsed["name"] = data["name"]
        return services.import_rubric(parsed, None)
