from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits"

    def ready(self):
        # Celery's autodiscovery only imports audits.tasks; the report worker lives in its own module.
        from . import report_tasks  # noqa: F401
