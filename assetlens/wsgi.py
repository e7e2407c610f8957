import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from assetlens.staticfiles_check import static_files_problem

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assetlens.settings")
application = get_wsgi_application()

# Fail at start-up with the reason, not with a 500 on every page.
if (problem := static_files_problem()) is not None:
    raise ImproperlyConfigured(problem)
