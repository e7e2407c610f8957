"""The dashboards' search, filters and sort, read from the query string (the by-product list with django-filter).

Bad input (a date that is not a date, a sort nobody offers, dates the wrong way round) becomes a form error the
page shows beside the field; the filters that were valid still apply, and what was typed stays in the form.
"""

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, cast

import django_filters
from django import forms
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Audit
from .selectors import AuditSearch

SEARCH_MAX = 200
SEARCH_WORDS = 10  # every word must match; more than this is a paste, not a search
UNKNOWN_SORT = _("The list cannot be sorted by “%(value)s”, so it is sorted by its usual order. "
                 "Use the column headings to sort.")


def _search(queryset: QuerySet, fields: tuple[str, ...], value: str) -> QuerySet:
    """Every word must appear in one of `fields`: "ana reader" finds Ana's audits of ReadAlong."""
    for word in value.split()[:SEARCH_WORDS]:
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


def _ordered(queryset: QuerySet, column: "Column", descending: bool, hidden: Q | None = None) -> QuerySet:
    # Empty scores (drafts, audits not scored yet) go last both ways, so sorting by score leads with scores. Only
    # a column that can be empty says so: "NULLS LAST" on a column that never is keeps PostgreSQL from reading
    # the district's newest audits straight off the (district, updated_at) index, and sorts them all instead.
    if column.may_be_empty:
        # A score the viewer may not see yet (blind until they submit their own) sorts as an empty one: where a
        # hidden score stood in the order would tell it.
        values = [F(c) if hidden is None else Case(When(~hidden, then=F(c)), default=Value(None))
                  for c in column.columns]
        order = [v.desc(nulls_last=True) if descending else v.asc(nulls_last=True) for v in values]
    else:
        order = [F(c).desc() if descending else F(c).asc() for c in column.columns]
    return queryset.order_by(*order, "-id" if descending else "id")


@dataclass(frozen=True)
class Column:
    key: str  # in the query string: ?sort=product, ?sort=-product
    label: str | Promise
    columns: tuple[str, ...] = ()  # the model fields sorted on, in order (for a FilterSet's _SortFilter)
    may_be_empty: bool = False  # a score not given yet: shown last whichever way the column is sorted


def sorts_by_a_score(params: QueryDict, columns: tuple[Column, ...]) -> bool:
    """Does the list ask to be sorted by a column that shows a score (or when it was given)?"""
    key = params.get("sort", "").removeprefix("-")
    return any(c.key == key and c.may_be_empty for c in columns)


def sort_choices(columns: tuple[Column, ...]) -> list[tuple[str, str]]:
    return [(c.key, c.key) for c in columns] + [(f"-{c.key}", f"-{c.key}") for c in columns]


def sort_links(params: QueryDict, current: str, columns: tuple[Column, ...], default: str) -> dict[str, dict]:
    """For each column header: the link that sorts by it (or reverses it), and its aria-sort value."""
    current = current or default
    links = {}
    for column in columns:
        query = params.copy()
        query.pop("page", None)
        if current == column.key:
            query["sort"], aria = f"-{column.key}", "ascending"
        elif current == f"-{column.key}":
            query["sort"], aria = column.key, "descending"
        else:
            query["sort"], aria = column.key, ""
        links[column.key] = {"url": f"?{query.urlencode()}", "aria": aria, "label": column.label}
    return links


def shown_fields(form: forms.Form, names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The named fields as `audits/_filter_field.html` places them (Bootstrap's markup, as crispy-forms drew it):
    label, value, choices, help and errors read once here. Drawn by crispy-forms these few fields cost as much as
    the rest of the dashboard; the include only places plain words."""
    shown = {}
    for name in names:
        bound = form[name]
        field, widget = bound.field, bound.field.widget
        errors = [str(error) for error in form.errors.get(name, ())]
        help_text = str(field.help_text)
        value = bound.value()
        options = None
        if isinstance(widget, forms.Select):
            chosen = "" if value is None else str(value)
            options = [(str(key), str(label), str(key) == chosen) for key, label in widget.choices]
        shown[name] = {
            "name": name, "id": bound.auto_id, "label": str(field.label), "help": help_text, "errors": errors,
            "type": widget.input_type, "css": type(widget).__name__.lower(), "maxlength": widget.attrs.get("maxlength"),
            "value": "" if value is None else str(value), "options": options,
            "described_by": " ".join(part for part, shows in ((f"{bound.auto_id}_helptext", help_text),
                                                              (f"{bound.auto_id}_error", errors)) if shows),
        }
    return shown


class _SortFilter(django_filters.ChoiceFilter):
    """?sort=key or ?sort=-key, checked against the columns offered; the column fields never come from the URL."""

    def __init__(self, *args: Any, columns: tuple[Column, ...], default: str, **kwargs: Any) -> None:
        self.columns, self.default = {c.key: c for c in columns}, default
        kwargs.setdefault("error_messages", {"invalid_choice": UNKNOWN_SORT})
        super().__init__(*args, choices=sort_choices(columns), label=_("Sort by"), **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = value or self.default
        column = self.columns[value.removeprefix("-")]
        return _ordered(qs, column, value.startswith("-"), getattr(self.parent, "hidden_scores", None))


# What each column sorts on is audits.selectors.AUDIT_ORDER (the list is read in one plain statement).
AUDIT_COLUMNS = (
    Column("product", _("Product")),
    Column("status", _("Status")),
    Column("auditor", _("Auditor")),
    Column("score", _("Score"), may_be_empty=True),
    Column("changed", _("Last change")),
)
AUDIT_DEFAULT_SORT = "-changed"


class AuditFilterForm(forms.Form):
    """The dashboard's search, filters and sort. A plain form, not a django-filter FilterSet as the by-product
    list is: the list is read by one plain statement (audits.selectors.district_audit_page) built from what this
    form accepted, because composing it through the ORM cost as much CPU as the rest of the page."""

    # type="search": a search box gets no character counter (the limit only stops a runaway paste).
    q = forms.CharField(label=_("Search"), required=False, max_length=SEARCH_MAX,
                        widget=forms.TextInput(attrs={"type": "search"}),
                        help_text=_("Product, vendor or auditor name"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *Audit.Status.choices])
    version = forms.ChoiceField(label=_("Rubric version"), required=False)
    changed_from = forms.DateField(label=_("Changed from"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    changed_to = forms.DateField(label=_("Changed to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=sort_choices(AUDIT_COLUMNS),
                             error_messages={"invalid_choice": UNKNOWN_SORT})

    def __init__(self, data: QueryDict, *, versions: list[tuple[str, str]]) -> None:
        super().__init__(data)
        # The district's versions, read once by the caller: offering them and checking a choice cost no query.
        cast(forms.ChoiceField, self.fields["version"]).choices = [("", _("All versions")), *versions]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        start, end = data.get("changed_from"), data.get("changed_to")
        if start and end and start > end:
            # Neither applies: a range that ends before it starts would hide every audit without saying why.
            del data["changed_from"], data["changed_to"]
            raise forms.ValidationError(_("The “from” date (%(start)s) is after the “to” date (%(end)s). Swap "
                                          "them to see the audits changed in between.")
                                        % {"start": start.isoformat(), "end": end.isoformat()})
        return data

    def search(self) -> AuditSearch:
        """What was asked and accepted; a field with an error asks nothing, and the others still apply."""
        self.is_valid()  # a field's error is shown beside it; cleaned_data keeps only what was accepted
        data = self.cleaned_data
        return AuditSearch(words=tuple(data.get("q", "").split()[:SEARCH_WORDS]), status=data.get("status") or None,
                           version_id=int(data["version"]) if data.get("version") else None,
                           changed_from=data.get("changed_from"), changed_to=data.get("changed_to"),
                           sort=data.get("sort") or AUDIT_DEFAULT_SORT)


PRODUCT_COLUMNS = (
    Column("product", _("Product"), ("name",)),
    Column("vendor", _("Vendor"), ("vendor",)),
    Column("score", _("Latest score"), ("latest_overall",), may_be_empty=True),
    Column("scored", _("Scored on"), ("latest_scored_at",), may_be_empty=True),
)
PRODUCT_DEFAULT_SORT = "product"


class ProductScoreFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=SEARCH_MAX,
                                  widget=forms.TextInput(attrs={"type": "search"}), help_text=_("Product or vendor"))
    sort = _SortFilter(columns=PRODUCT_COLUMNS, default=PRODUCT_DEFAULT_SORT, empty_label=None)

    def __init__(self, data: QueryDict, *, queryset: QuerySet, blind: AbstractSet[int] = frozenset()) -> None:
        super().__init__(data, queryset=queryset)
        # The products the viewer is blind to: their latest scores sort as empty ones.
        self.hidden_scores = Q(pk__in=blind) if blind else None

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _search(queryset, ("name", "vendor"), value)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if "sort" not in self.form.cleaned_data:
            queryset = self.filters["sort"].filter(queryset, "")
        return super().filter_queryset(queryset)
