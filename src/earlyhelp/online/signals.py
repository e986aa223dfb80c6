"""A request's acknowledgement goes with the request. A recorded request is deleted with its contact (a cascade, which
calls no model's delete()): the signal is how the record of the e-mail that acknowledged it goes too."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from earlyhelp.messaging import services as messaging

from .models import HelpRequest


@receiver(pre_delete, sender=HelpRequest, dispatch_uid="online.forget_acknowledgement")
def forget_acknowledgement(sender, instance, **kwargs):
    messaging.forget(references=[instance.reference])
