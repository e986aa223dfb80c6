from django.apps import AppConfig


class OnlineConfig(AppConfig):
    """The public front door: pages a member of the public or a professional uses without signing in."""

    name = "earlyhelp.online"
    verbose_name = "Online services"

    def ready(self):
        from . import checks  # noqa: F401,PLC0415 (registers the system check: an app's ready() is where Django does)
