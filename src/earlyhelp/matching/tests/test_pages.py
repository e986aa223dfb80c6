"""The data team's pages: only the data team gets in (everyone else an audited 404); every view is audited; the
review page puts the two records side by side with the explanation; decisions are made with a reason."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import Action, AuditEvent, Purpose
from earlyhelp.demo import partner_files
from earlyhelp.matching import linkage, schemas
from earlyhelp.matching.models import (
    DatasetType,
    ImportBatch,
    LinkageRun,
    MatchCandidate,
    SourceRecord,
)
from earlyhelp.people.models import Person
from earlyhelp.privacy.models import ProcessingPurpose, SuggestionStatus
from earlyhelp.testing.agreements import sharing_agreement

from .conftest import UNKNOWN, partner_row

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P13")]


@pytest.fixture
def matched(world, family, imported):
    alex, sam, jamie, riley = family["members"]
    batch = imported([partner_row(jamie, "ASB-1"), UNKNOWN])
    run = linkage.start_linkage(by=world.data_team)
    return {"batch": batch, "run": run, "candidate": run.candidates.get(), "jamie": jamie,
            "unknown": SourceRecord.objects.get(source_record_id="X-999")}


def _urls(matched):
    return [reverse("matching:home"), reverse("matching:batches"), reverse("matching:batch-new"),
            reverse("matching:batch", args=[matched["batch"].pk]), reverse("matching:runs"),
            reverse("matching:run", args=[matched["run"].pk]), reverse("matching:queue"),
            reverse("matching:candidate", args=[matched["candidate"].pk]), reverse("matching:unmatched"),
            reverse("matching:new-person", args=[matched["unknown"].pk])]


def test_everyone_but_the_data_team_gets_an_audited_404(client, world, matched):
    urls = _urls(matched)
    for user in (world.lead, world.manager, world.partner, world.dpo, world.front_door, world.admin):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
        assert client.post(reverse("matching:candidate", args=[matched["candidate"].pk]),
                           {"decision": "confirm", "reason": "x"}).status_code == 404
        assert client.post(reverse("matching:runs")).status_code == 404
        assert AuditEvent.objects.filter(actor_id=user.pk, action=Action.DENIED).count() == len(urls) + 2
    assert LinkageRun.objects.count() == 1
    assert MatchCandidate.objects.get().suggestion.status == SuggestionStatus.PENDING
    client.logout()
    assert client.get(reverse("matching:home")).status_code == 302  # to sign in


def test_the_data_team_sees_every_page_and_each_view_is_audited(client, world, matched):
    client.force_login(world.data_team)
    for url in _urls(matched):
        before = AuditEvent.objects.filter(actor_id=world.data_team.pk, purpose=Purpose.DATA_MATCHING).count()
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'style="' not in html and "<script>" not in html, url  # the CSP allows neither
        if url != reverse("matching:batch-new"):  # an empty form shows nobody's data
            assert AuditEvent.objects.filter(actor_id=world.data_team.pk,
                                             purpose=Purpose.DATA_MATCHING).count() > before, url
    assert 'href="/matching/">Data matching</a>' in client.get(reverse("web:dashboard")).content.decode()
    # The fixture's one batch has been through a finished run: nothing is waiting to be matched.
    assert re.search(r"Records not yet matched</dt>\s*<dd[^>]*>0</dd>", client.get(reverse("matching:home")).content.decode())


def test_the_review_page_shows_both_records_and_why_and_takes_a_decision(client, world, matched):
    client.force_login(world.data_team)
    url = reverse("matching:candidate", args=[matched["candidate"].pk])
    html = client.get(url).content.decode()
    side_by_side = html[html.index('id="side-by-side"'):html.index("</table>", html.index('id="side-by-side"'))]
    assert side_by_side.count("Jamie") == 2 and side_by_side.count("Testfamily") == 2  # partner's and council's
    assert "Same" in side_by_side
    assert 'id="explanation"' in html and "How much each detail counted" in html
    assert re.search(r"Date of birth</th>\s*<td[^>]*>[^<]+</td>\s*<td[^>]*>\+", html)  # agreed, counted for

    response = client.post(url, {"decision": "confirm", "reason": ""})
    assert response.status_code == 200 and "Enter the reason for your decision" in response.content.decode()
    assert SourceRecord.objects.get(source_record_id="ASB-1").person is None

    response = client.post(url, {"decision": "confirm", "reason": "Name, date of birth and address agree"})
    assert response.status_code == 302
    assert SourceRecord.objects.get(source_record_id="ASB-1").person == matched["jamie"]
    assert "has been decided" in client.get(url).content.decode()


def test_starting_a_run_from_the_page(client, world, family, imported):
    alex, *_ = family["members"]
    imported([partner_row(alex, "DV-1")])
    client.force_login(world.data_team)
    assert "Match 1 import now" in client.get(reverse("matching:runs")).content.decode()
    response = client.post(reverse("matching:runs"))
    run = LinkageRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("matching:run", args=[run.pk])
    html = client.get(response.url).content.decode()
    assert "Finished" in html and "Possible matches by match probability" in html
    # Nothing left to match: the page says so, and a second post explains why nothing started.
    assert "no imported records waiting" in client.get(reverse("matching:runs")).content.decode()


def test_an_import_whose_records_were_all_linked_is_not_offered_for_matching(client, world, family, imported):
    """The demo's bug: "Match 1 import now" was offered for an import whose every record a person had already linked,
    and the run it started failed on nothing to match."""
    alex, *_ = family["members"]
    batch = imported([partner_row(alex, "DV-1")])
    assert list(linkage.linkable_batches()) == [batch]
    SourceRecord.objects.filter(batch=batch).update(person=alex, linked_by=world.data_team, linked_at=timezone.now())
    assert list(linkage.linkable_batches()) == []
    client.force_login(world.data_team)
    assert "no imported records waiting" in client.get(reverse("matching:runs")).content.decode()


def test_adding_a_new_person_from_the_page_needs_a_reason(client, world, matched):
    client.force_login(world.data_team)
    url = reverse("matching:new-person", args=[matched["unknown"].pk])
    response = client.post(url, {"reason": ""})
    assert "Enter the reason for your decision" in response.content.decode()
    assert client.post(url, {"reason": "Searched by name, date of birth and postcode"}).status_code == 302
    assert SourceRecord.objects.get(source_record_id="X-999").person.family_name == "Trelawney"
    assert client.get(url).status_code == 404  # no longer unmatched


@pytest.mark.promise("P16", "P17")
def test_a_linked_record_shows_on_the_persons_page_with_who_gave_it(client, world, matched):
    jamie = matched["jamie"]
    record = SourceRecord.objects.get(source_record_id="ASB-1")
    record.facts = {"incident_date": "2026-10-01"}
    record.save()
    client.force_login(world.data_team)
    client.post(reverse("matching:candidate", args=[matched["candidate"].pk]),
                {"decision": "confirm", "reason": "All details agree"})
    client.force_login(world.lead)
    html = client.get(reverse("web:person", args=[jamie.pk])).content.decode()
    assert "Information from partners" in html and "Test Constabulary" in html and ImportBatch.objects.get(
        pk=matched["batch"].pk).reference in html
    client.force_login(world.partner)  # a partner on the team sees no police facts (P16)
    response = client.get(reverse("web:person", args=[jamie.pk]))
    assert response.status_code == 200 and "Information from partners" not in response.content.decode()


def test_uploading_a_file_shows_its_row_level_problems_and_imports_nothing(client, world, police):
    # A name no random nonce or generator produces: if it is on the page, the file's value leaked (with "Bea", a CSP
    # nonce holding those three letters failed this test now and then).
    rows = partner_files.rows_for(DatasetType.POLICE_ASB, [{"given_name": "Ada"}, {"given_name": "Zebedeeqxv"}],
                                  seed=3)
    rows[1]["incident_date"] = "31/02/2026"  # not a real date
    client.force_login(world.data_team)
    today = timezone.localdate()
    form = {"dataset_type": DatasetType.POLICE_ASB, "source_organisation": police.pk,
            "received_on_day": today.day, "received_on_month": today.month, "received_on_year": today.year,
            "purpose": ProcessingPurpose.objects.get(code="data_matching").pk,
            "agreement": sharing_agreement(parties=[police], recorded_by=world.dpo).pk}
    bad = SimpleUploadedFile("asb.csv", partner_files.to_csv(rows, DatasetType.POLICE_ASB), "text/csv")
    response = client.post(reverse("matching:batch-new"), {**form, "file": bad})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("matching:batch", args=[batch.pk])
    html = client.get(response.url).content.decode()
    errors = html[html.index('id="import-errors"'):]
    assert "Rejected" in html and re.search(r">3</td>\s*<td[^>]*>[^<]*incident", errors, re.IGNORECASE), errors[:600]
    assert "Zebedeeqxv" not in errors and not SourceRecord.objects.exists()

    rows[1]["incident_date"] = today.strftime("%d/%m/%Y")
    good = SimpleUploadedFile("asb.csv", partner_files.to_csv(rows, DatasetType.POLICE_ASB), "text/csv")
    response = client.post(reverse("matching:batch-new"), {**form, "file": good})
    assert response.status_code == 302 and SourceRecord.objects.count() == 2
    missing = client.post(reverse("matching:batch-new"), {**form})
    assert "Choose the file to upload" in missing.content.decode()


# --- The columns each dataset needs, and its template -------------------------------------------------------------

def test_the_import_page_lists_each_datasets_columns_and_offers_its_templates(client, world):
    client.force_login(world.data_team)
    html = client.get(reverse("matching:batch-new")).content.decode()
    for dataset in DatasetType:
        section = html.split(f'id="columns-{dataset.value}"')[1].split("</details>")[0]
        for column in schemas.schema_for(dataset).columns:
            assert f"<code>{column.name}</code>" in section, (dataset, column.name)
        assert reverse("matching:batch-template", args=[dataset.value]) + "?example=1" in section
    attendance = html.split('id="columns-school_attendance"')[1].split("</details>")[0]
    upn_row = attendance.split("<code>upn</code>")[1].split("</tr>")[0]
    assert "Required" in upn_row and "A letter and 12 digits" in upn_row


def test_each_template_is_the_schemas_header_and_its_example_row_passes_the_checks(client, world):
    client.force_login(world.data_team)
    for dataset in DatasetType:
        url = reverse("matching:batch-template", args=[dataset.value])
        header_only = client.get(url)
        assert header_only["Content-Type"] == "text/csv" and "attachment" in header_only["Content-Disposition"]
        schema = schemas.schema_for(dataset)
        assert header_only.content.decode().splitlines() == [",".join(schema.column_names)]
        rows = list(csv.reader(io.StringIO(client.get(url + "?example=1").content.decode())))
        assert len(rows) == 2 and rows[1][0] == schemas.EXAMPLE_ROW_MARK
        header = schemas.match_header(schema, rows[0])
        assert header.problems == () and schemas.read_row(header, rows[1])[1] == [], dataset


def test_templates_are_for_the_data_team_only(client, world):
    client.force_login(world.lead)
    assert client.get(reverse("matching:batch-template", args=["police_asb"])).status_code == 404
    client.force_login(world.data_team)
    assert client.get(reverse("matching:batch-template", args=["no_such_dataset"])).status_code == 404


def test_the_queue_filters_by_run_and_dataset_and_a_runs_review_link_opens_its_own(client, world, matched):
    client.force_login(world.data_team)
    run, candidate = matched["run"], matched["candidate"]
    run_page = client.get(reverse("matching:run", args=[run.pk])).content.decode()
    link = f'{reverse("matching:queue")}?run={run.pk}'
    assert f'href="{link}">Review the matches' in run_page
    row = f'id="candidate-{candidate.pk}"'
    shown = client.get(link).content.decode()
    assert row in shown and f"{matched['jamie'].given_name} {matched['jamie'].family_name}, born" in shown
    assert row in client.get(reverse("matching:queue"), {"dataset": DatasetType.POLICE_ASB}).content.decode()
    assert row not in client.get(reverse("matching:queue"), {"dataset": DatasetType.EHCP}).content.decode()
    later = LinkageRun.objects.create(requested_by=world.data_team, threshold=run.threshold, backend=run.backend)
    assert row not in client.get(reverse("matching:queue"), {"run": later.pk}).content.decode()
    event = AuditEvent.objects.filter(event="match_queue.view").latest("pk")
    assert event.metadata["run"] == later.pk


def test_the_data_teams_home_counts_the_work_waiting_with_links(client, world, matched):
    client.force_login(world.data_team)
    page = client.get(reverse("web:dashboard")).content.decode()

    def row(key):
        return page.split(f'id="work-{key}"')[1].split("</div>")[0]

    assert ">1</strong>" in row("pairs") and f'href="{reverse("matching:queue")}"' in row("pairs")
    assert ">1</strong>" in row("unmatched") and "None" in row("runs")  # the one batch has been run
    for key, url in [("shortlist", "programme:shortlist"), ("sustainment", "programme:sustainment"),
                     ("claims", "programme:claim-batches"), ("returns", "reporting:home")]:
        assert f'href="{reverse(url)}"' in row(key), key
    assert ">2</strong>" in row("returns") and "Quarterly progress return, quarter" in page  # none made yet
    assert matched["jamie"].family_name not in page and "Family F" not in page  # counts, not people
    assert AuditEvent.objects.filter(actor_id=world.data_team.pk, event="dashboard.view").exists()
    client.force_login(world.manager)
    assert 'id="work-pairs"' not in client.get(reverse("web:dashboard")).content.decode()


def test_the_data_team_searches_the_person_index_before_adding_someone_new(client, world, matched):
    client.force_login(world.data_team)
    url = reverse("matching:new-person", args=[matched["unknown"].pk])
    page = client.get(url).content.decode()
    assert 'name="step" value="search"' in page and f'value="{matched["unknown"].family_name}"' in page  # filled in
    jamie = matched["jamie"]
    people = Person.objects.count()
    page = client.post(url, {"step": "search", "family_name": jamie.family_name, "given_name": jamie.given_name}
                       ).content.decode()
    assert f"{jamie.given_name} {jamie.family_name}" in page and "Already in the person index" in page
    assert reverse("web:family", args=[matched["candidate"].person.memberships.first().household_id]) not in page
    assert "There is a problem" not in page and Person.objects.count() == people  # a search adds nobody
    event = AuditEvent.objects.filter(actor_id=world.data_team.pk, event="person.search").get()
    assert event.purpose == Purpose.DATA_MATCHING and jamie.pk in event.object_ids
    assert client.get(reverse("web:search")).status_code == 404  # the casework search stays closed to them
