from rubrics import services
from rubrics.models import Criterion, Level, Question


def draft_of(rubric, user=None):
    return services.start_draft(rubric, user=user)


def first_question(version):
    return Question.objects.filter(criterion__version=version).order_by("criterion__order", "order").first()


def add_question(criterion, key, prompt="What languages do families use with the product?", weight=1, levels=3):
    question = Question.objects.create(criterion=criterion, key=key, prompt=prompt, weight=weight,
                                       order=criterion.questions.count() + 10)
    Level.objects.bulk_create(Level(question=question, value=v, label=f"Level {v}", descriptor=f"Looks like {v}")
                              for v in range(levels))
    return question


def first_criterion(version):
    return Criterion.objects.filter(version=version).order_by("order").first()
