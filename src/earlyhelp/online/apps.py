from django.apps import AppConfig


class OnlineConfig(AppConfig):
    """The public front door: pages a member of the public or a professional uses without signing in."""

    name = "earlyhelp.online"
    verbose_name = "Online services"

    def ready(self):
        from . import checks  # noqa: F401,PLC0415 (registers the system check: an app's ready() is where Django does)
        # The e-mail that tells someone who asked for early help their reference (`services.submit_request`), and
        # its record gone with the request (`signals`).
        from earlyhelp.audit.models import Purpose  # noqa: PLC0415 (apps load before models can be imported)
        from earlyhelp.messaging import acknowledgements  # noqa: PLC0415 (as above)

        from . import signals  # noqa: F401,PLC0415 (as above)
        from .services import ACKNOWLEDGEMENT  # noqa: PLC0415 (as above)

        acknowledgements.register(ACKNOWLEDGEMENT, subject="We have received your request for early help",
                                  template="online/email/acknowledgement.txt", purpose=Purpose.EARLY_HELP_CASEWORK)
