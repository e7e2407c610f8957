from django import template

from audits import version_move

register = template.Library()


@register.inclusion_tag("audits/_version_move_offer.html")
def version_move_offer(audit):
    """A banner on a draft audit when a newer rubric version is published for the district."""
    return {"audit": audit, "target": version_move.offer_for(audit)}
