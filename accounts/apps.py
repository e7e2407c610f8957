from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in"

    def ready(self):
        # Receivers: a browser that signed in as someone is remembered (see accounts.signals).
        from . import signals  # noqa: F401
