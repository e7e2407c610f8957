"""The rubric JSON format (`assetlens-rubric/1`): validate a whole file, then build it, all or nothing.

Validation is pure (plain data in, a list of "path: problem" strings out) so it can name exactly
where a file is wrong, and so the data migration can use it with historical models.
"""

import json
from decimal import Decimal, InvalidOperation

FORMAT = "assetlens-rubric/1"
MAX_TEXT = 5000
MAX_TITLE = 200
# A full rubric is about 30 KB; a megabyte leaves room for many translations and still parses instantly.
MAX_FILE_BYTES = 1024 * 1024
TRANSLATABLE = {
    "criterion": ("title", "description"),
    "question": ("prompt", "help_text", "asset_example", "deficit_example"),
    "level": ("label", "descriptor"),
}


def _decimal(value):
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _positive_number(value):
    """A weight as stored (two decimal places, below 10000), or None when it would not be stored exactly."""
    return None if _weight_problem(value) else _decimal(value).quantize(Decimal("0.01"))


def _weight_problem(value):
    """Why a weight cannot be stored as it is (the column holds 0.01 to 9999.99), or None. Never rounded."""
    number = _decimal(value)
    if number is None or number <= 0:
        return "must be a positive number"
    if number >= Decimal("10000"):
        return "must be less than 10000"
    if number != number.quantize(Decimal("0.01")):
        return "must have at most two decimal places (such as 1.25)"
    return None


def _check_weight(errors, path, value):
    if (problem := _weight_problem(value)) is not None:
        errors.append(f"{path}: {problem}")


def _check_text(errors, path, value, *, required, limit=MAX_TEXT):
    if value is None or value == "":
        if required:
            errors.append(f"{path}: is required")
        return
    if not isinstance(value, str):
        errors.append(f"{path}: must be text")
    elif len(value) > limit:
        errors.append(f"{path}: must be at most {limit} characters (it has {len(value)})")
    elif "\x00" in value:
        errors.append(f"{path}: must not contain null characters")
    elif not _storable(value):
        errors.append(f"{path}: must be valid Unicode text (it has a lone surrogate such as \\ud800)")


def _storable(text):
    """JSON may spell half of a surrogate pair ("\\ud800"); no database column can hold it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_key(errors, path, value, seen):
    if not isinstance(value, str) or not value or len(value) > 80 or not all(
        c.isalnum() or c in "-_" for c in value
    ):
        errors.append(f"{path}: must be a short key of letters, digits, '-' or '_'")
    elif value in seen:
        errors.append(f"{path}: '{value}' is used twice")
    else:
        seen.add(value)


def _check_translations(errors, path, value, part):
    """Optional {"es": {"prompt": "…"}}: a language code to the translated fields of this part."""
    if value is None:
        return
    if not isinstance(value, dict):
        errors.append(f"{path}: must be an object of language codes")
        return
    for lang, fields in value.items():
        lpath = f"{path}.{lang}"
        if not (isinstance(lang, str) and 2 <= len(lang) <= 10 and all(c.isalpha() or c == "-" for c in lang)):
            errors.append(f"{lpath}: must be a language code such as \"es\"")
            continue
        if not isinstance(fields, dict):
            errors.append(f"{lpath}: must be an object of translated fields")
            continue
        for name, text in fields.items():
            if name not in TRANSLATABLE[part]:
                errors.append(f"{lpath}.{name}: is not a field that can be translated here")
            else:
                _check_text(errors, f"{lpath}.{name}", text, required=False)


def _check_levels(errors, path, levels):
    if not isinstance(levels, list) or len(levels) < 2:
        errors.append(f"{path}: must be a list of at least two levels")
        return
    values = []
    for i, level in enumerate(levels):
        lpath = f"{path}[{i}]"
        if not isinstance(level, dict):
            errors.append(f"{lpath}: must be an object")
            continue
        value = level.get("value")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 20:
            errors.append(f"{lpath}.value: must be a whole number from 0 to 20")
        else:
            values.append(value)
        _check_text(errors, f"{lpath}.label", level.get("label"), required=True, limit=120)
        _check_text(errors, f"{lpath}.descriptor", level.get("descriptor"), required=True)
        _check_translations(errors, f"{lpath}.translations", level.get("translations"), "level")
    if values and len(values) == len(levels):
        if len(set(values)) != len(values):
            errors.append(f"{path}: level values must not repeat")
        elif sorted(values) != list(range(len(values))):
            errors.append(f"{path}: level values must run 0, 1, 2 … without gaps")


def validate(data):
    """Every problem in the file, each as 'where: what'. An empty list means it can be imported. A key or
    language code quoted in a message may hold a lone surrogate: it is shown escaped, so the page can be sent."""
    return [problem.encode("utf-8", "backslashreplace").decode("utf-8") for problem in _problems(data)]


def _problems(data):
    if not isinstance(data, dict):
        return ["(top level): must be a JSON object"]
    errors = []
    if data.get("format") != FORMAT:
        errors.append(f"format: must be \"{FORMAT}\"")
    if data.get("key") is not None:  # optional: files from before rubric keys have none
        _check_key(errors, "key", data["key"], set())
    _check_text(errors, "name", data.get("name"), required=True, limit=MAX_TITLE)
    _check_text(errors, "description", data.get("description"), required=False)
    if isinstance(data.get("change_note"), str):  # anything else is left out, as the format says
        _check_text(errors, "change_note", data["change_note"], required=False)
    criteria = data.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        errors.append("criteria: must be a non-empty list")
        return errors
    if len(criteria) > 100:
        errors.append("criteria: must have at most 100 criteria")
        return errors
    criterion_keys, all_question_keys = set(), set()
    for ci, criterion in enumerate(criteria):
        cpath = f"criteria[{ci}]"
        if not isinstance(criterion, dict):
            errors.append(f"{cpath}: must be an object")
            continue
        _check_key(errors, f"{cpath}.key", criterion.get("key"), criterion_keys)
        _check_text(errors, f"{cpath}.title", criterion.get("title"), required=True, limit=MAX_TITLE)
        _check_text(errors, f"{cpath}.description", criterion.get("description"), required=False)
        _check_weight(errors, f"{cpath}.weight", criterion.get("weight", 1))
        _check_translations(errors, f"{cpath}.translations", criterion.get("translations"), "criterion")
        questions = criterion.get("questions")
        if not isinstance(questions, list) or not questions:
            errors.append(f"{cpath}.questions: must be a non-empty list")
            continue
        if len(questions) > 200:
            errors.append(f"{cpath}.questions: must have at most 200 questions")
            continue
        for qi, question in enumerate(questions):
            qpath = f"{cpath}.questions[{qi}]"
            if not isinstance(question, dict):
                errors.append(f"{qpath}: must be an object")
                continue
            # Question keys are unique across the whole rubric: versions are compared and answers
            # carried over by question key, even when a question moves to another criterion.
            _check_key(errors, f"{qpath}.key", question.get("key"), all_question_keys)
            _check_text(errors, f"{qpath}.prompt", question.get("prompt"), required=True)
            for field in ("help_text", "asset_example", "deficit_example"):
                _check_text(errors, f"{qpath}.{field}", question.get(field), required=False)
            _check_weight(errors, f"{qpath}.weight", question.get("weight", 1))
            for flag in ("required", "allow_not_applicable"):
                if flag in question and not isinstance(question[flag], bool):
                    errors.append(f"{qpath}.{flag}: must be true or false")
            _check_translations(errors, f"{qpath}.translations", question.get("translations"), "question")
            _check_levels(errors, f"{qpath}.levels", question.get("levels"))
    return errors


def _reject_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def parse(raw):
    """Bytes of an uploaded file → (data, errors). The content decides, never the file name."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [f"file: is {len(raw) // 1024} KB; a rubric file can be at most {MAX_FILE_BYTES // 1024} KB"]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, ["file: is not a text file in UTF-8; export a rubric from AssetLens to see the format"]
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return None, [f"file: is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]
    except (ValueError, RecursionError) as exc:
        return None, [f"file: is not valid JSON ({exc})" if isinstance(exc, ValueError)
                      else "file: is nested too deeply to be a rubric"]
    return data, validate(data)


def build(data, *, Rubric, RubricVersion, Criterion, Question, Level, district=None, is_default=False,
          publish=True, created_by=None, rubric=None):
    """Create the rubric (or a new version of `rubric`) from validated data. Call inside a transaction."""
    if rubric is None:
        # Only when there is one: the data migration that loads the default rubric runs before keys existed.
        key = {"key": data["key"]} if data.get("key") else {}
        rubric = Rubric.objects.create(
            name=data["name"], description=data.get("description") or "", district=district, is_default=is_default,
            **key,
        )
        number = 1
    else:
        last = RubricVersion.objects.filter(rubric=rubric).order_by("-number").first()
        number = (last.number if last else 0) + 1
    note = data.get("change_note")
    version = RubricVersion.objects.create(
        rubric=rubric, number=number, status="draft", created_by=created_by,
        change_note=note if isinstance(note, str) else "",
    )
    # Three inserts whatever the size (PostgreSQL and SQLite both return the new ids from a bulk insert).
    criteria = Criterion.objects.bulk_create(
        Criterion(version=version, key=c["key"], title=c["title"], description=c.get("description") or "",
                  weight=_positive_number(c.get("weight", 1)), order=ci + 1, translations=c.get("translations") or {})
        for ci, c in enumerate(data["criteria"])
    )
    questions = Question.objects.bulk_create(
        Question(criterion=criterion, key=q["key"], prompt=q["prompt"], help_text=q.get("help_text") or "",
                 asset_example=q.get("asset_example") or "", deficit_example=q.get("deficit_example") or "",
                 weight=_positive_number(q.get("weight", 1)), order=qi + 1,
                 required=q.get("required", True), allow_not_applicable=q.get("allow_not_applicable", False),
                 translations=q.get("translations") or {})
        for criterion, c in zip(criteria, data["criteria"], strict=True)
        for qi, q in enumerate(c["questions"])
    )
    question_data = [q for c in data["criteria"] for q in c["questions"]]
    Level.objects.bulk_create(
        Level(question=question, value=lv["value"], label=lv["label"], descriptor=lv["descriptor"],
              translations=lv.get("translations") or {})
        for question, q in zip(questions, question_data, strict=True)
        for lv in sorted(q["levels"], key=lambda lv: lv["value"])
    )
    if publish:
        from django.utils import timezone

        RubricVersion.objects.filter(pk=version.pk).update(status="published", published_at=timezone.now())
        version.status = "published"
    return version


def _number(value):
    return int(value) if value == value.to_integral_value() else float(value)


def export(version):
    """A version as the documented JSON structure; import of this gives an identical rubric."""
    criteria = []
    for c in version.criteria.prefetch_related("questions__levels").order_by("order"):
        questions = []
        for q in c.questions.all():
            questions.append({
                "key": q.key, "prompt": q.prompt, "help_text": q.help_text,
                "asset_example": q.asset_example, "deficit_example": q.deficit_example,
                "weight": _number(q.weight), "required": q.required,
                "allow_not_applicable": q.allow_not_applicable,
                "levels": [{"value": lv.value, "label": lv.label, "descriptor": lv.descriptor,
                            **({"translations": lv.translations} if lv.translations else {})}
                           for lv in q.levels.all()],
                **({"translations": q.translations} if q.translations else {}),
            })
        criteria.append({
            "key": c.key, "title": c.title, "description": c.description, "weight": _number(c.weight),
            "questions": questions, **({"translations": c.translations} if c.translations else {}),
        })
    return {"format": FORMAT, **({"key": version.rubric.key} if version.rubric.key else {}),
            "name": version.rubric.name, "description": version.rubric.description, "criteria": criteria}
