"""The API holds text to the rules of `records.text` (issue 16): a 422 naming the field, nothing saved."""

import pytest

from earlyhelp.access.models import ApiToken
from earlyhelp.casework.models import Contact
from earlyhelp.testing.world import make_family


@pytest.fixture
def api(client, world):
    _, raw = ApiToken.issue(user=world.front_door, name="text rules")
    family = make_family(world, lead=world.lead)

    def post(**changes):
        body = {"person_id": family["members"][0].pk, "household_id": family["household"].pk,
                "team_id": world.north.pk, "channel": "phone", "source": "school", "reason": "Worried",
                "consent_at_referral": "given", **changes}
        return client.post("/api/referrals", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")

    return post


@pytest.mark.parametrize("changes, field, message", [
    ({"reason": "x" * 20_001}, "reason", "20000"),
    ({"reason": "Paid \u202e0001"}, "reason", "Reason must not include hidden formatting characters"),
    ({"referrer_name": "Sam\x1b[31m"}, "referrer_name", "Referrer name must only include letters, numbers"),
    ({"referrer_name": "Sam\u200bSmith"}, "referrer_name", "Referrer name must not include hidden formatting"),
])
def test_text_breaking_the_rules_is_refused_naming_the_field(api, changes, field, message):
    before = Contact.objects.count()
    response = api(**changes)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field] and message in errors[0]["message"]
    assert Contact.objects.count() == before


def test_text_within_the_rules_is_kept_in_nfc(api):
    assert api(reason="Zoe\u0308 is worried\nat school").status_code == 201
    assert Contact.objects.latest("pk").reason == "Zoë is worried\nat school"
