"""P3: the notice tells families what happens if they do not give information we need (conformance, clause P3.2)."""

import pytest
from django.urls import reverse

from earlyhelp.privacy.models import PrivacyNotice

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P3")]

SENTENCE = "If you do not give us information we need, we may not be able to provide the support you want."


def test_the_notice_says_what_happens_if_information_we_need_is_not_given(client):
    page = " ".join(client.get(reverse("web:privacy-notice")).content.decode().split())
    assert SENTENCE in page
    published = PrivacyNotice.objects.get(version=1).content["statements"]
    [statement] = [s for s in published if s["promise"] == "P3"]
    assert SENTENCE in " ".join(statement["text"].split())
