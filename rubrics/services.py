from django.db.models import Q

from .models import Rubric, RubricVersion


def rubrics_for(district):
    """The rubrics a district may use: the shared ones and its own variants, never another district's."""
    return Rubric.objects.filter(Q(district__isnull=True) | Q(district=district))


def current_version_for(district):
    """The published version new audits in this district start on.

    A district's own variant wins over the shared default once it has a published version.
    """
    published = RubricVersion.objects.filter(status=RubricVersion.Status.PUBLISHED).select_related("rubric")
    own = published.filter(rubric__district=district).order_by("-published_at", "-number").first()
    if own is not None:
        return own
    return published.filter(rubric__district__isnull=True, rubric__is_default=True).order_by("-number").first()


def version_structure(version):
    """Criteria with their questions and levels, in order, in three queries."""
    criteria = list(version.criteria.order_by("order").prefetch_related("questions__levels"))
    return criteria
