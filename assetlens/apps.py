from django.apps import AppConfig

from . import staticfiles_check  # noqa: F401 - registers its system check (check --deploy)


class AssetLensConfig(AppConfig):
    name = "assetlens"
    verbose_name = "AssetLens districts"
