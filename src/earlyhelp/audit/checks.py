from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def reads_are_audited(app_configs, **kwargs):
    if settings.ENVIRONMENT == "production" and not settings.EARLYHELP_AUDIT_READS:
        return [Error("EARLYHELP_AUDIT_READS is off: every read of personal data must be audited in production.",
                      id="earlyhelp.E001")]
    return []
