"""The copy review inside the audit: the copy-and-tone section shows the reading, the result page the
advisory tone signal beside the leader's own rating."""

from django import template

from audits import tone_views

register = template.Library()


@register.inclusion_tag("audits/tone_audit_panel.html")
def copy_tone_panel(audit, criterion):
    """On the copy-and-tone section of an audit: the product's copy with findings in place."""
    if criterion.key != tone_views.COPY_CRITERION_KEY:
        return {"show": False}
    product = audit.product
    return {"show": True, "product": product, "review": tone_views.copy_review(product), "level": 2}


@register.inclusion_tag("audits/tone_advisory.html")
def copy_tone_advisory(audit, criteria_results):
    """On the result page: the tone index (advisory) next to the leader's copy-and-tone rating."""
    criteria = audit.rubric_version.criteria.all()
    rating = tone_views.copy_criterion_rating(criteria_results, criteria)
    if rating is None:
        return {"show": False}
    return {"show": True, "audit": audit, "product": audit.product, "rating": rating,
            "advisory": tone_views.advisory_for_product(audit.product)}
