from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assetlens.forms import NameField
from audits.models import Audit
from products.models import Product

from . import selectors
from .models import Committee, Decision, Meeting, Vote


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class CommitteeForm(forms.ModelForm):
    members = MemberChoiceField(
        label=_("Members"), queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("People in your district who will audit and compare products together."),
        error_messages={"required": _("Choose at least one member for the committee.")},
    )

    class Meta:
        model = Committee
        fields = ["name", "purpose", "members", "chair", "quorum", "majority"]
        field_classes = {"name": NameField}
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3}), "quorum": forms.RadioSelect,
                   "majority": forms.RadioSelect}
        help_texts = {
            "name": _("For example “Elementary reading committee”."),
            "purpose": _("What the committee is choosing, such as “K-5 reading supplement”."),
            "chair": _("Records the committee's meetings. Without a chair, your district admin does."),
            "quorum": _("How many members must vote on a proposed decision (abstaining counts) before it can "
                        "be carried."),
            "majority": _("Among the members who vote agree or disagree, how many must agree to carry it."),
        }
        error_messages = {"name": {"required": _("Give the committee a name so members can find it.")}}

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.fields["members"].queryset = (
            get_user_model().objects.filter(membership__district=district).order_by("first_name", "username")
        )
        chair = self.fields["chair"]
        chair.queryset = self.fields["members"].queryset
        chair.label_from_instance = MemberChoiceField.label_from_instance.__get__(chair)  # type: ignore[method-assign]
        chair.empty_label = _("No chair (the district admin records meetings)")
        # Left out of a submission, the rules keep what they were (or the usual: more than half, simple majority).
        for name in ("quorum", "majority"):
            self.fields[name].required = False
        self.helper = _helper()

    def clean_quorum(self):
        return self.cleaned_data.get("quorum") or self.instance.quorum or Committee.Quorum.HALF

    def clean_majority(self):
        return self.cleaned_data.get("majority") or self.instance.majority or Committee.Majority.SIMPLE

    def clean(self):
        cleaned = super().clean()
        chair, members = cleaned.get("chair"), cleaned.get("members")
        if chair is not None and members is not None and chair not in members:
            self.add_error("chair", _("Choose the chair among the committee's members."))
        return cleaned

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the committee a name so members can find it."))
        clash = Committee.objects.filter(district=self.district, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Your district already has a committee called “%(name)s”."),
                                        params={"name": name})
        return name


class AuditRequestForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product to audit"), queryset=Product.objects.none(),
                                     error_messages={"required": _("Choose the product to audit."),
                                                     "invalid_choice": _("Choose one of your district's products.")})
    members = MemberChoiceField(label=_("Ask these members"), queryset=get_user_model().objects.none(),
                                widget=forms.CheckboxSelectMultiple,
                                error_messages={"required": _("Choose at least one member to ask.")})
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("Optional. Members are reminded two days before and when it is overdue."),
                               error_messages={"invalid": _("Enter the due date as a date, such as 2027-03-10.")})

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(district=committee.district,
                                                                 archived_at__isnull=True).order_by("name")
        self.fields["members"].queryset = committee.members.order_by("first_name", "username")
        self.helper = _helper()

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        if due is not None and due < timezone.localdate():
            raise forms.ValidationError(_("Choose a due date from today on."))
        return due


class ProductChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        count = obj.scored_audits
        return ngettext("%(name)s (%(n)s scored audit)", "%(name)s (%(n)s scored audits)", count) % {
            "name": obj.name, "n": count}


class AuditChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        who = obj.auditor.get_full_name() or obj.auditor.username
        return f"{obj.product.name} · {who} · {obj.rubric_version} · {obj.scored_at or obj.updated_at:%Y-%m-%d}"


class ComparisonForm(forms.Form):
    """2–12 products; optionally specific audits (otherwise every scored audit of each product)."""

    products = ProductChoiceField(label=_("Products to compare"), queryset=Product.objects.none(), required=False,
                                  widget=forms.CheckboxSelectMultiple,
                                  help_text=_("Choose 2 to 12 products. Each brings all of its scored audits."))
    audits = AuditChoiceField(label=_("Or pick specific audits"), queryset=Audit.objects.none(), required=False,
                              widget=forms.CheckboxSelectMultiple,
                              help_text=_("A product you pick here is compared on just the audits you tick."))

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.fields["products"].queryset = (
            Product.objects.filter(district=district, archived_at__isnull=True)
            .annotate(scored_audits=Count("audits", filter=Q(audits__status=Audit.Status.SCORED)))
            .order_by("name")
        )
        self.fields["audits"].queryset = (
            Audit.objects.filter(district=district, status=Audit.Status.SCORED)
            .select_related("product", "auditor", "rubric_version__rubric").order_by("product__name", "id")
        )
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        products = list(cleaned.get("products") or [])
        chosen_audits = list(cleaned.get("audits") or [])
        if self.errors:
            return cleaned
        by_audit = {a.product_id for a in chosen_audits}
        all_products = {p.id: p for p in products}
        for audit in chosen_audits:
            all_products.setdefault(audit.product_id, audit.product)
        count = len(all_products)
        if count < selectors.MIN_PRODUCTS:
            raise forms.ValidationError(
                _("Choose at least %(min)s products to compare (you chose %(n)s)."),
                params={"min": selectors.MIN_PRODUCTS, "n": count}, code="too_few")
        if count > selectors.MAX_PRODUCTS:
            raise forms.ValidationError(
                _("Choose at most %(max)s products in one comparison (you chose %(n)s). "
                  "Split them into two reports if you need more."),
                params={"max": selectors.MAX_PRODUCTS, "n": count}, code="too_many")
        whole = [p for p in products if p.id not in by_audit]
        audits = chosen_audits + list(selectors.comparable_audits(self.district, whole))
        with_audits = {a.product_id for a in audits}
        missing = sorted(p.name for p in whole if p.id not in with_audits)
        if missing:
            raise forms.ValidationError(
                _("These products have no scored audit yet, so there is nothing to compare: %(names)s."),
                params={"names": ", ".join(missing)}, code="no_audits")
        cleaned["all_products"] = list(all_products.values())
        cleaned["all_audits"] = audits
        return cleaned


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Write a comment before posting.")})


class ConsensusForm(forms.Form):
    product = forms.TypedChoiceField(label=_("Product"), coerce=int)
    criterion_key = forms.ChoiceField(label=_("Criterion"))
    level = forms.TypedChoiceField(label=_("Agreed level"), coerce=int)
    reason = forms.CharField(label=_("Why the committee agreed on this level"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason, so others can follow the decision.")})
    change_reason = forms.CharField(label=_("If it replaces a level agreed before: why it changes"),
                                    max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, result, blind=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.blind = set(blind)
        self.fields["product"].choices = [(p["id"], p["name"]) for p in result.get("products", [])]
        self.fields["criterion_key"].choices = [(c["key"], c["title"]) for c in result.get("criteria", [])]
        top = max((c["max_level"] for c in result.get("criteria", [])), default=4)
        self.fields["level"].choices = [(n, str(n)) for n in range(top + 1)]
        self.max_levels = {c["key"]: c["max_level"] for c in result.get("criteria", [])}

    def clean(self):
        cleaned = super().clean()
        key, level = cleaned.get("criterion_key"), cleaned.get("level")
        if key in self.max_levels and level is not None and level > self.max_levels[key]:
            self.add_error("level", _("This criterion's levels go from 0 to %(max)s.") % {"max": self.max_levels[key]})
        _refuse_blind(self, self.blind)
        return cleaned


def _refuse_blind(form: forms.Form, blind: set[int]) -> None:
    """A member blind to the chosen product may not act on it (selectors.blind_product_ids decides)."""
    product = form.cleaned_data.get("product")
    if product is not None and int(product) in blind:
        form.add_error("product", _("You are auditing this product for the committee: you can take part once you "
                                    "have submitted your own audit of it."))


class DecisionForm(forms.ModelForm):
    """Propose a decision; the members then vote on it."""

    product = forms.TypedChoiceField(label=_("Product"), coerce=int)

    class Meta:
        model = Decision
        fields = ["outcome", "rationale", "conditions"]
        widgets = {
            "outcome": forms.RadioSelect,
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"outcome": _("Proposed decision")}
        help_texts = {"conditions": _("For a pilot: where, for how long, and what must be true to adopt it.")}
        error_messages = {
            "outcome": {"required": _("Choose what you propose the committee decide.")},
            "rationale": {"required": _("Write the rationale, so people who were not in the room understand.")},
        }

    def __init__(self, *args, products, blind=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.blind = set(blind)
        self.fields["product"].choices = [(p["id"], p["name"]) for p in products]
        self.order_fields(["product", "outcome", "rationale", "conditions"])
        self.fields["outcome"].choices = Decision.Outcome.choices

    def clean(self):
        cleaned = super().clean()
        _refuse_blind(self, self.blind)
        if cleaned.get("outcome") == Decision.Outcome.PILOT and not (cleaned.get("conditions") or "").strip():
            self.add_error("conditions", _("Say the pilot's conditions: where, for how long, and what must be "
                                           "true to adopt it."))
        return cleaned


class ReviseDecisionForm(forms.ModelForm):
    reason = forms.CharField(label=_("Why it changes"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Say why it changes, for the decision's history.")})

    class Meta:
        model = Decision
        fields = ["outcome", "rationale", "conditions"]
        widgets = {"outcome": forms.RadioSelect, "rationale": forms.Textarea(attrs={"rows": 3}),
                   "conditions": forms.Textarea(attrs={"rows": 2})}
        labels = {"outcome": _("Proposed decision")}
        error_messages = DecisionForm.Meta.error_messages

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = Decision.Outcome.choices
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Decision.Outcome.PILOT and not (cleaned.get("conditions") or "").strip():
            self.add_error("conditions", _("Say the pilot's conditions: where, for how long, and what must be "
                                           "true to adopt it."))
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Say why, for the history.")})


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Your vote"), choices=Vote.Choice.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("Choose agree, disagree or abstain.")})


class WithdrawConsensusForm(forms.Form):
    product = forms.TypedChoiceField(label=_("Product"), coerce=int)
    criterion_key = forms.ChoiceField(label=_("Criterion"))
    reason = forms.CharField(label=_("Why the agreed level is withdrawn"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Say why, for the history.")})

    def __init__(self, *args, result, blind=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.blind = set(blind)
        self.fields["product"].choices = [(p["id"], p["name"]) for p in result.get("products", [])]
        self.fields["criterion_key"].choices = [(c["key"], c["title"]) for c in result.get("criteria", [])]

    def clean(self):
        cleaned = super().clean()
        _refuse_blind(self, self.blind)
        return cleaned


class MeetingForm(forms.ModelForm):
    attendees = MemberChoiceField(label=_("Attendees"), queryset=get_user_model().objects.none(),
                                  widget=forms.CheckboxSelectMultiple,
                                  error_messages={"required": _("Tick the members who attended.")})

    class Meta:
        model = Meeting
        fields = ["held_on", "attendees", "minutes", "decisions"]
        widgets = {
            # An <input type="date"> takes only ISO dates, whatever the reader's language.
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "minutes": forms.Textarea(attrs={"rows": 6}),
            "decisions": forms.CheckboxSelectMultiple,
        }
        help_texts = {"minutes": _("What was discussed and what the meeting settled, for those who were not "
                                   "there."),
                      "decisions": _("Optional: the proposals this meeting discussed.")}
        error_messages = {"held_on": {"required": _("Enter the meeting's date."),
                                      "invalid": _("Enter the date as a date, such as 2027-03-10.")},
                          "minutes": {"required": _("Write the minutes, even briefly.")}}

    def __init__(self, *args, committee, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = committee.members.order_by("first_name", "username")
        decisions = self.fields["decisions"]
        decisions.queryset = committee.decisions.select_related("product")
        decisions.label_from_instance = lambda d: f"{d.product.name}: {d.get_outcome_display()}"  # type: ignore[attr-defined]
        # What the date input sends, in every language (Spanish formats alone would refuse 2026-11-20).
        self.fields["held_on"].input_formats = ["%Y-%m-%d"]
        self.helper = _helper()


class CalibrationForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product every member rates"), queryset=Product.objects.none(),
                                     help_text=_("Pick one the committee is not choosing between: the round is "
                                                 "practice in reading the rubric the same way."),
                                     error_messages={"required": _("Choose the product to rate."),
                                                     "invalid_choice": _("Choose one of your district's products.")})

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(district=committee.district,
                                                                 archived_at__isnull=True).order_by("name")
        self.helper = _helper()


class ShareForm(forms.Form):
    """A read-only link to a report for the school board."""

    DAYS = ((7, _("1 week")), (30, _("30 days")), (90, _("90 days")))

    label = forms.CharField(label=_("Who it is for"), max_length=200, required=False,
                            help_text=_("For example “Board meeting, 14 January”. Shown only to the committee."))
    days = forms.TypedChoiceField(label=_("The link works for"), choices=DAYS, coerce=int, initial=30,
                                  error_messages={"invalid_choice": _("Choose how long the link works.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
