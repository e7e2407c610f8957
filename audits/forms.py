from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GRADE_BANDS, Product

NOT_APPLICABLE = "na"


class ProductForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), max_length=500, required=False, assume_scheme="https")
    grade_bands = forms.MultipleChoiceField(
        label=_("Grade bands"), choices=GRADE_BANDS, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Product
        fields = ["name", "vendor", "website", "purpose", "grade_bands", "marketing_copy"]
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


class SectionForm(forms.Form):
    """One criterion's questions: a level (or not applicable) and the evidence for each."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            levels = list(question.levels.all())
            choices = [(str(lv.value), f"{lv.value} · {lv.tr('label')}") for lv in levels]
            if question.allow_not_applicable:
                choices.append((NOT_APPLICABLE, _("Not applicable to this product")))
            low, high = levels[0].value, levels[-1].value
            self.fields[f"q{question.id}-level"] = forms.ChoiceField(
                label=question.tr("prompt"), choices=choices, required=False, widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the levels shown (%(low)s to %(high)s).")
                                % {"low": low, "high": high}},
            )
            self.fields[f"q{question.id}-notes"] = forms.CharField(
                label=_("Your notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"q{question.id}-url"] = forms.URLField(
                label=_("Link to evidence"), required=False, max_length=500, assume_scheme="https",
                error_messages={"invalid": _("Enter a full web address, such as https://vendor.example/page.")},
            )
            self.fields[f"q{question.id}-quote"] = forms.CharField(
                label=_("Quote from the product"), required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def question_rows(self):
        for question in self.questions:
            yield question, {part: self[f"q{question.id}-{part}"] for part in ("level", "notes", "url", "quote")}

    def question_has_errors(self, question):
        return any(f"q{question.id}-{part}" in self.errors for part in ("level", "notes", "url", "quote"))

    def valid_answers(self):
        """question → answer fields, for every question whose inputs are all valid (errors stay on the page)."""
        self.is_valid()
        result = {}
        for question in self.questions:
            # A question the browser did not send (a partial autosave) is left as it is.
            posted = any(f"q{question.id}-{part}" in self.data for part in ("level", "notes", "url", "quote"))
            if not posted or self.question_has_errors(question):
                continue
            level = self.cleaned_data.get(f"q{question.id}-level") or ""
            result[question] = {
                "level": None if level in ("", NOT_APPLICABLE) else int(level),
                "not_applicable": level == NOT_APPLICABLE,
                "notes": self.cleaned_data.get(f"q{question.id}-notes", ""),
                "evidence_url": self.cleaned_data.get(f"q{question.id}-url", ""),
                "evidence_quote": self.cleaned_data.get(f"q{question.id}-quote", ""),
            }
        return result


def initial_from_answers(questions, answers_by_question, revision):
    initial = {"revision": revision}
    for question in questions:
        answer = answers_by_question.get(question.id)
        if answer is None:
            continue
        initial[f"q{question.id}-level"] = NOT_APPLICABLE if answer.not_applicable else (
            "" if answer.level is None else str(answer.level))
        initial[f"q{question.id}-notes"] = answer.notes
        initial[f"q{question.id}-url"] = answer.evidence_url
        initial[f"q{question.id}-quote"] = answer.evidence_quote
    return initial
