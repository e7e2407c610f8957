from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from assetlens.forms import NameField
from assetlens.names import clean_name

from . import selectors, serialization
from .models import Criterion, Level, Question, RubricVersion
from .services import name_taken


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def spanish_field(english, initial):
    """A field for the Spanish of `english`: never required, the same size, marked as Spanish for screen readers."""
    widget = forms.Textarea(attrs={"rows": english.widget.attrs.get("rows", 2), "lang": "es"}) \
        if isinstance(english.widget, forms.Textarea) else forms.TextInput(attrs={"lang": "es"})
    return forms.CharField(
        label=_("%(field)s in Spanish") % {"field": english.label}, required=False, initial=initial,
        max_length=getattr(english, "max_length", None) or serialization.MAX_TEXT, widget=widget,
        help_text=_("Shown to leaders who read AssetLens in Spanish. If you change the English and not this, "
                    "it is cleared, so no one reads an outdated translation."),
    )


def _unique_key(wanted, taken, fallback):
    base = slugify(wanted)[:70] or fallback
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


class RubricNameForm(forms.Form):
    name = NameField(label=_("Name"), max_length=serialization.MAX_TITLE,
                           help_text=_("How leaders in your district will see this rubric."))

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.helper = _helper()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the rubric a name."))
        if name_taken(name, self.district):
            raise forms.ValidationError(_("There is already a rubric called “%(name)s”. Choose another name."),
                                        params={"name": name})
        return name


class KeyedPartForm(forms.ModelForm):
    """A criterion or question of one version. Its key, unique in the version, follows it across versions so
    versions can be compared and answers carried over; left empty, one is made from the text."""

    key_source = ""  # the field a missing key is made from
    key_taken_message = ""
    translated: tuple[str, ...] = ()  # fields with a Spanish field beside them, named "<field>_es"

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["key"].required = False
        spanish = (self.instance.translations or {}).get("es", {}) if self.instance.pk else {}
        for name in self.translated:
            self.fields[f"{name}_es"] = spanish_field(self.fields[name], spanish.get(name, ""))
        self.helper = _helper()
        # Each Spanish field sits beside its English one (stacked on a phone).
        self.helper.layout = Layout(*[
            Row(Column(name, css_class="col-md-6"), Column(f"{name}_es", css_class="col-md-6"))
            if name in self.translated else name
            for name in self._meta.fields
        ])

    def spanish(self):
        """The Spanish text as typed, by English field name (empty means none)."""
        return {name: self.cleaned_data.get(f"{name}_es", "") for name in self.translated}

    def keys_in_use(self):
        raise NotImplementedError

    def clean_key(self):
        key = (self.cleaned_data.get("key") or "").strip()
        taken = set(self.keys_in_use().exclude(pk=self.instance.pk).values_list("key", flat=True))
        if not key:
            words = " ".join(self.data.get(self.add_prefix(self.key_source), "").split()[:6])
            return _unique_key(words, taken, self._meta.model._meta.model_name)
        if key in taken:
            raise forms.ValidationError(self.key_taken_message)
        return key


class CriterionForm(KeyedPartForm):
    key_source = "title"
    translated = serialization.TRANSLATABLE["criterion"]
    key_taken_message = _("Another criterion in this version already uses this key.")

    class Meta:
        model = Criterion
        fields = ["title", "key", "description", "weight"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "key": _("A short code that stays the same in every version, so versions can be compared. "
                     "Leave empty to make one from the title."),
            "weight": _("How much this criterion counts in the overall score, compared with the others "
                        "(for example 1, 1.5 or 2)."),
        }
        error_messages = {"title": {"required": _("Give the criterion a title.")}}

    def keys_in_use(self):
        return Criterion.objects.filter(version=self.version)


class QuestionForm(KeyedPartForm):
    key_source = "prompt"
    translated = serialization.TRANSLATABLE["question"]
    key_taken_message = _("Another question in this version already uses this key.")

    class Meta:
        model = Question
        fields = ["prompt", "key", "help_text", "asset_example", "deficit_example", "weight", "required",
                  "allow_not_applicable"]
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 2}),
            "help_text": forms.Textarea(attrs={"rows": 2}),
            "asset_example": forms.Textarea(attrs={"rows": 2}),
            "deficit_example": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"allow_not_applicable": _("Leaders may answer “not applicable to this product”")}
        help_texts = {
            "key": _("A short code that stays the same in every version, so answers can be carried over. "
                     "Leave empty to make one from the question."),
            "help_text": _("Where to look and what to look for, shown under the question."),
            "asset_example": _("A short quote that shows the asset-based approach."),
            "deficit_example": _("A short quote that shows the deficit-based approach to watch for."),
            "weight": _("How much this question counts within its criterion (for example 1 or 2)."),
        }
        error_messages = {"prompt": {"required": _("Write the question leaders will answer.")}}

    def keys_in_use(self):
        # Question keys are unique across the whole version: answers follow a question by its key.
        return Question.objects.filter(criterion__version=self.version)


class BaseLevelFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        values = [
            form.cleaned_data["value"] for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("value") is not None
        ]
        if len(values) < 2:
            raise forms.ValidationError(_("A question needs at least two levels, starting at 0."))
        if len(set(values)) != len(values):
            raise forms.ValidationError(_("Each level needs its own value; two levels share one."))
        if sorted(values) != list(range(len(values))):
            raise forms.ValidationError(
                _("Level values must run 0, 1, 2 … without gaps (you have %(values)s)."),
                params={"values": ", ".join(str(v) for v in sorted(values))},
            )


class LevelForm(forms.ModelForm):
    """One level, with the Spanish of its label and description beside the English."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        spanish = (self.instance.translations or {}).get("es", {}) if self.instance.pk else {}
        for name in serialization.TRANSLATABLE["level"]:
            self.fields[f"{name}_es"] = spanish_field(self.fields[name], spanish.get(name, ""))
            self.fields[f"{name}_es"].help_text = ""  # said once above the levels, not on every row

    def row(self):
        """The level as save_question() takes it."""
        data = self.cleaned_data
        return {"value": data["value"], "label": data["label"], "descriptor": data["descriptor"],
                "label_es": data.get("label_es", ""), "descriptor_es": data.get("descriptor_es", ""),
                "changed": list(self.changed_data)}


LevelFormSet = inlineformset_factory(
    Question, Level, form=LevelForm, formset=BaseLevelFormSet, fields=["value", "label", "descriptor"], extra=1,
    can_delete=True,
    max_num=21, validate_max=True,
    widgets={"descriptor": forms.Textarea(attrs={"rows": 2}), "value": forms.NumberInput(attrs={"min": 0, "max": 20})},
    labels={"value": _("Level"), "label": _("Short label"), "descriptor": _("What this level looks like")},
)


def new_question_levels():
    """Five empty rows numbered 0–4 for a new question; rows left empty are ignored."""
    return [{"value": n} for n in range(5)]


class ChangeNoteForm(forms.ModelForm):
    class Meta:
        model = RubricVersion
        fields = ["change_note"]
        widgets = {"change_note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"change_note": _("A sentence for leaders and committees: what is new in this version?")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ImportForm(forms.Form):
    """A rubric file, checked whole. Its text comes from the upload, or, on the page that asks whether to add it
    as a new version, from the hidden copy of the upload that page carries (checked again just the same)."""

    file = forms.FileField(label=_("Rubric file (.json)"), required=False,
                           help_text=_("A file exported from AssetLens or written in the documented format, "
                                       "at most 1 MB."))
    name = NameField(label=_("Name (optional)"), max_length=serialization.MAX_TITLE, required=False,
                           help_text=_("Leave empty to use the name inside the file."))
    content = forms.CharField(required=False, strip=False, widget=forms.HiddenInput,
                              max_length=serialization.MAX_FILE_BYTES)
    # The key of the rubric the person chose to add a version to, or empty; "as_new" when they chose a new rubric.
    into = forms.CharField(required=False, widget=forms.HiddenInput, max_length=80)
    as_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.data_from_file = None
        self.matched = None  # the district's rubric with the file's key, when the file is a version of it
        self.helper = _helper()
        self.helper.layout = Layout("file", "name")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is None:
            return None
        if upload.size > serialization.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s KB; a rubric file can be at most %(limit)s KB."),
                params={"size": upload.size // 1024, "limit": serialization.MAX_FILE_BYTES // 1024},
            )
        self._read(upload.read(serialization.MAX_FILE_BYTES + 1))
        return upload

    def clean_content(self):
        content = self.cleaned_data["content"]
        if content and self.data_from_file is None and not self.errors.get("file"):
            try:
                raw = content.encode("utf-8")
            except UnicodeEncodeError:
                raw = b"\xff"  # a lone surrogate: reported as not UTF-8, like a file would be
            self._read(raw)
        return content

    def _read(self, raw):
        data, problems = serialization.parse(raw)
        if problems:
            raise forms.ValidationError([forms.ValidationError(p) for p in problems[:50]]
                                        + ([forms.ValidationError(_("… and %(n)s more."),
                                                                  params={"n": len(problems) - 50})]
                                           if len(problems) > 50 else []))
        self.data_from_file = data
        self.text = raw.decode("utf-8-sig")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("content") and not self.errors:
            self.add_error("file", forms.ValidationError(_("Choose a rubric file to import.")))
        if self.data_from_file is None:
            return cleaned
        if cleaned.get("into"):
            return cleaned  # a new version keeps the rubric's name; the view finds the rubric or says it cannot
        if not cleaned.get("as_new"):
            self.matched = selectors.rubric_kept_with_key(self.data_from_file.get("key"), self.district)
            if self.matched is not None:
                return cleaned  # the page asks first: a new version of it, or a separate rubric
        name = (cleaned.get("name") or "").strip() or clean_name(self.data_from_file["name"])
        if name_taken(name, self.district):
            self.add_error("name", forms.ValidationError(
                _("There is already a rubric called “%(name)s”. Give this one another name."), params={"name": name}))
        else:
            self.data_from_file["name"] = name
        return cleaned
