from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from assetlens.forms import NameField

from . import importing, inventory
from .models import GRADE_BANDS, Product, ToolRequest, ToolsPage, Validation


class ProductForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), max_length=500, required=False, assume_scheme="https")
    grade_bands = forms.MultipleChoiceField(
        label=_("Grade bands"), choices=GRADE_BANDS, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Product
        fields = ["name", "vendor", "website", "purpose", "grade_bands", "marketing_copy"]
        field_classes = {"name": NameField, "vendor": NameField}
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "marketing_copy": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "name": _("As the vendor names it, e.g. “ReadAlong Stories”."),
            "website": _("The product's public page, starting with https://"),
            "purpose": _("In a sentence or two: what would your district use it for?"),
            "marketing_copy": _("Paste the vendor's own words: their website, brochure or emails to families."),
        }
        error_messages = {
            "name": {"required": _("Give the product a name so your team can find it.")},
        }

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the product a name so your team can find it."))
        clash = Product.objects.filter(district=self.district, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Your district already has a product called “%(name)s”."),
                                        params={"name": name})
        return name


PREVIEW_LIMIT = 200_000  # the same ceiling as a product's marketing copy


class ToneCheckForm(forms.Form):
    text = forms.CharField(
        label=_("Copy to read"), widget=forms.Textarea(attrs={"rows": 8}), strip=False,
        help_text=_("Paste a letter, an email to families or a web page (HTML is fine)."),
        error_messages={"required": _("Paste some copy to read; the box is empty.")},
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(_("Paste some copy to read; the box is empty."))
        if len(text) > PREVIEW_LIMIT:
            raise forms.ValidationError(
                _("This copy is %(size)s characters long. Paste up to %(limit)s at a time, or save it "
                            "on a product page, where long copy is read by the worker.")
                % {"size": f"{len(text):,}", "limit": f"{PREVIEW_LIMIT:,}"})
        return text


class InventoryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Inventory file (CSV or XLSX)"),
        help_text=_("Up to 10,000 products and 5 MB. The first row names the columns; download the template to "
                    "see them."),
        error_messages={"required": _("Choose a CSV or XLSX file to upload."),
                        "empty": _("This file is empty. Choose your inventory file (CSV or XLSX).")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-"
                                                         "officedocument.spreadsheetml.sheet"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_FILE_BYTES:
            raise forms.ValidationError(importing.file_message(inventory.InventoryFileError(
                "too_big", size=f"{upload.size / 1024 / 1024:.1f}", limit=importing.MAX_FILE_BYTES // 1024 // 1024)))
        return upload


class FamilySummaryForm(forms.ModelForm):
    """What families read about a product on the district's public page."""

    class Meta:
        model = Product
        fields = ["show_to_families", "family_summary", "family_summary_es"]
        widgets = {"family_summary": forms.Textarea(attrs={"rows": 4}),
                   "family_summary_es": forms.Textarea(attrs={"rows": 4, "lang": "es"})}
        help_texts = {
            "show_to_families": _("Shown only while the committee's latest decision is to adopt or pilot it, and the "
                                  "district publishes its page."),
            "family_summary": _("Two or three sentences for families, starting from what their children bring: "
                                "what they will do with it and how families can take part. Never scores or "
                                "internal comments."),
            "family_summary_es": _("The same summary in Spanish. Left empty, the English one is shown."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ToolsPageForm(forms.ModelForm):
    class Meta:
        model = ToolsPage
        fields = ["published", "introduction", "introduction_es"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 3}),
                   "introduction_es": forms.Textarea(attrs={"rows": 3, "lang": "es"})}
        help_texts = {
            "published": _("Anyone with the address can read the page, without signing in. Unpublished, it does "
                           "not exist for anyone."),
            "introduction": _("A few words to families above the list (optional)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ValidationForm(forms.ModelForm):
    link = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https",
                          help_text=_("Where anyone can check it: the certification's page or the signed agreement."))

    class Meta:
        model = Validation
        fields = ["kind", "detail", "link", "issued_on", "expires_on"]
        widgets = {"issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "detail": _("For example “Research-Based Design”, or the rating: “Pass”, “87%”."),
            "issued_on": _("When it was awarded or signed."),
            "expires_on": _("Leave empty if it does not expire. Within 60 days of it, the product is listed for "
                            "re-review."),
        }
        error_messages = {
            "kind": {"required": _("Choose what kind of validation this is.")},
            "issued_on": {"required": _("Give the date it was awarded or signed."),
                          "invalid": _("Enter the date as YYYY-MM-DD.")},
            "expires_on": {"invalid": _("Enter the date as YYYY-MM-DD.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("The expiry comes before the date it was awarded or signed."))
        return cleaned


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ToolRequestForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = ToolRequest
        fields = ["name", "website", "why", "students"]
        field_classes = {"name": NameField}
        widgets = {"why": forms.Textarea(attrs={"rows": 3}), "students": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "why": _("What would students or families do with it? What do they bring that it builds on?"),
            "students": _("For example: “3rd grade multilingual learners at Lincoln”."),
        }
        error_messages = {"name": {"required": _("Give the tool's name.")},
                          "why": {"required": _("Say in a sentence or two why it would help.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class AcceptRequestForm(forms.Form):
    auditor = PersonChoiceField(label=_("Who audits it"), queryset=get_user_model().objects.none(),
                                error_messages={"required": _("Choose who audits it."),
                                                "invalid_choice": _("Choose someone in your district.")})
    committee = forms.ModelChoiceField(label=_("Committee (optional)"), queryset=Product.objects.none(),
                                       required=False,
                                       help_text=_("The committee asks the auditor for the audit, and sees it."),
                                       error_messages={"invalid_choice": _("Choose one of your district's "
                                                                           "committees.")})
    message = forms.CharField(label=_("Message to the requester (optional)"), max_length=3000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = get_user_model().objects.filter(
            membership__district=district, is_active=True).order_by("first_name", "username")
        # Committees are a layer above products: reached through the district, without importing them.
        self.fields["committee"].queryset = district.committees.order_by("name")
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        committee, auditor = cleaned.get("committee"), cleaned.get("auditor")
        if committee and auditor and not committee.members.filter(pk=auditor.pk).exists():
            self.add_error("auditor", _("%(person)s does not serve on %(committee)s; choose a member, or no "
                                        "committee.") % {"person": auditor.get_full_name() or auditor.username,
                                                         "committee": committee.name})
        return cleaned


class CloseRequestForm(forms.Form):
    message = forms.CharField(label=_("Message to the requester"), max_length=3000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Say why, and what they could use instead."),
                              error_messages={"required": _("Write the requester a few words on why.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
