"""Rubric look-ups that pages and services share: which rubrics a district may use, which version new audits
start on, and a version's structure (criteria → questions → levels) in order."""

from collections import OrderedDict
from threading import Lock

from django.db.models import Case, Q, QuerySet, Value, When

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


def current_version_for(district: District) -> RubricVersion | None:
    """The published version new audits in this district start on.

    A district's own variant wins over the shared default once it has a published version.
    """
    # One query: the district's own published versions rank above the shared default's, newest first in each.
    return (RubricVersion.objects.filter(status=RubricVersion.Status.PUBLISHED)
            .filter(Q(rubric__district=district) | Q(rubric__district__isnull=True, rubric__is_default=True))
            .annotate(own=Case(When(rubric__district=district, then=Value(1)), default=Value(0)))
            .select_related("rubric").order_by("-own", "-published_at", "-number").first())


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
