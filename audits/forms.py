from django import forms
from django.utils.translation import gettext_lazy as _

NOT_APPLICABLE = "na"
PARTS = ("level", "notes", "url", "quote")  # each question's inputs, named q<question id>-<part>
EVIDENCE_LABELS = {"notes": _("Your notes"), "url": _("Link to evidence"), "quote": _("Quote from the product")}


def field_name(question, part: str) -> str:
    return f"q{question.id}-{part}"


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
                label=EVIDENCE_LABELS["notes"], required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"q{question.id}-url"] = forms.URLField(
                label=EVIDENCE_LABELS["url"], required=False, max_length=500, assume_scheme="https",
                error_messages={"invalid": _("Enter a full web address, such as https://vendor.example/page.")},
            )
            self.fields[f"q{question.id}-quote"] = forms.CharField(
                label=EVIDENCE_LABELS["quote"], required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def question_fields(self, question):
        return {part: self[field_name(question, part)] for part in PARTS}

    def question_rows(self):
        for question in self.questions:
            yield question, self.question_fields(question)

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


class EvidenceForm(forms.Form):
    """Evidence for one answer of a submitted audit: what the auditor saw, never the level (that is scored)."""

    notes = forms.CharField(label=_("Your notes"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 4}))
    evidence_url = forms.URLField(
        label=_("Link to evidence"), required=False, max_length=500, assume_scheme="https",
        error_messages={"invalid": _("Enter a full web address, such as https://vendor.example/page.")})
    evidence_quote = forms.CharField(label=_("Quote from the product"), required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(name) for name in self.fields):
            raise forms.ValidationError(_("Add notes, a link or a quote; an empty form has nothing to save."))
        return cleaned
