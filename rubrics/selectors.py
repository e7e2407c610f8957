"""Rubric look-ups that pages and services share: which rubrics a district may use, which version new audits
start on, and a version's structure (criteria → questions → levels) in order."""

from collections import OrderedDict
from threading import Lock

from django.db import connection
from django.db.models import Q, QuerySet

from assetlens.models import District

from .models import Criterion, Rubric, RubricVersion

# Published versions are frozen (rubrics.models refuses to save their parts), so their structure can stay in
# memory for the life of the process, keyed by id and publication time: a key that can never mean other content.
_PUBLISHED_KEPT = 64
_published: "OrderedDict[tuple, list[Criterion]]" = OrderedDict()
_published_lock = Lock()


def rubrics_for(district: District) -> QuerySet[Rubric]:
    """The rubrics a district may use: the shared ones and its own variants, never another district's."""
    return Rubric.objects.filter(Q(district__isnull=True) | Q(district=district))


def current_version_id_for(district: District) -> int | None:
    """The id of the published version new audits in this district start on: the district's own variant once it
    has a published version (newest first), else the shared default's newest. One plain statement: pages that
    only need to know whether a draft is still current (every audit section) ask this on every view."""
    versions, rubrics = RubricVersion._meta.db_table, Rubric._meta.db_table
    sql = (f"SELECT v.id FROM {versions} v JOIN {rubrics} r ON r.id = v.rubric_id "
           "WHERE v.status = %s AND (r.district_id = %s OR (r.district_id IS NULL AND r.is_default = %s)) "
           "ORDER BY CASE WHEN r.district_id = %s THEN 1 ELSE 0 END DESC, v.published_at DESC, v.number DESC "
           "LIMIT 1")
    with connection.cursor() as cursor:
        cursor.execute(sql, [RubricVersion.Status.PUBLISHED.value, district.pk, True, district.pk])
        row = cursor.fetchone()
    return None if row is None else row[0]


def current_version_for(district: District) -> RubricVersion | None:
    """The published version new audits in this district start on (see current_version_id_for)."""
    version_id = current_version_id_for(district)
    return None if version_id is None else RubricVersion.objects.select_related("rubric").get(pk=version_id)


def _load_structure(version: RubricVersion) -> list[Criterion]:
    return list(version.criteria.order_by("order").prefetch_related("questions__levels"))


def version_structure(version: RubricVersion) -> list[Criterion]:
    """Criteria with their questions and levels, in order: three queries for a draft, none for a published
    version seen before by this process. Read-only: callers get their own list, shared rows."""
    if not version.is_published or version.published_at is None:
        return _load_structure(version)
    key = (version.pk, version.published_at.isoformat())
    with _published_lock:
        kept = _published.get(key)
        if kept is not None:
            _published.move_to_end(key)
            return list(kept)
    kept = _load_structure(version)
    with _published_lock:
        _published[key] = kept
        while len(_published) > _PUBLISHED_KEPT:
            _published.popitem(last=False)
    return list(kept)
