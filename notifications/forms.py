from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Delivery, Kind


class PreferencesForm(forms.Form):
    """One choice per kind: email now, daily digest, or in AssetLens only."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, initial=current.get(kind.value),
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": _("Choose how to hear about this."),
                                "invalid_choice": _("Choose one of the three ways to hear about this.")})
