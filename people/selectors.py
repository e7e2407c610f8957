"""Read a district's people and invitations: the People page's rows, what each person is working on, and the
invitation a link belongs to."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Count, DateTimeField, Exists, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assetlens.models import District, Membership
from audits.models import Audit
from committees.models import AuditRequest, Committee
from outbox.models import OutgoingMail
from products.models import Product
from rubrics.models import Rubric

from .models import Invitation, hash_token

PAGE_SIZE = 25
ACTIVE, INVITED, DEACTIVATED = "active", "invited", "deactivated"
STATUSES = [(ACTIVE, _("Active")), (INVITED, _("Invited")), (DEACTIVATED, _("Deactivated"))]
STATUS_LABELS = dict(STATUSES)
# The order the People page lists them in: the people at work first.
STATUS_ORDER = {ACTIVE: 0, INVITED: 1, DEACTIVATED: 2}


def open_invitations_for_email(email: str) -> list[Invitation]:
    """Invitations this address may still accept (any district: single sign-on learns the district from it)."""
    return list(
        Invitation.objects.select_related("district")
        .filter(email=email.strip().lower(), accepted_at__isnull=True, revoked_at__isnull=True,
                expires_at__gt=timezone.now())
        .order_by("-created_at")
    )


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link names, in whatever state it is (the page says when it is used, revoked or expired)."""
    if not token or len(token) > 100:
        return None
    return (Invitation.objects.select_related("district", "invited_by", "accepted_by")
            .filter(token_hash=hash_token(token)).first())


def has_account(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def revoked_invitation(district: District, pk: str) -> Invitation | None:
    """The invitation just revoked, for the page's "Undo" (only while nothing replaced it)."""
    if not pk.isdigit() or len(pk) > 18:
        return None
    return Invitation.objects.filter(pk=int(pk), district=district, revoked_at__isnull=False,
                                     accepted_at__isnull=True).first()


def person_name(user: User) -> str:
    return user.get_full_name() or user.email or user.username


@dataclass(frozen=True)
class WorkItem:
    """An audit the person was asked to do and has not submitted yet."""

    product_name: str
    committee_name: str
    committee_id: int


@dataclass
class PersonRow:
    kind: str  # "member" (pk is the membership's) or "invitation" (pk is the invitation's)
    pk: int
    name: str
    email: str
    role: str
    role_label: str
    status: str
    status_label: str
    user_id: int | None = None
    last_login: datetime | None = None
    working_on: list[WorkItem] = field(default_factory=list)
    is_you: bool = False
    # Invitations only: whether the outbox has handed its email to the mail server, and when the link expires.
    delivered: bool = False
    delivery_label: str = ""
    expires_at: datetime | None = None
    expired: bool = False
    invited_by: str = ""


def open_audit_requests(district: District, user_ids: Iterable[int]) -> dict[int, list[WorkItem]]:
    """Per person: the products a committee asked them to audit that they have not submitted an audit of yet."""
    answered = Audit.objects.filter(district=district, product_id=OuterRef("product_id"),
                                    auditor_id=OuterRef("member_id")).exclude(status=Audit.Status.DRAFT)
    rows = (AuditRequest.objects.filter(committee__district=district, member_id__in=list(user_ids))
            .exclude(Exists(answered))
            .order_by("member_id", "product__name", "committee__name")
            .values_list("member_id", "product__name", "committee__name", "committee_id"))
    work: dict[int, list[WorkItem]] = defaultdict(list)
    for member_id, product_name, committee_name, committee_id in rows:
        work[member_id].append(WorkItem(product_name, committee_name, committee_id))
    return dict(work)


def _member_row(membership: Membership, viewer_id: int | None) -> PersonRow:
    user = membership.user
    status = ACTIVE if user.is_active else DEACTIVATED
    return PersonRow(kind="member", pk=membership.pk, name=person_name(user), email=user.email,
                     role=membership.role, role_label=membership.get_role_display(), status=status,
                     status_label=str(STATUS_LABELS[status]), user_id=user.pk, last_login=user.last_login,
                     is_you=user.pk == viewer_id)


def _invitation_row(invitation: Invitation, now: datetime) -> PersonRow:
    mail_status = invitation.mail.status if invitation.mail is not None else OutgoingMail.Status.QUEUED
    delivered = mail_status == OutgoingMail.Status.SENT
    if delivered:
        label = _("Delivered")
    elif mail_status == OutgoingMail.Status.FAILED:
        label = _("Could not be delivered: resend it, or check the address")
    else:
        label = _("Not delivered yet")
    return PersonRow(kind="invitation", pk=invitation.pk, name=invitation.email, email=invitation.email,
                     role=invitation.role, role_label=invitation.get_role_display(), status=INVITED,
                     status_label=str(STATUS_LABELS[INVITED]), delivered=delivered, delivery_label=str(label),
                     expires_at=invitation.expires_at, expired=invitation.expires_at <= now,
                     invited_by=person_name(invitation.invited_by) if invitation.invited_by else "")


def _words_match(words: list[str], fields: tuple[str, ...]) -> Q:
    """Every word of the search in one of the fields: "rosa mart" finds Rosa Martínez."""
    query = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        query &= any_field
    return query


def people_page(district: District, query: str = "", role: str = "", status: str = "",
                page_number: str | None = None, viewer_id: int | None = None) -> dict:
    """A page of everyone in the district and everyone invited to it, filtered, with what the pager needs.

    A district has at most a few thousand people, so both lists are read whole (only the fields a row shows)
    and paged together; what people are working on is read for the page's people only."""
    words = query.split()[:8]
    now = timezone.now()
    rows: list[PersonRow] = []
    if status in ("", ACTIVE, DEACTIVATED):
        members = (Membership.objects.filter(district=district).select_related("user")
                   .only("id", "role", "user__id", "user__first_name", "user__last_name", "user__email",
                         "user__username", "user__is_active", "user__last_login"))
        if words:
            members = members.filter(_words_match(words, ("user__first_name", "user__last_name", "user__email",
                                                          "user__username")))
        if role:
            members = members.filter(role=role)
        if status:
            members = members.filter(user__is_active=status == ACTIVE)
        rows += [_member_row(m, viewer_id) for m in members]
    if status in ("", INVITED):
        invitations = (Invitation.objects.filter(district=district, accepted_at__isnull=True,
                                                 revoked_at__isnull=True)
                       .select_related("mail", "invited_by")
                       .only("id", "email", "role", "expires_at", "mail__status", "invited_by__first_name",
                             "invited_by__last_name", "invited_by__email", "invited_by__username"))
        if words:
            invitations = invitations.filter(_words_match(words, ("email",)))
        if role:
            invitations = invitations.filter(role=role)
        rows += [_invitation_row(i, now) for i in invitations]
    rows.sort(key=lambda r: (STATUS_ORDER[r.status], r.name.casefold(), r.pk))
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    work = open_audit_requests(district, [r.user_id for r in page.object_list if r.user_id is not None])
    for row in page.object_list:
        if row.user_id is not None:
            row.working_on = work.get(row.user_id, [])
    filters = {k: v for k, v in (("q", query), ("role", role), ("status", status)) if v}
    return {"page": page, "extra_query": urlencode(filters), "filtered": bool(filters),
            "counts": district_counts(district)}


def district_counts(district: District) -> dict[str, int]:
    """How many people are active, invited and deactivated: the page leads with who is at work."""
    members = Membership.objects.filter(district=district)
    return {
        ACTIVE: members.filter(user__is_active=True).count(),
        DEACTIVATED: members.filter(user__is_active=False).count(),
        INVITED: Invitation.objects.filter(district=district, accepted_at__isnull=True,
                                           revoked_at__isnull=True).count(),
    }


def committees_of(user_id: int, district: District) -> list[Committee]:
    return list(Committee.objects.filter(district=district, memberships__user_id=user_id).only("id", "name"))


# --- Site staff: every district at a glance ----------------------------------------------------------------------

DISTRICTS_PAGE_SIZE = 25
RECENT_ACTIVITY = 10


@dataclass
class DistrictRow:
    district: District
    members: int
    products: int
    audits: int
    last_activity: datetime | None
    admins: list[str] = field(default_factory=list)
    rubrics: list[Rubric] = field(default_factory=list)


def _count_in_district(queryset) -> Coalesce:
    """How many rows of `queryset` belong to the outer district, as one correlated subquery (no join fan-out)."""
    counted = (queryset.filter(district=OuterRef("pk")).order_by().values("district")
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _latest_in_district(queryset, field_name: str) -> Subquery:
    latest = (queryset.filter(district=OuterRef("pk")).order_by().values("district")
              .annotate(at=Max(field_name)).values("at"))
    return Subquery(latest, output_field=DateTimeField())


def districts_page(page_number: str | None = None) -> dict:
    """A page of districts by name with their counts, admins and own rubrics, and the latest audits site-wide.

    Counts are correlated subqueries and admins and rubrics one query each for the page, so the page costs the
    same number of queries with 2 districts or 2,000."""
    districts = District.objects.annotate(
        member_count=_count_in_district(Membership.objects.filter(user__is_active=True)),
        product_count=_count_in_district(Product.objects.filter(archived_at__isnull=True)),
        audit_count=_count_in_district(Audit.objects.all()),
        last_audit=_latest_in_district(Audit.objects.all(), "updated_at"),
        last_product=_latest_in_district(Product.objects.all(), "created_at"),
    ).annotate(last_activity=Greatest(Coalesce("last_audit", "last_product"), Coalesce("last_product", "last_audit")))
    page = Paginator(districts.order_by("name", "pk"), DISTRICTS_PAGE_SIZE).get_page(page_number)
    ids = [d.pk for d in page.object_list]
    admins: dict[int, list[str]] = defaultdict(list)
    for membership in (Membership.objects.filter(district_id__in=ids, role=Membership.Role.DISTRICT_ADMIN,
                                                 user__is_active=True)
                       .select_related("user").order_by("user__first_name", "user__username")):
        admins[membership.district_id].append(person_name(membership.user))
    rubrics: dict[int, list[Rubric]] = defaultdict(list)
    for rubric in Rubric.objects.filter(district_id__in=ids).order_by("name"):
        if rubric.district_id is not None:
            rubrics[rubric.district_id].append(rubric)
    rows = [DistrictRow(district=d, members=d.member_count, products=d.product_count, audits=d.audit_count,
                        last_activity=d.last_activity, admins=admins[d.pk], rubrics=rubrics[d.pk])
            for d in page.object_list]
    recent = list(Audit.objects.select_related("district", "product", "auditor")
                  .only("id", "status", "updated_at", "district__name", "product__name", "auditor__first_name",
                        "auditor__last_name", "auditor__username", "auditor__email")
                  .order_by("-updated_at", "-id")[:RECENT_ACTIVITY])
    return {"page": page, "rows": rows, "recent": recent,
            "shared_rubric": Rubric.objects.filter(district__isnull=True, is_default=True).first(),
            "district_total": page.paginator.count}
