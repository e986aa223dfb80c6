"""Journey 3: the data team imports a partner's file, runs matching and reviews a match, in a real browser.

A file with a bad row is rejected with its row and column named and nothing imported; the corrected file is
imported; the linkage run proposes each family member as themself; the reviewer sees both records side by side
with the explanation and confirms with a reason; only then is the partner's record linked (P13).
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from earlyhelp.demo import partner_files
from earlyhelp.matching.models import DatasetType, SourceRecord
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.testing import world as test_world
from earlyhelp.testing.agreements import sharing_agreement
from earlyhelp.testing.matching import add_background_people

from .conftest import choose_from_long_list
from .test_journey import fill_date, sign_in, success_banner

pytestmark = pytest.mark.browser


def _partner_holds(person) -> dict:
    address = person.addresses.get(valid_to__isnull=True)
    return {"given_name": person.given_name, "family_name": person.family_name.upper(),
            "date_of_birth": person.date_of_birth, "address_line_1": address.line_1, "postcode": address.postcode}


@pytest.mark.promise("P13")
def test_import_match_and_review_journey(page, shots, tmp_path):
    world = test_world.build_world()
    family = test_world.make_family(world, family_name="Pennywhistle", seed=4, lead=world.lead)
    add_background_people(300)
    police = Organisation.objects.create(name="Test Constabulary", type=OrganisationType.POLICE)
    agreement = sharing_agreement(parties=[police], recorded_by=world.dpo, reference="ISA-2026-014")
    alex, sam, jamie, riley = family["members"]
    rows = partner_files.rows_for(DatasetType.POLICE_DOMESTIC_ABUSE, [_partner_holds(alex), _partner_holds(sam)],
                                  seed=8)
    bad_rows = [dict(rows[0]), {**rows[1], "incident_date": "31/02/2026"}]
    bad_file, good_file = tmp_path / "incidents-bad.csv", tmp_path / "incidents.csv"
    bad_file.write_bytes(partner_files.to_csv(bad_rows, DatasetType.POLICE_DOMESTIC_ABUSE))
    good_file.write_bytes(partner_files.to_csv(rows, DatasetType.POLICE_DOMESTIC_ABUSE))

    sign_in(page, "data_analyst")
    page.get_by_role("link", name="Data matching", exact=True).click()
    expect(page.get_by_role("heading", name="Data matching", level=1)).to_be_visible()

    def upload(path):
        page.get_by_role("link", name="Import a file").first.click()
        page.get_by_label("Which dataset is it").select_option(label="Police: domestic abuse incidents")
        choose_from_long_list(page, "Which partner sent it", "Test Constabulary")
        fill_date(page, "When did the partner send it", timezone.localdate())
        page.get_by_label("What will it be used for").select_option(label="Finding families who may need help")
        page.get_by_label("Which data-sharing agreement did it arrive under").select_option(value=str(agreement.pk))
        page.get_by_label("Upload the file").set_input_files(str(path))
        page.get_by_role("button", name="Check and import").click()

    # 1. The file with an impossible date is rejected, the row and column named, nothing imported.
    upload(bad_file)
    expect(page.locator("#batch-status")).to_contain_text("Rejected")
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("3")
    expect(errors).to_contain_text("incident")
    assert not SourceRecord.objects.exists()
    page.screenshot(path=str(shots / "matching-1-rejected.png"), full_page=True)

    # 2. The corrected file is imported.
    page.get_by_role("link", name="Back to the imports").click()
    upload(good_file)
    expect(page.locator("#batch-status")).to_contain_text("Imported")

    # 3. A linkage run proposes each parent as themself.
    page.get_by_role("link", name="Back to the imports").click()
    page.get_by_role("link", name="Linkage runs").first.click()
    page.get_by_role("button", name="Match 1 import now").click()
    # The run goes to the task backend (inline in tests): allow for a busy machine, as the demo's progress page does.
    expect(page.locator("#run-status")).to_contain_text("Finished", timeout=90_000)
    expect(page.locator("#run-stats")).to_contain_text("Possible matches to review")
    page.get_by_role("link", name="Review the matches").click()
    queue = page.locator("#queue")
    expect(queue.get_by_role("link")).to_have_count(2)
    assert not SourceRecord.objects.filter(person__isnull=False).exists()  # nothing linked by the system

    # 4. The reviewer compares the records, reads why, and confirms with a reason.
    queue.get_by_role("link", name="Alex").click()
    expect(page.get_by_role("heading", name="Is this the same person?")).to_be_visible()
    expect(page.locator("#side-by-side")).to_contain_text("PENNYWHISTLE")
    expect(page.locator("#explanation")).to_contain_text("Date of birth")
    page.screenshot(path=str(shots / "matching-2-review.png"), full_page=True)
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose whether this is the same person")
    page.get_by_label("Yes, link the partner's record to this person").check()
    page.get_by_label("Why").fill("Name, date of birth and address agree")
    page.get_by_role("button", name="Save the decision").click()
    success_banner(page, "The records are linked.")
    assert SourceRecord.objects.get(person=alex).linked_by.username == "data_analyst"
    expect(page.locator("#queue").get_by_role("link")).to_have_count(1)
    assert page.errors == []
