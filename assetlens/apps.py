from django.apps import AppConfig


class AssetLensConfig(AppConfig):
    name = "assetlens"
    verbose_name = "AssetLens districts"
