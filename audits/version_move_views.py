"""A leader moves their own draft audit to the newest rubric version, after seeing what that changes."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assetlens.tenancy import district_required

from . import version_move
from .models import Audit


@district_required
def audit_version_move(request, pk):
    audit = get_object_or_404(
        Audit.objects.select_related("product", "rubric_version__rubric"),
        pk=pk, district=request.district, auditor=request.user,
    )
    if not audit.is_draft:
        return redirect("audit_result", pk=audit.pk)
    target = version_move.offer_for(audit)
    if target is None:
        messages.info(request, _("This audit already uses the newest rubric version."))
        return redirect("audit_review", pk=audit.pk)
    if request.method == "POST":
        result = version_move.move(audit, target)
        if result is None:
            messages.warning(request, _("This audit changed while you were deciding, so it was not moved. "
                                        "Have a look and try again."))
            return redirect("audit_review", pk=audit.pk)
        summary = ngettext("%(n)s answer came with you.", "%(n)s answers came with you.", len(result.kept)) % {
            "n": len(result.kept)}
        if result.fresh or result.new:
            summary += " " + _("The questions listed below as not answered yet are new or changed; your notes "
                               "on changed questions are kept.")
        messages.success(request, _("Your audit now uses %(v)s.") % {"v": target} + " " + summary)
        return redirect("audit_review", pk=audit.pk)
    return render(request, "audits/version_move.html", {
        "audit": audit, "target": target, "plan": version_move.plan_for(audit, target),
    })
