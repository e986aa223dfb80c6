from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "earlyhelp.rights"
    verbose_name = "Rights requests"

    def ready(self):
        # The e-mail that tells an online requester their reference (`services.online`).
        from earlyhelp.audit.models import Purpose  # noqa: PLC0415 (apps load before models can be imported)
        from earlyhelp.messaging import acknowledgements  # noqa: PLC0415 (as above)

        from .services.online import ACKNOWLEDGEMENT  # noqa: PLC0415 (as above)

        acknowledgements.register(ACKNOWLEDGEMENT, subject="We have received your data protection request",
                                  template="rights/email/acknowledgement.txt", purpose=Purpose.RIGHTS_REQUESTS)
