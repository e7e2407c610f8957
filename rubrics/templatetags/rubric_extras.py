from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

FIELD_LABELS = {
    "help_text": _("Help text"),
    "asset_example": _("Asset-based example"),
    "deficit_example": _("Deficit-based example"),
    "required": _("Required"),
    "allow_not_applicable": _("“Not applicable” allowed"),
    "description": _("Description"),
}


@register.filter
def field_label(name):
    """The words an admin sees for a field named in a version comparison."""
    return FIELD_LABELS.get(name, name)
