import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import reasons, safefetch
from .models import VendorPage

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")


class VendorPageForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of page"), choices=VendorPage.Kind.choices,
                             initial=VendorPage.Kind.LANDING)
    url = forms.CharField(label=_("Page address"), max_length=2000, strip=True,
                          help_text=_("The vendor's public page, e.g. https://example.com/families"),
                          error_messages={"required": _("Give the page's address, starting with https://"),
                                          "max_length": _("This address is too long (at most 2,000 characters).")})

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not SCHEME.match(url):
            url = f"https://{url}"  # people paste "example.com/page" or "example.com:8080/page"
        # What can be judged without the network is refused here, before anything is saved or fetched; a host
        # name is judged by the worker once resolved (and every redirect again).
        try:
            safefetch.check_url(url, settings.VENDORPAGES_ALLOWED_HOSTS)
        except safefetch.Refused as refused:
            raise forms.ValidationError(reasons.explain(refused.code, refused.detail), code=refused.code) from None
        if any(c in url for c in "\x00\r\n\t "):
            raise forms.ValidationError(_("This is not a web address. Use one that starts with https:// or http://."))
        return url
