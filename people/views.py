"""The People page and joining by invitation.

District admins see and change who is in their district; everyone else gets a 403 that says why. Another
district's people and invitations are looked up through `request.district` before the role is checked, so they
are a 404 for everyone (we never confirm they exist). `/join/<token>/` is for whoever holds the link.
"""

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import selectors as sign_in_selectors
from assetlens.models import District, Membership
from assetlens.tenancy import district_required, staff_required

from . import selectors, services
from .forms import InviteForm, JoinForm, PeopleFilterForm, RoleForm
from .models import Invitation

log = logging.getLogger(__name__)

# The backend that signs a person in after they join (and refuses them once deactivated).
BACKEND = "assetlens.auth.ModelBackend"


def _require_admin(request):
    if not request.membership.is_district_admin:
        raise PermissionDenied(_("Only your district admins can see and change who is in your district."))


def _member(request, pk) -> Membership:
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, district=request.district)
    _require_admin(request)
    return membership


def _invitation(request, pk) -> Invitation:
    invitation = get_object_or_404(Invitation.objects.select_related("district", "invited_by"), pk=pk,
                                   district=request.district)
    _require_admin(request)
    return invitation


@district_required
def people_list(request):
    _require_admin(request)
    filters = PeopleFilterForm(request.GET or None)
    chosen = filters.values()
    context = selectors.people_page(request.district, chosen["q"], chosen["role"], chosen["status"],
                                    request.GET.get("page"), viewer_id=request.user.id)
    context.update({"filters": filters,
                    "undo": selectors.revoked_invitation(request.district, request.GET.get("revoked", ""))})
    return render(request, "people/people_list.html", context)


@district_required
def people_invite(request):
    _require_admin(request)
    form = InviteForm(request.POST or None, district=request.district)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        results = services.invite(request.district, request.user, data["emails"], data["role"],
                                  [c.pk for c in data.get("committees", [])], data["language"])
        _say_what_happened(request, results)
        return redirect("people_list")
    return render(request, "people/invite.html", {"form": form})


def _say_what_happened(request, results: list[services.InviteResult]) -> None:
    by_outcome: dict[str, list[str]] = {}
    for result in results:
        by_outcome.setdefault(result.outcome, []).append(result.email)
    if invited := by_outcome.get("invited"):
        messages.success(request, ngettext(
            "Invitation sent to %(list)s. This page shows when the email is delivered.",
            "Invitations sent to %(list)s. This page shows when each email is delivered.", len(invited),
        ) % {"list": ", ".join(invited)})
    if resent := by_outcome.get("resent"):
        messages.success(request, ngettext(
            "%(list)s was already invited: the invitation is sent again, with a new link that works for 7 days.",
            "%(list)s were already invited: their invitations are sent again, with new links that work for 7 days.",
            len(resent),
        ) % {"list": ", ".join(resent)})
    if here := by_outcome.get("member_here"):
        messages.info(request, ngettext(
            "%(list)s is already in your district: nothing was sent. Find them in the list to change their role.",
            "%(list)s are already in your district: nothing was sent. Find them in the list to change their roles.",
            len(here),
        ) % {"list": ", ".join(here)})
    if elsewhere := by_outcome.get("other_district"):
        messages.warning(request, ngettext(
            "%(list)s already belongs to another district on AssetLens, and a person belongs to one district only: "
            "nothing was sent. They can ask that district's admin to deactivate them, or ask site staff.",
            "%(list)s already belong to another district on AssetLens, and a person belongs to one district only: "
            "nothing was sent. They can ask that district's admin to deactivate them, or ask site staff.",
            len(elsewhere),
        ) % {"list": ", ".join(elsewhere)})


@district_required
def person_detail(request, pk):
    membership = _member(request, pk)
    return _person_page(request, membership, RoleForm(initial={"role": membership.role}))


def _person_page(request, membership, role_form, status=200):
    user = membership.user
    return render(request, "people/person_detail.html", {
        "membership": membership, "person": user, "name": selectors.person_name(user), "role_form": role_form,
        "committees": selectors.committees_of(user.pk, request.district),
        "working_on": selectors.open_audit_requests(request.district, [user.pk]).get(user.pk, []),
        "is_you": user.pk == request.user.pk,
    }, status=status)


@district_required
@require_POST
def person_role(request, pk):
    membership = _member(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _person_page(request, membership, form, status=400)
    try:
        services.change_role(membership, form.cleaned_data["role"])
    except services.LastAdmin:
        messages.error(request, _("%(name)s is your district's only active admin. Make someone else a district "
                                  "admin first, so your district always has one.")
                       % {"name": selectors.person_name(membership.user)})
    else:
        membership.refresh_from_db()
        messages.success(request, _("%(name)s is now a %(role)s.")
                         % {"name": selectors.person_name(membership.user), "role": membership.get_role_display()})
    return redirect("person_detail", pk=membership.pk)


@district_required
def person_deactivate(request, pk):
    membership = _member(request, pk)
    name = selectors.person_name(membership.user)
    if request.method != "POST":
        return render(request, "people/person_deactivate.html", {"membership": membership, "name": name,
                                                                 "is_you": membership.user_id == request.user.pk})
    try:
        services.deactivate(membership, request.user)
    except services.NotYourself:
        messages.error(request, _("You cannot deactivate your own account. Another district admin can."))
    except services.LastAdmin:
        messages.error(request, _("%(name)s is your district's only active admin. Make someone else a district "
                                  "admin first, so your district always has one.") % {"name": name})
    else:
        messages.success(request, _("%(name)s is deactivated and signed out everywhere. Their audits and comments "
                                    "stay, under their name. You can reactivate them at any time.") % {"name": name})
    return redirect("person_detail", pk=membership.pk)


@district_required
@require_POST
def person_reactivate(request, pk):
    membership = _member(request, pk)
    services.reactivate(membership)
    messages.success(request, _("%(name)s is active again and can sign in.")
                     % {"name": selectors.person_name(membership.user)})
    return redirect("person_detail", pk=membership.pk)


@district_required
@require_POST
def invitation_resend(request, pk):
    invitation = _invitation(request, pk)
    try:
        services.resend(invitation)
    except services.InvitationClosed:
        messages.error(request, _("The invitation for %(email)s was accepted or revoked already: nothing was sent.")
                       % {"email": invitation.email})
    else:
        messages.success(request, _("The invitation for %(email)s is sent again, with a new link that works for 7 "
                                    "days. The old link no longer works.") % {"email": invitation.email})
    return redirect("people_list")


@district_required
@require_POST
def invitation_revoke(request, pk):
    invitation = _invitation(request, pk)
    if not services.revoke(invitation):
        messages.error(request, _("The invitation for %(email)s was accepted or revoked already.")
                       % {"email": invitation.email})
        return redirect("people_list")
    # The list offers to undo it (the same link works again).
    return redirect(f"{reverse('people_list')}?revoked={invitation.pk}")


@district_required
@require_POST
def invitation_restore(request, pk):
    invitation = _invitation(request, pk)
    if services.restore(invitation):
        messages.success(request, _("The invitation for %(email)s is back: its link works again.")
                         % {"email": invitation.email})
    else:
        messages.error(request, _("The invitation for %(email)s cannot come back: the address was invited again "
                                  "since, or it was accepted.") % {"email": invitation.email})
    return redirect("people_list")


# --- Joining ------------------------------------------------------------------------------------------


def join(request, token):
    """Open to anyone with the link. A used, revoked or expired link says so and whom to ask; a signed-in person
    whose address it is joins with their own account; anyone else gives their name and sets a password."""
    invitation = selectors.invitation_for_token(token)
    if invitation is None or not invitation.is_open:
        return _closed(request, invitation)
    context = {"invitation": invitation, "inviter": _inviter(invitation),
               "school_sign_in": _school_sign_in(invitation)}
    if request.user.is_authenticated:
        return _join_signed_in(request, invitation, context)
    if selectors.has_account(invitation.email):
        # Their existing account joins, once they have signed in with it: a link never takes an account over.
        context["login_url"] = f"{reverse('login')}?next={request.path}"
        return render(request, "people/join_has_account.html", context)
    form = JoinForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.accept_invitation(invitation.pk, data["first_name"], data["last_name"], data["password1"])
        except services.InvitationClosed:
            invitation.refresh_from_db()
            return _closed(request, invitation)
        except services.AccountExists:
            return redirect("join", token=token)
        login(request, user, backend=BACKEND)
        return _welcome(request, invitation)
    context["form"] = form
    return render(request, "people/join.html", context)


def _school_sign_in(invitation):
    """The district's single sign-on, when it covers the invited address: the person may join with it instead of
    choosing a password (the sign-in finds this invitation by the address the school's provider confirms)."""
    sign_in = sign_in_selectors.sign_in_for_email(invitation.email)
    return sign_in if sign_in is not None and sign_in.district_id == invitation.district_id else None


def _join_signed_in(request, invitation, context):
    if request.user.email.strip().lower() != invitation.email:
        return render(request, "people/join_other_account.html", context, status=403)
    if request.method == "POST":
        try:
            services.join_by_invitation(invitation.pk, request.user)
        except services.InvitationClosed:
            invitation.refresh_from_db()
            return _closed(request, invitation)
        except services.AlreadyInAnotherDistrict:
            return render(request, "people/join_other_account.html", {**context, "elsewhere": True}, status=403)
        return _welcome(request, invitation)
    return render(request, "people/join_confirm.html", context)


def _welcome(request, invitation):
    messages.success(request, _("Welcome to %(district)s on AssetLens. You are a %(role)s here.")
                     % {"district": invitation.district.name, "role": invitation.get_role_display()})
    return redirect("dashboard")


def _inviter(invitation: Invitation) -> str:
    return selectors.person_name(invitation.invited_by) if invitation.invited_by else ""


def _closed(request, invitation: Invitation | None):
    """What a link that no longer works says: why, and whom to ask for a new one. Nothing else."""
    if invitation is None:
        return render(request, "people/join_closed.html", {"reason": "unknown"}, status=404)
    reason = ("used" if invitation.accepted_at else "revoked" if invitation.revoked_at else "expired")
    return render(request, "people/join_closed.html", {"reason": reason, "invitation": invitation,
                                                        "inviter": _inviter(invitation)}, status=410)


@staff_required
def district_overview(request):
    """Site staff: every district with its people, products and audits, and the way into its rubrics and people."""
    return render(request, "people/district_overview.html", selectors.districts_page(request.GET.get("page")))


@login_required
def district_people(request, pk):
    """Site staff read a district's people and invitations; nothing here changes them (that is the district
    admins' People page). Each look is logged, since staff see into a district they do not belong to.
    For anyone else no district is found here: a 404, like every other district's row."""
    district = get_object_or_404(District.objects.all() if request.user.is_staff else District.objects.none(),
                                 pk=pk)
    log.info("Site staff user %s read the people of district %s", request.user.pk, district.pk)
    context = selectors.people_page(district, page_number=request.GET.get("page"))
    context["district"] = district
    return render(request, "people/district_people.html", context)
