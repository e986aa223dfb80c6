"""A deployment that sends through GOV.UK Notify needs its plain template too: without it every message fails."""

import uuid

from django.conf import settings
from django.core.checks import Error, register

NOTIFY_BACKEND = "django_gov_notify.backends.NotifyEmailBackend"


@register(deploy=True)
def notify_is_configured(app_configs, **kwargs):
    if settings.EMAIL_BACKEND != NOTIFY_BACKEND:
        return []
    try:
        uuid.UUID(settings.GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID)
    except ValueError:
        return [Error("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID must be the id of the GOV.UK Notify template that takes "
                      "a subject and a body: acknowledgements cannot be sent without it.", id="earlyhelp.E030")]
    return []
