"""A person's notifications: the list (opening it marks what it shows as read), each one's way to the page it is
about, the choice of email now / daily digest / app only per kind, and the one-click unsubscribe link from email.

Only the person's own notifications in their district open; anyone else's is a 404.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from assetlens.tenancy import district_required

from . import selectors, services, tokens, wording
from .forms import PreferencesForm
from .models import Delivery, Kind


@district_required
def notification_list(request):
    page = selectors.page_for(request.user.id, request.district.id, request.GET.get("page"))
    rows = [{"id": n.id, "words": wording.describe(n.event, n.params), "created_at": n.created_at,
             "unread": n.read_at is None} for n in page.object_list]
    # Seen now: the header's count drops on this very page; the list still marks which were new.
    if services.mark_read(request.user.id, request.district.id, [row["id"] for row in rows if row["unread"]]):
        request.membership.refresh_from_db(fields=["unread_notifications"])
    return render(request, "notifications/notification_list.html", {"page": page, "rows": rows})


@district_required
def notification_open(request, pk):
    notification = selectors.own_notification(request.user.id, request.district.id, pk)
    if notification is None:
        raise Http404("No such notification of yours.")
    services.mark_read(request.user.id, request.district.id, [notification.pk])
    if not url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect("notification_list")
    return redirect(notification.link)


@district_required
def notification_settings(request):
    current = selectors.deliveries_for(request.user.id)
    form = PreferencesForm(request.POST if request.method == "POST" else None, current=current)
    if request.method == "POST" and form.is_valid():
        services.save_preferences(request.user.id, form.cleaned_data)
        messages.success(request, _("Your notification choices are saved."))
        return redirect("notification_settings")
    return render(request, "notifications/notification_settings.html", {"form": form},
                  status=400 if form.errors else 200)


# Mail clients that offer "Unsubscribe" themselves (RFC 8058) post to this link without a CSRF token or a
# session; the signed token is what proves the request, so the link works signed out, as the law asks.
@csrf_exempt
def unsubscribe(request, token):
    try:
        wanted = tokens.read(token)
    except tokens.BadToken as bad:
        return render(request, "notifications/unsubscribe_bad.html", {"reason": bad.reason}, status=400)
    if not selectors.person_exists(wanted.user_id):
        return render(request, "notifications/unsubscribe_bad.html",
                      {"reason": _("This unsubscribe link belongs to an account that no longer exists.")}, status=400)
    label = _("your daily digest") if wanted.kind == tokens.DIGEST else Kind(wanted.kind).label
    if request.method == "POST":
        services.unsubscribe(wanted.user_id, wanted.kind)
        return render(request, "notifications/unsubscribe_done.html", {"label": label,
                                                                        "app_only": Delivery.APP.label})
    return render(request, "notifications/unsubscribe_confirm.html", {"label": label, "token": token})
