from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "earlyhelp.messaging"
    verbose_name = "Messages sent to the public"

    def ready(self):
        from . import checks  # noqa: F401,PLC0415 (registers the deploy check)
