"""What every form with a name in it shares (see assetlens/names.py for why)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .names import clean_name


class NameField(forms.CharField):
    """A name field: direction control characters are taken out before the name is checked or kept.

    The length limit is checked on what is kept, and a name that is too long is an error that keeps what was
    typed (the page's character counter says so before saving); nothing is ever cut short without a word."""

    default_error_messages = {
        "max_length": _("This is %(show_value)d characters long; it can be at most %(limit_value)d. Shorten it "
                        "and save again: nothing was cut."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return clean_name(value)
