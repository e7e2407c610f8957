"""Small services shared by views and tasks: load through the ORM, call the pure modules, save."""

import logging
import os
import time

from django.db import transaction
from django.utils import timezone

from rubrics.services import version_structure

from . import scoring
from .models import Answer, Audit, Score

log = logging.getLogger(__name__)


def scoring_specs(criteria):
    """The rubric as the scoring function sees it: criterion and question specs, from a loaded structure."""
    criterion_specs, question_specs = [], []
    for criterion in criteria:
        criterion_specs.append(scoring.CriterionSpec(criterion.id, criterion.title, criterion.weight))
        for question in criterion.questions.all():
            levels = list(question.levels.all())
            question_specs.append(scoring.QuestionSpec(
                id=question.id, criterion_id=criterion.id, weight=question.weight,
                max_level=max(lv.value for lv in levels),
                level_labels={lv.value: lv.label for lv in levels},
            ))
    return criterion_specs, question_specs


def scoring_inputs(audit, criteria=None):
    criteria = criteria if criteria is not None else version_structure(audit.rubric_version)
    criterion_specs, question_specs = scoring_specs(criteria)
    answers = [
        scoring.AnswerInput(a.question_id, a.level, a.not_applicable)
        for a in Answer.objects.filter(audit=audit)
    ]
    return criterion_specs, question_specs, answers


def missing_required(audit, criteria):
    """(section number, question) for every required question not yet answered."""
    answered = {a.question_id for a in audit.answers.all() if a.is_answered}
    missing = []
    for number, criterion in enumerate(criteria, start=1):
        for question in criterion.questions.all():
            if question.required and question.id not in answered:
                missing.append((number, question))
    return missing


def enqueue_scoring(audit_id):
    """Hand the audit to a worker. If the broker is down the audit stays submitted and the sweep retries."""
    from .tasks import score_audit

    try:
        score_audit.delay(audit_id)
    except Exception:  # noqa: BLE001 - the broker being unreachable must never fail the leader's request
        log.warning("Could not enqueue scoring for audit %s; the periodic sweep will pick it up.", audit_id)


def submit(audit):
    """Lock the answers and ask for scoring once the submission is committed. False if not a draft."""
    with transaction.atomic():
        claimed = Audit.objects.filter(pk=audit.pk, status=Audit.Status.DRAFT).update(
            status=Audit.Status.SUBMITTED, submitted_at=timezone.now(), failure_message=""
        )
        if claimed:
            transaction.on_commit(lambda: enqueue_scoring(audit.pk))
    return bool(claimed)


def retry_scoring(audit):
    with transaction.atomic():
        claimed = Audit.objects.filter(pk=audit.pk, status=Audit.Status.SCORING_FAILED).update(
            status=Audit.Status.SUBMITTED, failure_message=""
        )
        if claimed:
            transaction.on_commit(lambda: enqueue_scoring(audit.pk))
    return bool(claimed)


def score_submitted_audit(audit_id):
    """Score one submitted audit exactly once.

    The conditional UPDATE claims the audit and holds its row lock until commit, so a second worker
    (or a redelivered message after a crash) either waits and then finds it scored, or, if the first
    worker died mid-way, finds the transaction rolled back and the audit still submitted.
    """
    with transaction.atomic():
        claimed = Audit.objects.filter(pk=audit_id, status=Audit.Status.SUBMITTED).update(
            status=Audit.Status.SCORED, scored_at=timezone.now(), failure_message=""
        )
        if not claimed:
            return "skipped"
        _hold_claim_for_crash_tests(audit_id)
        audit = Audit.objects.select_related("rubric_version", "product").get(pk=audit_id)
        if audit.product.district_id != audit.district_id:
            raise scoring.ScoringError("This audit's product belongs to another district.")
        result = scoring.score(*scoring_inputs(audit))
        Score.objects.update_or_create(audit=audit, defaults={"overall": result.overall, "details": result.as_dict()})
    return "scored"


def _hold_claim_for_crash_tests(audit_id):
    """Only the crash tests set ASSETLENS_TEST_SCORING_DELAY: it widens the window to kill a worker mid-scoring."""
    delay = float(os.environ.get("ASSETLENS_TEST_SCORING_DELAY") or 0)
    if delay > 0:
        log.warning("Holding the scoring claim on audit %s for %ss in process %s", audit_id, delay, os.getpid())
        time.sleep(delay)


def mark_scoring_failed(audit_id, message):
    Audit.objects.filter(pk=audit_id, status=Audit.Status.SUBMITTED).update(
        status=Audit.Status.SCORING_FAILED, failure_message=message[:2000]
    )
