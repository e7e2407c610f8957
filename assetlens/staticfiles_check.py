"""Production settings serve static files through their manifest (whitenoise's CompressedManifestStaticFilesStorage):
without `collectstatic`, every `{% static %}` raises and every page is a 500. Say so at start-up instead.

`assetlens/wsgi.py` refuses to start gunicorn, and `manage.py check --deploy` reports it.
"""

from pathlib import Path

from django.conf import settings
from django.core import checks


def static_files_problem() -> str | None:
    """Why production settings cannot serve pages with the static files as they are, or None."""
    if not settings.PRODUCTION:
        return None
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        return None
    return (f"Static files are not collected: {manifest} is missing, and with production settings "
            "(ASSETLENS_PRODUCTION=1) every page would fail. Run `python manage.py collectstatic --no-input` with "
            "the same settings before starting the web server (`make serve` does).")


@checks.register(checks.Tags.staticfiles, deploy=True)
def static_files_collected(app_configs, **kwargs) -> list[checks.CheckMessage]:
    problem = static_files_problem()
    return [] if problem is None else [checks.Error(problem, id="assetlens.E001")]
