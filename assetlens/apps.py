from django.apps import AppConfig


class AssetLensConfig(AppConfig):
    name = "assetlens"
    verbose_name = "AssetLens districts"

    def ready(self):
        from . import pagecache

        pagecache.install()
