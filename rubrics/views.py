"""The rubric editor: site staff keep every rubric, a district admin keeps their district's variants.

Every look-up goes through `_visible_rubrics(request)`, so another district's variant is a 404;
a role that may look but not change gets a 403 that says why.
"""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import diff, selectors, serialization, services
from .forms import (
    ChangeNoteForm,
    CriterionForm,
    ImportForm,
    LevelFormSet,
    QuestionForm,
    RubricNameForm,
    new_question_levels,
)
from .models import Criterion, FrozenVersionError, Question, Rubric, RubricVersion


def rubric_view(view):
    """Signed in, and site staff or a member of a district. The role is checked once the object is found,
    so another district's rubric is a 404 for everyone there, whatever their role."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff and request.membership is None:
            return render(request, "no_district.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _posted(request, files=False):
    """The submitted data on a POST (even an empty one, so it is checked), else None for a fresh form."""
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST


def _require_keeper(request):
    """Site staff and district admins keep rubrics; leaders and committee members are told who does."""
    if request.user.is_staff or request.membership.is_district_admin:
        return
    raise PermissionDenied(_("Rubrics are kept by your district admin. You see your district's rubric in every "
                             "audit you start."))


def _visible_rubrics(request):
    if request.user.is_staff:
        return Rubric.objects.all()
    return selectors.rubrics_for(request.district)


def _can_edit(request, rubric):
    """Staff change any rubric; a district admin changes their district's own variants, never the shared one."""
    return request.user.is_staff or (rubric.district_id is not None and rubric.district_id == request.district.id)


def _check_can_edit(request, rubric):
    if _can_edit(request, rubric):
        return
    raise PermissionDenied(_("The shared rubric is kept by site staff. Adopt it as your district's own "
                             "rubric to change it."))


def _rubric(request, pk):
    rubric = get_object_or_404(_visible_rubrics(request).select_related("district", "based_on"), pk=pk)
    _require_keeper(request)
    return rubric


def _version(request, pk):
    version = get_object_or_404(RubricVersion.objects.select_related("rubric"), pk=pk,
                                rubric__in=_visible_rubrics(request))
    _require_keeper(request)
    return version


def _draft(request, version):
    """The version, if it may be edited; a published one is frozen and says how to change it."""
    _check_can_edit(request, version.rubric)
    if version.is_published:
        messages.warning(request, _("Version %(n)s is published, so it stays as it is for the audits that use it. "
                                    "Choose “Edit” to start a new draft from it.") % {"n": version.number})
        return None
    return version


def _frozen_response(request, version):
    return redirect("rubric_version", pk=version.pk)


@rubric_view
def rubric_list(request):
    _require_keeper(request)
    rubrics = (
        _visible_rubrics(request).select_related("district", "based_on")
        .prefetch_related(Prefetch("versions", queryset=RubricVersion.objects.order_by("-number")))
        .order_by("district__name", "name")
    )
    in_use = selectors.in_use_for_new_audits(None if request.user.is_staff else request.district)
    for rubric in rubrics:
        for v in rubric.versions.all():
            v.in_use = in_use.get(v.pk, 0)
    return render(request, "rubrics/rubric_list.html", {"rubrics": rubrics, "staff_view": request.user.is_staff})


@rubric_view
def rubric_detail(request, pk):
    rubric = _rubric(request, pk)
    versions = list(rubric.versions.select_related("created_by").order_by("-number"))
    in_use = selectors.in_use_for_new_audits(None if request.user.is_staff else request.district)
    for v in versions:
        v.in_use = in_use.get(v.pk, 0)
    can_edit = _can_edit(request, rubric)
    own_variants = []
    if rubric.district_id is None and request.district is not None:
        own_variants = list(Rubric.objects.filter(district=request.district, based_on=rubric))
    return render(request, "rubrics/rubric_detail.html", {
        "rubric": rubric, "versions": versions, "can_edit": can_edit,
        "draft": next((v for v in versions if not v.is_published), None),
        "can_adopt": rubric.is_default and request.district is not None
        and request.membership.is_district_admin and any(v.is_published for v in versions),
        "own_variants": own_variants, "staff_view": request.user.is_staff,
    })


@rubric_view
def rubric_adopt(request):
    _require_keeper(request)
    default = get_object_or_404(Rubric, district__isnull=True, is_default=True)
    if request.district is None:
        raise PermissionDenied(_("Adopting a rubric makes a copy for one district; it is done by that district's "
                                 "admin."))
    suggested = f"{default.name} · {request.district.name}"
    form = RubricNameForm(_posted(request), initial={"name": suggested}, district=request.district)
    if request.method == "POST" and form.is_valid():
        version = services.adopt(default, request.district, form.cleaned_data["name"], user=request.user)
        messages.success(request, _("Your district's own copy is ready as a draft. Add your local questions, "
                                    "then publish it when it is ready for audits."))
        return redirect("rubric_version", pk=version.pk)
    return render(request, "rubrics/rubric_adopt.html", {"rubric": default, "form": form})


@rubric_view
@require_POST
def rubric_start_draft(request, pk):
    rubric = _rubric(request, pk)
    _check_can_edit(request, rubric)
    source = None
    if request.POST.get("from"):
        if not request.POST["from"].isdigit():
            raise Http404("There is no such version to start from.")
        source = get_object_or_404(rubric.versions, pk=request.POST["from"])
    try:
        draft = services.start_draft(rubric, user=request.user, source=source)
    except ValueError:
        messages.error(request, _("This rubric has no published version to start from yet."))
        return redirect("rubric_detail", pk=rubric.pk)
    return redirect("rubric_version", pk=draft.pk)


@rubric_view
def rubric_version(request, pk):
    """A draft's editor, or a published version read-only with the way to change it."""
    version = _version(request, pk)
    criteria = selectors.version_structure(version)
    can_edit = _can_edit(request, version.rubric)
    note_form = None
    if can_edit and not version.is_published:
        note_form = ChangeNoteForm(_posted(request), instance=version)
        if request.method == "POST" and note_form.is_valid():
            services.save_change_note(note_form)
            messages.success(request, _("The note about this version is saved."))
            return redirect("rubric_version", pk=version.pk)
    return render(request, "rubrics/version_edit.html", {
        "version": version, "rubric": version.rubric, "criteria": criteria, "can_edit": can_edit,
        "note_form": note_form, "editing": note_form is not None, "problems": [],
        # The criterion to show open: the one just edited or moved (the redirect names it), the rest folded.
        "open_criterion": request.GET.get("open", ""),
    })


@rubric_view
def rubric_version_publish(request, pk):
    """Publishing asks first: it says who starts on the version and what changes, then publishes on POST."""
    version = _version(request, pk)
    if _draft(request, version) is None:
        return _frozen_response(request, version)
    if request.method == "POST":
        try:
            published = services.publish(version)
        except services.PublishError as exc:
            return render(request, "rubrics/version_edit.html", {
                "version": version, "rubric": version.rubric, "criteria": selectors.version_structure(version),
                "can_edit": True, "note_form": ChangeNoteForm(instance=version), "editing": True,
                "problems": exc.problems,
            }, status=400)
        if published:
            messages.success(request, _("Version %(n)s is published. New audits start on it; audits already "
                                        "under way keep the version they began with.") % {"n": version.number})
        return redirect("rubric_detail", pk=version.rubric_id)
    reach = selectors.publish_reach(version)
    changes = None
    if reach.replaces is not None:
        changes = diff.compare(services.version_data(reach.replaces), services.version_data(version))
    return render(request, "rubrics/version_publish.html", {
        "version": version, "rubric": version.rubric, "reach": reach, "changes": changes,
        "problems": services.publish_problems(version),
    })


@rubric_view
def rubric_version_discard(request, pk):
    version = _version(request, pk)
    if _draft(request, version) is None:
        return _frozen_response(request, version)
    if request.method == "POST":
        rubric_id = version.rubric_id
        services.discard_draft(version)
        messages.success(request, _("The draft is discarded. Published versions are just as they were."))
        if Rubric.objects.filter(pk=rubric_id).exists():
            return redirect("rubric_detail", pk=rubric_id)
        return redirect("rubric_list")
    return render(request, "rubrics/confirm_delete.html", {
        "version": version, "thing": str(version), "discard": True,
    })


@rubric_view
def rubric_version_preview(request, pk):
    version = _version(request, pk)
    return render(request, "rubrics/version_preview.html", {
        "version": version, "rubric": version.rubric, "criteria": selectors.version_structure(version),
    })


@rubric_view
def rubric_version_diff(request, pk):
    version = _version(request, pk)
    others = list(
        RubricVersion.objects.filter(rubric__in=_visible_rubrics(request)).exclude(pk=version.pk)
        .select_related("rubric").order_by("rubric__name", "-number")
    )
    against = None
    if request.GET.get("against"):
        against = next((v for v in others if str(v.pk) == request.GET["against"]), None)
        if against is None:
            raise Http404("There is no such version to compare with.")
    else:
        # By default: the version before this one, or for a district's first version, what it was adopted from.
        against = next((v for v in others if v.rubric_id == version.rubric_id and v.number < version.number), None)
        if against is None and version.rubric.based_on_id:
            against = next((v for v in others if v.rubric_id == version.rubric.based_on_id and v.is_published), None)
    changes = diff.compare(services.version_data(against), services.version_data(version)) if against else None
    return render(request, "rubrics/version_diff.html", {
        "version": version, "rubric": version.rubric, "against": against, "others": others, "changes": changes,
    })


@rubric_view
def rubric_version_export(request, pk):
    version = _version(request, pk)
    body = json.dumps(serialization.export(version), ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"{slugify(version.rubric.name) or 'rubric'}-v{version.number}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@rubric_view
def rubric_import(request):
    """Import a file as a new rubric; a file whose key is one of the district's rubrics asks first whether to
    add it to that rubric as its next version."""
    _require_keeper(request)
    limit_kb = serialization.MAX_FILE_BYTES // 1024
    too_big = int(request.META.get("CONTENT_LENGTH") or 0) > serialization.MAX_FILE_BYTES + 64 * 1024
    if request.method == "POST" and too_big:
        # Refuse before reading the body: a 50 MB upload is never parsed, stored or held in memory.
        form = ImportForm(district=request.district)
        return render(request, "rubrics/rubric_import.html", {
            "form": form, "too_big": True, "limit_kb": limit_kb,
        }, status=413)
    form = ImportForm(_posted(request), _posted(request, files=True), district=request.district)
    if request.method == "POST" and not form.is_valid() and form.data_from_file is not None \
            and form.cleaned_data.get("as_new"):
        # "Import as a separate rubric" with a name in use: asked again on the same page, the file kept.
        matched = selectors.rubric_kept_with_key(form.data_from_file.get("key"), request.district)
        if matched is not None:
            return _import_preview(request, form, matched, status=400)
    if request.method != "POST" or not form.is_valid():
        return render(request, "rubrics/rubric_import.html", {
            "form": form, "too_big": False, "limit_kb": limit_kb,
        }, status=400 if form.errors else 200)
    if form.cleaned_data["into"]:
        return _import_new_version(request, form)
    if form.matched is not None:
        return _import_preview(request, form, form.matched)
    version = services.import_rubric(form.data_from_file, request.district, user=request.user)
    messages.success(request, _("“%(name)s” is imported as a draft. Preview it, then publish it when it is "
                                "ready.") % {"name": version.rubric.name})
    return redirect("rubric_version", pk=version.pk)


def _import_preview(request, form, rubric, status=200, draft=None):
    """The file is a version of one of the district's rubrics: what would change, and the choice."""
    latest = rubric.versions.order_by("-number").first()
    draft = draft or next((v for v in [latest] if v is not None and not v.is_published), None)
    return render(request, "rubrics/rubric_import_preview.html", {
        "form": form, "rubric": rubric, "latest": latest, "draft": draft,
        "next_number": (latest.number if latest else 0) + 1,
        "changes": diff.compare(services.version_data(latest), form.data_from_file) if latest else None,
    }, status=status)


def _import_new_version(request, form):
    key = form.cleaned_data["into"]
    rubric = selectors.rubric_kept_with_key(key, request.district)
    if rubric is None:
        # The same answer whether no rubric has this key or another district's does: nothing is revealed.
        return render(request, "rubrics/rubric_import.html", {
            "form": ImportForm(district=request.district), "too_big": False,
            "limit_kb": serialization.MAX_FILE_BYTES // 1024,
            "missing_key": key,
        }, status=404)
    _check_can_edit(request, rubric)
    try:
        version = services.import_version(rubric, form.data_from_file, user=request.user)
    except services.DraftExistsError as exc:
        return _import_preview(request, form, rubric, status=409, draft=exc.draft)
    messages.success(request, _("The file is now version %(n)s of “%(name)s”, as a draft. Check what changed, "
                                "then publish it when it is ready.") % {"n": version.number, "name": rubric.name})
    return redirect("rubric_version", pk=version.pk)


# --- Criteria and questions of a draft ----------------------------------------------------------------


def _criterion(request, pk):
    criterion = get_object_or_404(Criterion.objects.select_related("version__rubric"), pk=pk,
                                  version__rubric__in=_visible_rubrics(request))
    _require_keeper(request)
    return criterion


def _question(request, pk):
    question = get_object_or_404(Question.objects.select_related("criterion__version__rubric"), pk=pk,
                                 criterion__version__rubric__in=_visible_rubrics(request))
    _require_keeper(request)
    return question


def _save_frozen_safe(request, save):
    """Run `save`; True when it ran. If the version was published meanwhile, say so instead of failing."""
    try:
        save()
    except FrozenVersionError:
        messages.warning(request, _("This version was published while you were editing, so it can no longer "
                                    "change. Start a new draft to make your change."))
        return False
    return True


@rubric_view
def criterion_create(request, version_pk):
    version = _version(request, version_pk)
    if _draft(request, version) is None:
        return _frozen_response(request, version)
    form = CriterionForm(_posted(request), version=version)
    if request.method == "POST" and form.is_valid():
        added = []
        if _save_frozen_safe(request, lambda: added.append(services.add_criterion(form, version))):
            messages.success(request, _("“%(t)s” is added. Now add its questions.") % {"t": added[0].title})
            return redirect(f"{_editor_url(version)}?open={added[0].pk}#criterion-{added[0].pk}")
        return redirect(_editor_url(version))
    return render(request, "rubrics/criterion_form.html", {"form": form, "version": version, "criterion": None})


def _editor_url(version):
    return reverse("rubric_version", args=[version.pk])


@rubric_view
def criterion_edit(request, pk):
    criterion = _criterion(request, pk)
    version = criterion.version
    if _draft(request, version) is None:
        return _frozen_response(request, version)
    form = CriterionForm(_posted(request), instance=criterion, version=version)
    if request.method == "POST" and form.is_valid():
        if _save_frozen_safe(request, lambda: services.update_criterion(form, criterion)):
            messages.success(request, _("Your changes to “%(t)s” are saved.") % {"t": criterion.title})
        return redirect(f"{_editor_url(version)}?open={criterion.pk}#criterion-{criterion.pk}")
    return render(request, "rubrics/criterion_form.html", {"form": form, "version": version, "criterion": criterion})


@rubric_view
def criterion_delete(request, pk):
    criterion = _criterion(request, pk)
    version = criterion.version
    if _draft(request, version) is None:
        return _frozen_response(request, version)
    if request.method == "POST":
        if _save_frozen_safe(request, lambda: services.delete_criterion(criterion)):
            messages.success(request, _("“%(t)s” and its questions are removed from this draft.")
                             % {"t": criterion.title})
        return redirect("rubric_version", pk=version.pk)
    return render(request, "rubrics/confirm_delete.html", {
        "version": version, "thing": criterion.title, "question_count": criterion.questions.count(),
    })


@rubric_view
@require_POST
def criterion_move(request, pk):
    criterion = _criterion(request, pk)
    return _move(request, criterion, criterion.version, criterion.version.criteria.all(),
                 f"?open={criterion.pk}#criterion-{criterion.pk}")


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _move(request, part, version, siblings, anchor):
    """Move a criterion or question up, down or to a numbered place among its siblings.

    The editor's script asks for JSON and gets the new order, so the page never reloads; without the script the
    same form posts and comes back to the editor. A published version never changes: 409 with the reason.
    """
    _check_can_edit(request, version.rubric)
    direction, position = request.POST.get("direction"), request.POST.get("position", "")
    # isdigit() alone lets "²" through, which int() refuses.
    wanted_place = position.isascii() and position.isdigit() and 0 < int(position) < 10_000
    if direction not in ("up", "down") and not wanted_place:
        message = _("Choose “Move up”, “Move down” or a place to move it to.")
        if _wants_json(request):
            return JsonResponse({"error": message}, status=400)
        messages.error(request, message)
        return redirect(f"{_editor_url(version)}{anchor}")
    try:
        if direction in ("up", "down"):
            services.move(part, siblings, direction)  # at either end it stays where it is
            ids = services.sibling_ids(siblings)
        else:
            ids = services.move_to(part, siblings, int(position))
    except FrozenVersionError:
        message = _("Version %(n)s is published, so its order stays as it is for the audits that use it. "
                    "Choose “Edit” to start a new draft from it.") % {"n": version.number}
        if _wants_json(request):
            return JsonResponse({"error": message}, status=409)
        messages.warning(request, message)
        return redirect(f"{_editor_url(version)}{anchor}")
    if _wants_json(request):
        return JsonResponse({
            "order": ids,
            "message": _("Moved to place %(n)s of %(total)s.") % {"n": ids.index(part.pk) + 1, "total": len(ids)},
        })
    return redirect(f"{_editor_url(version)}{anchor}")


def _question_form(request, version, question, criterion):
    form = QuestionForm(_posted(request), instance=question, version=version, prefix="question")
    levels = LevelFormSet(
        _posted(request), instance=question or Question(criterion=criterion), prefix="levels",
        initial=None if question else new_question_levels(),
    )
    if question is None:
        levels.extra = 5
    return form, levels


def _save_question(form, levels, criterion):
    question = form.save(commit=False)
    rows = [
        f.row() for f in levels.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("value") is not None
    ]
    return services.save_question(question, criterion, rows, changed_fields=form.changed_data,
                                  spanish=form.spanish())


@rubric_view
def question_create(request, criterion_pk):
    criterion = _criterion(request, criterion_pk)
    version = criterion.version
    if _draft(request, version) is None:
        return _frozen_response(request, version)
    form, levels = _question_form(request, version, None, criterion)
    if request.method == "POST" and form.is_valid() and levels.is_valid():
        saved = []
        if _save_frozen_safe(request, lambda: saved.append(_save_question(form, levels, criterion))):
            messages.success(request, _("The question is added."))
            return redirect(f"{_editor_url(version)}?open={criterion.pk}#question-{saved[0].pk}")
        return redirect("rubric_version", pk=version.pk)
    return render(request, "rubrics/question_form.html", {
        "form": form, "levels": levels, "version": version, "criterion": criterion, "question": None,
    }, status=400 if request.method == "POST" else 200)


@rubric_view
def question_edit(request, pk):
    question = _question(request, pk)
    criterion, version = question.criterion, question.criterion.version
    if _draft(request, version) is None:
        return _frozen_response(request, version)
    form, levels = _question_form(request, version, question, criterion)
    if request.method == "POST" and form.is_valid() and levels.is_valid():
        if _save_frozen_safe(request, lambda: _save_question(form, levels, criterion)):
            messages.success(request, _("Your changes to the question are saved."))
        return redirect(f"{_editor_url(version)}?open={criterion.pk}#question-{question.pk}")
    return render(request, "rubrics/question_form.html", {
        "form": form, "levels": levels, "version": version, "criterion": criterion, "question": question,
    }, status=400 if request.method == "POST" else 200)


@rubric_view
def question_delete(request, pk):
    question = _question(request, pk)
    version = question.criterion.version
    if _draft(request, version) is None:
        return _frozen_response(request, version)
    if request.method == "POST":
        if _save_frozen_safe(request, question.delete):
            messages.success(request, _("The question is removed from this draft."))
        return redirect("rubric_version", pk=version.pk)
    return render(request, "rubrics/confirm_delete.html", {"version": version, "thing": question.prompt})


@rubric_view
@require_POST
def question_move(request, pk):
    question = _question(request, pk)
    return _move(request, question, question.criterion.version, question.criterion.questions.all(),
                 f"?open={question.criterion_id}#question-{question.pk}")
