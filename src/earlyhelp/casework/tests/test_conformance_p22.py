"""P22: information is recorded from every channel the notice names (conformance, clause P22.1)."""

import pytest

from earlyhelp.casework.forms import ContactForm
from earlyhelp.casework.models import Channel

pytestmark = pytest.mark.promise("P22")

# 004: "when you visit the Shropshire Council website also when you contact us in writing, speak to us on the
# phone, by email or any other type of electronic communication, or talk to us face to face".
NAMED_BY_THE_NOTICE = {"web", "writing", "phone", "email", "face_to_face"}


def test_every_channel_the_notice_names_can_be_recorded_and_offered():
    assert NAMED_BY_THE_NOTICE <= set(Channel.values)
    offered = {value for value, _ in ContactForm().fields["channel"].choices}
    assert NAMED_BY_THE_NOTICE <= offered
