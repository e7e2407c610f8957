"""Rubric look-ups that pages and services share: which rubrics a district may use, which version new audits
start on, and a version's structure (criteria → questions → levels) in order."""

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from django.db import connection
from django.db.models import Q, QuerySet

from assetlens.models import District
from audits.models import Audit

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


@dataclass(frozen=True)
class PublishReach:
    """Who a draft reaches once published: what a keeper is told before pressing "Publish"."""

    district_count: int  # districts whose new audits will start on it
    drafts_offered: int  # draft audits in those districts whose auditors will be offered the move to it
    replaces: RubricVersion | None  # the version those new audits start on today (for a single district)


def _districts_reached(version: RubricVersion) -> QuerySet[District]:
    rubric = version.rubric
    if rubric.district_id is not None:
        # A district's own variant, once published, is what its new audits use (see current_version_id_for).
        return District.objects.filter(pk=rubric.district_id)
    if rubric.is_default:
        return District.objects.exclude(rubrics__versions__status=RubricVersion.Status.PUBLISHED).distinct()
    return District.objects.none()


def publish_reach(version: RubricVersion) -> PublishReach:
    districts = _districts_reached(version)
    rubric = version.rubric
    if rubric.district_id is not None:
        replaces = current_version_for(rubric.district) if rubric.district else None
    else:
        replaces = rubric.latest_published()
    return PublishReach(
        district_count=districts.count(),
        drafts_offered=Audit.objects.filter(district__in=districts, status=Audit.Status.DRAFT)
        .exclude(rubric_version=version).count(),
        replaces=replaces,
    )


def in_use_for_new_audits(district: District | None) -> dict[int, int]:
    """Version id → how many districts' new audits start on it: for one district, just its current version;
    for site staff (no district), every district's. Two queries at any number of districts."""
    if district is not None:
        version_id = current_version_id_for(district)
        return {} if version_id is None else {version_id: 1}
    published = (
        RubricVersion.objects.filter(status=RubricVersion.Status.PUBLISHED)
        .filter(Q(rubric__district__isnull=False) | Q(rubric__is_default=True))
        # The same choice as current_version_id_for: newest publication first, then the highest number.
        .order_by("-published_at", "-number").values_list("pk", "rubric__district_id")
    )
    newest: dict[int | None, int] = {}
    for pk, district_id in published:
        newest.setdefault(district_id, pk)
    counts: dict[int, int] = {}
    for owner, pk in newest.items():
        if owner is not None:
            counts[pk] = counts.get(pk, 0) + 1
    default_id = newest.get(None)
    without_own = District.objects.count() - (len(newest) - (default_id is not None))
    if default_id is not None and without_own:
        counts[default_id] = counts.get(default_id, 0) + without_own
    return counts


def rubric_kept_with_key(key: str | None, district: District | None) -> Rubric | None:
    """The rubric with this key among those an import into `district` may add a version to: the district's own
    (for site staff with no district, the shared ones). Another district's rubric is never found."""
    if not key:
        return None
    return Rubric.objects.filter(district=district, key=key).first()
