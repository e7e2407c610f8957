import re

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assetlens.forms import NameField
from assetlens.models import Membership
from committees.models import Committee

from .selectors import STATUSES

MAX_ADDRESSES = 100
# Addresses are pasted from spreadsheets and mail clients: one a line, or separated by commas or semicolons.
SEPARATORS = re.compile(r"[,;]")
# "Ana Ruiz <ana@alder.example>" as a mail client copies it: the address between the angle brackets.
NAMED_ADDRESS = re.compile(r"^[^<>]*<\s*([^<>\s]+)\s*>$")


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """The addresses in a pasted list (lower-cased, each once, in order) and a message naming each bad entry."""
    addresses: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for item in SEPARATORS.split(line):
            item = item.strip()
            if not item:
                continue
            named = NAMED_ADDRESS.match(item)
            address = (named.group(1) if named else item).lower()
            try:
                if len(address) > 254:
                    raise ValidationError("too long")
                validate_email(address)
            except ValidationError:
                problems.append(str(_("Line %(line)s: “%(entry)s” is not an email address.")
                                    % {"line": number, "entry": item[:80]}))
                continue
            if address not in addresses:
                addresses.append(address)
    return addresses, problems


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"), widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off"}),
        max_length=30000,
        help_text=_("One or many: one a line, or separated by commas. Each person gets their own link."),
        error_messages={"required": _("Paste at least one email address.")},
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, widget=forms.RadioSelect,
                             initial=Membership.Role.LEADER,
                             error_messages={"required": _("Choose the role they will have."),
                                             "invalid_choice": _("Choose one of the roles listed.")})
    committees = forms.ModelMultipleChoiceField(
        label=_("Committees (optional)"), queryset=Committee.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They join these committees when they accept."),
        error_messages={"invalid_choice": _("Choose among your district's committees."),
                        "invalid_pk_value": _("Choose among your district's committees.")},
    )
    language = forms.ChoiceField(label=_("Language of the email"), choices=settings.LANGUAGES,
                                 initial=settings.LANGUAGE_CODE,
                                 error_messages={"invalid_choice": _("Choose one of the languages listed."),
                                                 "required": _("Choose the language of the email.")})

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        # The email speaks the admin's language unless they choose another.
        if translation.get_language() in dict(settings.LANGUAGES):
            self.fields["language"].initial = translation.get_language()
        committees = Committee.objects.filter(district=district).order_by("name")
        if committees.exists():
            self.fields["committees"].queryset = committees
        else:
            del self.fields["committees"]  # nothing to choose from: no empty heading on the form
        self.helper = _helper()

    def clean_emails(self):
        addresses, problems = parse_addresses(self.cleaned_data["emails"])
        if problems:
            raise ValidationError(problems)
        if not addresses:
            raise ValidationError(_("Paste at least one email address."))
        if len(addresses) > MAX_ADDRESSES:
            raise ValidationError(ngettext("Invite at most %(n)s person at a time.",
                                           "Invite at most %(n)s people at a time.", MAX_ADDRESSES)
                                  % {"n": MAX_ADDRESSES})
        return addresses


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("Choose a role."),
                                             "invalid_choice": _("Choose one of the roles listed.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class PeopleFilterForm(forms.Form):
    """The People page's search and filters: anything unexpected is ignored, never an error page."""

    q = forms.CharField(label=_("Search by name or email"), required=False, max_length=200)
    role = forms.ChoiceField(label=_("Role"), required=False,
                             choices=[("", _("All roles")), *Membership.Role.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Everyone")), *STATUSES])

    def values(self) -> dict[str, str]:
        if self.is_valid():
            return {name: (self.cleaned_data.get(name) or "").strip() for name in ("q", "role", "status")}
        # Keep what is valid, drop the rest: a mistyped filter in a bookmarked address still shows the page.
        return {name: ("" if name in self.errors else str(self.data.get(name, "")).strip()[:200])
                for name in ("q", "role", "status")}


class JoinForm(forms.Form):
    first_name = NameField(label=_("First name"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
                           error_messages={"required": _("Tell us your first name.")})
    last_name = NameField(label=_("Last name"), max_length=150, required=False,
                          widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    password1 = forms.CharField(label=_("Choose a password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                error_messages={"required": _("Choose a password.")})
    password2 = forms.CharField(label=_("Type the password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                error_messages={"required": _("Type the password again to be sure of it.")})

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.helper = _helper()
        # Built per form, not at import: the rules are listed in the language of the page.
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean_first_name(self):
        name = self.cleaned_data["first_name"].strip()
        if not name:
            raise ValidationError(_("Tell us your first name."))
        return name

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        elif first:
            # Checked against who they are (no password like their name or address), as Django's validators do.
            person = User(username=self.email, email=self.email, first_name=cleaned.get("first_name", ""),
                          last_name=cleaned.get("last_name", ""))
            try:
                password_validation.validate_password(first, person)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
