"""A report read in Spanish takes the rubric's words from its Spanish translations at render time: no stored English
criterion title, question or level name shows, and dates read as Spanish dates."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from committees.models import ComparisonReport
from rubrics.models import Criterion, Level, Question

from .test_report_scale import stored_report

pytestmark = pytest.mark.django_db


def test_a_spanish_reader_sees_the_rubrics_spanish_words_in_the_report_its_product_page_and_the_xlsx(
        client, committee, leader, version):
    client.force_login(leader)
    report = stored_report(committee, leader, version, 2, products=2)
    tone = {"tone_index": 1.0, "strength_count": 0, "finding_count": 1, "strengths": [],
            "findings": [{"matched": "falling behind", "message": "Warns that the learner is or will be “behind”"}]}
    result = report.result
    result["products"][0]["tone"] = tone
    ComparisonReport.objects.filter(pk=report.pk).update(result=result)
    criterion = Criterion.objects.filter(version=version).order_by("order").first()
    question = Question.objects.filter(criterion=criterion).order_by("order").first()
    level = Level.objects.filter(question=question).order_by("-value").first()
    spanish = criterion.translations["es"]["title"]
    assert spanish != criterion.title  # the default rubric carries Spanish

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert spanish in page and criterion.title not in page
    # Drawn once, the page in Spanish costs what it costs in English: the rubric's translations are not read again.
    with CaptureQueriesContext(connection) as again:
        second = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    unmasked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # each response masks the token anew
    assert unmasked.sub("", second) == unmasked.sub("", page)
    assert not [q["sql"] for q in again if "rubrics_" in q["sql"]]
    assert "Advierte de que el estudiante está o estará «atrasado»" in page and "Warns that" not in page
    assert "Clasificación" in page and "Puntuación sobre 100" in page
    # "built 4 de diciembre de 2026 a las 19:30": the reader's date format, month names in Spanish.
    with translation.override("es"):
        built = formats.date_format(timezone.localtime(report.finished_at), "DATETIME_FORMAT")
    assert f"built {built}" not in page and built in page and " de " in built
    product_id = result["products"][0]["id"]
    product_page = client.get(reverse("report_product", args=[report.pk, product_id])).content.decode()
    assert question.translations["es"]["prompt"] in product_page and question.prompt not in product_page
    assert level.translations["es"]["label"] in product_page and f"· {level.label}<" not in product_page

    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(client.get(reverse("report_xlsx", args=[report.pk])).content))
    assert book.sheetnames == ["Resumen", "Respuestas"]
    assert spanish in [cell.value for cell in book["Resumen"][1]]
