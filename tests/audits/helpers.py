from audits import tasks
from audits.models import Answer, Audit
from rubrics.selectors import version_structure


def all_questions(version):
    return [q for c in version_structure(version) for q in c.questions.all()]


def answered_audit(product, version, auditor, level=3):
    """An audit of `product` with every question answered at `level` (an int, or a function of the index)."""
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=auditor)
    for i, question in enumerate(all_questions(version)):
        Answer.objects.create(audit=audit, question=question, level=level(i) if callable(level) else level,
                              notes=f"Evidence for question {i}")
    return audit


def scored_audit(product, version, auditor, level=3):
    """An answered audit, submitted and scored in this process as the worker would score it."""
    audit = answered_audit(product, version, auditor, level=level)
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
    assert tasks.score_submitted_audit(audit.pk) == "scored"
    return audit
