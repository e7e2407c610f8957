import zoneinfo
from functools import cache

from django import forms
from django.core.validators import validate_domain_name
from django.utils.translation import gettext_lazy as _

from .models import DistrictSignIn


class SchoolAccountForm(forms.Form):
    email = forms.EmailField(label=_("Your school email address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class SignInSettingsForm(forms.Form):
    provider = forms.ChoiceField(label=_("Single sign-on provider"), required=False,
                                 choices=[("", _("None: passwords only"))] + list(DistrictSignIn.Provider.choices))
    client_id = forms.CharField(label=_("Client ID"), max_length=191, required=False)
    # Never shown back: blank keeps the saved secret.
    secret = forms.CharField(label=_("Client secret"), max_length=191, required=False,
                             widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                             help_text=_("Leave blank to keep the secret already saved."))
    server_url = forms.URLField(label=_("Server URL (OpenID Connect only)"), required=False, max_length=255,
                                assume_scheme="https",
                                help_text=_("The issuer, e.g. https://launchpad.classlink.com or "
                                            "https://yourdistrict.okta.com"))
    tenant = forms.CharField(label=_("Tenant (Microsoft Entra ID only)"), required=False, max_length=100,
                             help_text=_("Your directory (tenant) ID: addresses are trusted only from your own "
                                         "directory."))
    domains = forms.CharField(label=_("Email domains of the district"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("One a line (or separated by commas), e.g. alder.k12.example"))
    auto_join_as_leader = forms.BooleanField(
        label=_("Anyone with a verified address at our domains joins as a district leader"), required=False)
    require_two_step_for_admins = forms.BooleanField(label=_("District admins must use two-step sign-in"),
                                                     required=False)

    def __init__(self, *args, has_secret=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret

    def clean_domains(self):
        domains = []
        for line in self.cleaned_data["domains"].replace(",", "\n").splitlines():
            domain = line.strip().lower().lstrip("@")
            if not domain:
                continue
            try:
                if len(domain) > 253:
                    raise forms.ValidationError("too long")
                validate_domain_name(domain)
            except forms.ValidationError:
                raise forms.ValidationError(_("“%(line)s” is not an email domain."), params={"line": line[:100]}) \
                    from None
            if domain not in domains:
                domains.append(domain)
        return domains

    def clean(self):
        data = super().clean()
        provider = data.get("provider")
        if provider:
            if not data.get("client_id"):
                self.add_error("client_id", _("Enter the client ID your provider gave you."))
            if not data.get("secret") and not self.has_secret:
                self.add_error("secret", _("Enter the client secret your provider gave you."))
            if provider == DistrictSignIn.Provider.OPENID_CONNECT and not data.get("server_url"):
                self.add_error("server_url", _("Enter your OpenID Connect server's address."))
            if provider == DistrictSignIn.Provider.MICROSOFT and data.get("tenant", "").strip().lower() in {
                    "", "common", "organizations", "consumers"}:
                self.add_error("tenant", _("Enter your directory (tenant) ID from the Entra admin center."))
            if not data.get("domains") and not self.errors.get("domains"):
                self.add_error("domains", _("Enter at least one email domain, so your people find your sign-in."))
        return data


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """The IANA zones this server knows, by region (America/Chicago), without the legacy aliases (US/Central)."""
    regions = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/",
               "Pacific/")
    names = sorted(n for n in zoneinfo.available_timezones() if n.startswith(regions)) + ["UTC"]
    return [(name, name.replace("_", " ")) for name in names]


class DistrictTimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=time_zone_choices,
        help_text=_("Every date and time your district's people see in AssetLens is shown in this zone, with its "
                    "abbreviation (for example CST)."))
