from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "earlyhelp.accounts"
    verbose_name = "Sign-in and sessions"

    def ready(self):
        from . import signals  # noqa: F401  (tracked sessions, failed sign-ins, disabled users)
