"""Pseudonymised research extracts (P12): family-level data with references that do not identify anyone.

- A `ResearchProject` names its recipient (one the register's `research` purpose lists), its purpose, its dates
  and the columns it may receive, chosen from `CATALOGUE`. The catalogue is deny-by-default: a column not in it
  cannot be sent, and identifying columns (names, NHS, NI, UPN and PNC numbers, the full date of birth, the full
  postcode, the address) are not in it at all.
- Each project has its own key: 32 random bytes in a file of its own in `settings.EARLYHELP_RESEARCH_KEY_DIR`
  (outside the database; mode 0600). References are HMAC-SHA256 under that key of the internal person or family
  id, never of an identifier, so they are stable within a project, unrelated across projects, and nobody without
  the key can turn them back into a person (a plain hash of an NHS number could be reversed by hashing every
  number).
- Dates of birth are generalised to month and year (or an age band), postcodes to the district ("SW1A"), support
  dates to the month.
- When the project ends (its end date passed: `end_due_projects`, nightly; or the data team ends it early:
  `end_project`) its key is overwritten and deleted, and the destruction recorded. Nothing more can be made for
  it, and the references already sent can never be recomputed or linked to new data.

Opted-out and restricted people are left out here too (`cohort`): the opt-out is the family's "no" to their
information being used to evaluate the programme, which is what research extracts do, and pseudonymised data is
still personal data; a restricted record may only be stored.
"""

import datetime
import hmac
import os
import re
import secrets
import tempfile
from hashlib import sha256
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.keys import store as key_store
from earlyhelp.privacy.models import DatasetDisclosureKind, ProcessingPurpose, recipient_label
from earlyhelp.people.models import age_on
from earlyhelp.programme.models import Need, NeedProgress, NeedStatus, ProgressOccasion

from ..models import ResearchProject
from . import cohort, files, nis

PURPOSE_CODE = "research"
KEY_BYTES = 32
REFERENCE_HEX = 32  # 128 bits of the HMAC: no collisions in practice, shorter to read

# The only columns a research extract can hold, in the order they are written. Anything else is refused.
CATALOGUE = {
    "person_ref": "Person reference: HMAC-SHA256 of the internal person id under the project's key",
    "family_ref": "Family reference: HMAC-SHA256 of the internal family id under the project's key",
    "relation_in_family": "The person's place in the family (parent_carer, child, unborn, other_adult, "
                          "significant_other)",
    "birth_month_year": "Month and year of birth (YYYY-MM); empty for an unborn child",
    "age_band": "Age at the period's end, in bands (0-4, 5-10, 11-15, 16-17, 18-24, 25-34, 35-49, 50-64, 65+)",
    "gender": "Gender (male, female, neither, not_stated)",
    "ethnicity": "Ethnicity (DfE code; special category data)",
    "postcode_district": "Postcode district of the address at the period's end (for example SW1A)",
    "screened_month": "Month the family was screened as eligible (YYYY-MM)",
    "criteria_met": "Headline outcome codes the family met at screening, separated by semicolons",
    "needs_headlines": "Headline codes of the family's and the person's recorded needs, separated by semicolons",
    "intervention_status": "Support at the period's end: not_started, in_progress or ended",
    "intervention_start_month": "Month support started (YYYY-MM)",
    "intervention_end_month": "Month support ended, if by the period's end (YYYY-MM)",
    "comparison_group": "Y if the family is in the comparison group, else N",
    "progress_scores": "Per need: headline code, first and latest score (1-5), e.g. EDUCATION:2>4; semicolons between",
    "outcome_met": "yes if every need was met, no if any was not, open otherwise; empty without needs",
}
NEEDS_COLUMNS = {"needs_headlines", "progress_scores", "outcome_met"}
AGE_BANDS = [(4, "0-4"), (10, "5-10"), (15, "11-15"), (17, "16-17"), (24, "18-24"), (34, "25-34"), (49, "35-49"),
             (64, "50-64")]

ENDED = ("This research project has ended and its key has been destroyed: no more extracts can be made for it. "
         "Nothing has been written or logged")
NOT_STARTED = "This research project has not started yet: extracts can be made from {day}. Nothing has been written"
NO_DATA = ("There is nothing to send for this period: no one on the Supporting Families programme may be included. "
           "Nothing has been written or logged")


# ---------------------------------------------------------------- generalisation and references

def birth_month_year(dob) -> str:
    return f"{dob:%Y-%m}" if dob else ""


def age_band(dob, on: datetime.date) -> str:
    if not dob:
        return ""
    age = age_on(dob, on)
    for upper, label in AGE_BANDS:
        if age <= upper:
            return label
    return "65+"


def postcode_district(postcode: str) -> str:
    """The outward code: all but the last three characters of the postcode ("SW1A 1AA" -> "SW1A")."""
    compact = "".join((postcode or "").split()).upper()
    return compact[:-3] if len(compact) > 3 else ""


def month(day) -> str:
    return f"{day:%Y-%m}" if day else ""


def pseudonym(key: bytes, kind: str, internal_id: int) -> str:
    """A reference for a person or family: HMAC-SHA256 of the internal id under the project's key."""
    return hmac.new(key, f"{kind}:{internal_id}".encode(), sha256).hexdigest()[:REFERENCE_HEX]


# ---------------------------------------------------------------- keys

def key_dir() -> Path:
    return files.private_dir(settings.EARLYHELP_RESEARCH_KEY_DIR)


def key_path(project: ResearchProject) -> Path:
    return key_dir() / f"project-{project.pk}.key"


def _create_key(project: ResearchProject):
    # Written beside, then moved into place: a file already at the path can only be left by a project whose
    # creation was rolled back (a committed project's id is never given again), so it is replaced.
    path = key_path(project)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_key(project: ResearchProject) -> bytes | None:
    try:
        key = key_path(project).read_bytes()
    except FileNotFoundError:
        return None
    return key if len(key) == KEY_BYTES else None


# ---------------------------------------------------------------- projects

def research_purpose() -> ProcessingPurpose | None:
    return ProcessingPurpose.objects.filter(code=PURPOSE_CODE, is_active=True).first()


def recipient_choices() -> list[tuple[str, str]]:
    purpose = research_purpose()
    return [(code, recipient_label(code)) for code in (purpose.recipient_types if purpose else [])]


def _column_errors(columns) -> dict:
    columns = list(columns or [])
    unknown = [c for c in columns if c not in CATALOGUE]
    if unknown:
        return {"columns": f"{', '.join(unknown)} cannot be sent to researchers: choose from the research "
                           "columns. Identifying details (names, dates of birth, addresses, NHS, NI, UPN or PNC "
                           "numbers) are never sent"}
    if not columns:
        return {"columns": "Choose at least one column"}
    return {}


def _ordered(columns) -> list[str]:
    return [c for c in CATALOGUE if c in set(columns)]


@transaction.atomic
def create_project(*, by, reference: str, title: str, recipient: str, recipient_name: str, purpose: str,
                   starts_on, ends_on, columns) -> ResearchProject:
    files.require_returns(by, Purpose.RESEARCH)
    reference, title, recipient_name, purpose = (v.strip() for v in (reference, title, recipient_name, purpose))
    errors = {}
    if not reference:
        errors["reference"] = "Enter a reference for the project"
    elif not re.fullmatch(r"[a-z0-9][a-z0-9-]{2,39}", reference):
        errors["reference"] = ("Enter a reference of 3 to 40 lower-case letters, digits and hyphens, starting with a "
                               "letter or digit (for example family-outcomes-2026)")
    elif ResearchProject.objects.filter(reference=reference).exists():
        errors["reference"] = "A project with this reference already exists: choose another"
    if not title:
        errors["title"] = "Enter the project's title"
    if recipient not in dict(recipient_choices()):
        errors["recipient"] = "Choose a recipient the processing register lists for research"
    if not recipient_name:
        errors["recipient_name"] = "Enter the organisation receiving the extracts"
    if not purpose:
        errors["purpose"] = "Enter what the research is for"
    if starts_on is None:
        errors["starts_on"] = "Enter the date the project starts"
    if ends_on is None:
        errors["ends_on"] = "Enter the date the project ends"
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The project must end on or after the day it starts"
    elif ends_on < timezone.localdate():
        errors["ends_on"] = "The end date has passed: a project that has ended gets no extracts"
    errors.update(_column_errors(columns))
    if errors:
        raise ValidationError(errors)
    project = ResearchProject.objects.create(
        reference=reference, title=title, recipient=recipient, recipient_name=recipient_name, purpose=purpose,
        starts_on=starts_on, ends_on=ends_on, columns=_ordered(columns), created_by=by, created_at=timezone.now())
    _create_key(project)
    audit.record(actor=by, action=Action.CREATE, event="research_project.create", purpose=Purpose.RESEARCH,
                 objects=[project], metadata={"recipient": recipient, "columns": project.columns})
    return project


def extracts_of(project: ResearchProject):
    return files.datasets(DatasetDisclosureKind.RESEARCH_EXTRACT, project.reference)


def is_ended(project: ResearchProject, today=None) -> bool:
    today = today or timezone.localdate()
    return project.key_destroyed_at is not None or project.ends_on < today


def columns_editable(project: ResearchProject) -> bool:
    """The allowlist is settled by the first extract: after that, a change is a new project."""
    return not is_ended(project) and not extracts_of(project).exists()


@transaction.atomic
def change_columns(*, by, project: ResearchProject, columns) -> ResearchProject:
    files.require_returns(by, Purpose.RESEARCH)
    project = ResearchProject.objects.select_for_update().get(pk=project.pk)
    if is_ended(project):
        raise ValidationError(ENDED)
    if extracts_of(project).exists():
        raise ValidationError("Extracts have been sent for this project, so its columns can no longer change. "
                              "Set up a new project for different columns")
    errors = _column_errors(columns)
    if errors:
        raise ValidationError(errors)
    before = list(project.columns)
    project.columns = _ordered(columns)
    project.save(update_fields=["columns"])
    audit.record(actor=by, action=Action.CHANGE, event="research_project.columns", purpose=Purpose.RESEARCH,
                 objects=[project], metadata={"before": before, "after": project.columns})
    return project


def _destroy_key(project: ResearchProject, *, by):
    key_store.shred(key_path(project))
    project.key_destroyed_at, project.key_destroyed_by = timezone.now(), by
    project.save(update_fields=["key_destroyed_at", "key_destroyed_by"])
    audit.record(actor=by, action=Action.CHANGE, event="research_project.key_destroyed", purpose=Purpose.RESEARCH,
                 objects=[project], metadata={"ended_early": by is not None, "ends_on": project.ends_on.isoformat()})


@transaction.atomic
def end_project(*, by, project: ResearchProject) -> ResearchProject:
    """The data team ends a project early: its key is destroyed now and its end date becomes today."""
    files.require_returns(by, Purpose.RESEARCH)
    project = ResearchProject.objects.select_for_update().get(pk=project.pk)
    if project.key_destroyed_at is not None:
        raise ValidationError("This project has already ended and its key has been destroyed")
    today = timezone.localdate()
    if project.ends_on > today:
        project.ends_on = max(today, project.starts_on)
        project.save(update_fields=["ends_on"])
    _destroy_key(project, by=by)
    return project


def end_due_projects(*, today=None) -> list[ResearchProject]:
    """Nightly: destroy the key of every project whose end date has passed (recorded with no person)."""
    today = today or timezone.localdate()
    ended = []
    for pk in ResearchProject.objects.filter(key_destroyed_at__isnull=True, ends_on__lt=today).values_list(
            "pk", flat=True):
        with transaction.atomic():
            project = ResearchProject.objects.select_for_update().get(pk=pk)
            if project.key_destroyed_at is None:
                _destroy_key(project, by=None)
                ended.append(project)
    return ended


# ---------------------------------------------------------------- extracts

def _needs(household_ids, period_end) -> dict:
    """Per family: (person_id or None, headline code, status, [scores in order]) for each need recorded by the
    period's end, as it stood then: scores recorded by then, and met or not met only once its closing score was."""
    needs = {pk: (household_id, person_id, code, status) for pk, household_id, person_id, code, status in (
        Need.objects.filter(household_id__in=household_ids, identified_on__lte=period_end)
        .exclude(status=NeedStatus.WITHDRAWN)
        .values_list("pk", "household_id", "person_id", "descriptor__area__code", "status"))}
    scores, closed = {}, set()
    for need_id, score, occasion in (NeedProgress.objects.filter(need_id__in=list(needs), recorded_on__lte=period_end)
                                     .order_by("need_id", "recorded_on", "pk")
                                     .values_list("need_id", "score", "occasion")):
        scores.setdefault(need_id, []).append(score)
        if occasion == ProgressOccasion.CLOSURE:
            closed.add(need_id)
    found = {}
    for pk, (household_id, person_id, code, status) in sorted(needs.items()):
        as_then = status if pk in closed else NeedStatus.OPEN
        found.setdefault(household_id, []).append((person_id, code, as_then, scores.get(pk, [])))
    return found


def _outcome(statuses) -> str:
    if not statuses:
        return ""
    if NeedStatus.NOT_MET in statuses:
        return "no"
    return "yes" if all(s == NeedStatus.MET for s in statuses) else "open"


# How each column is worked out: (key, family, member, the member's needs, addresses, period end) -> text.
_VALUES = {
    "person_ref": lambda k, f, m, n, a, end: pseudonym(k, "person", m.person_id),
    "family_ref": lambda k, f, m, n, a, end: pseudonym(k, "household", f.household_id),
    "relation_in_family": lambda k, f, m, n, a, end: m.role,
    "birth_month_year": lambda k, f, m, n, a, end: birth_month_year(m.date_of_birth),
    "age_band": lambda k, f, m, n, a, end: age_band(m.date_of_birth, end),
    "gender": lambda k, f, m, n, a, end: m.gender,
    "ethnicity": lambda k, f, m, n, a, end: m.ethnicity,
    "postcode_district": lambda k, f, m, n, a, end: postcode_district(a.get(m.person_id, ("", ""))[1]),
    "screened_month": lambda k, f, m, n, a, end: month(f.screened_on),
    "criteria_met": lambda k, f, m, n, a, end: ";".join(f.criteria_met or []),
    "needs_headlines": lambda k, f, m, n, a, end: ";".join(sorted({code for _, code, _, _ in n})),
    "intervention_status": lambda k, f, m, n, a, end: f.status,
    "intervention_start_month": lambda k, f, m, n, a, end: month(f.started_on),
    "intervention_end_month": lambda k, f, m, n, a, end: month(f.ended_on),
    "comparison_group": lambda k, f, m, n, a, end: "Y" if f.comparison_group else "N",
    "progress_scores": lambda k, f, m, n, a, end: ";".join(f"{code}:{s[0]}>{s[-1]}" for _, code, _, s in n if s),
    "outcome_met": lambda k, f, m, n, a, end: _outcome([status for _, _, status, _ in n]),
}
assert set(_VALUES) == set(CATALOGUE)


def rows(key: bytes, columns, period_start, period_end, *, excluded=None):
    """(household_id, values in `columns` order) for every person in the extract."""
    excluded = cohort.excluded_person_ids() if excluded is None else excluded
    wanted = set(columns)
    makers = [_VALUES[c] for c in columns]
    for chunk in cohort.families(period_start, period_end, excluded=excluded):
        person_ids = [m.person_id for f in chunk for m in f.members]
        addresses = nis.last_addresses(person_ids, period_end) if "postcode_district" in wanted else {}
        needs = _needs([f.household_id for f in chunk], period_end) if wanted & NEEDS_COLUMNS else {}
        for family in chunk:
            family_needs = needs.get(family.household_id, [])
            for member in family.members:
                mine = [n for n in family_needs if n[0] in (None, member.person_id)]
                yield family.household_id, [make(key, family, member, mine, addresses, period_end) for make in makers]


@transaction.atomic
def make_extract(*, by, project: ResearchProject, period_start, period_end, columns=None):
    """Write a pseudonymised extract for the project, log it (purpose `research`, the project's recipient,
    pseudonymised, the project's reference) and keep it for one download. Refused, with nothing written or
    logged, for an ended or not yet started project, a column outside its allowlist, a bad period or no data."""
    files.require_returns(by, Purpose.RESEARCH)
    project = ResearchProject.objects.select_for_update().get(pk=project.pk)
    if is_ended(project):
        raise ValidationError(ENDED)
    if project.starts_on > timezone.localdate():
        raise ValidationError(NOT_STARTED.format(day=f"{project.starts_on.day} {project.starts_on:%B %Y}"))
    key = read_key(project)
    if key is None:
        raise ValidationError("This project's key is missing, so no extract can be made. Speak to the data "
                              "protection officer. Nothing has been written")
    columns = list(project.columns) if not columns else list(columns)
    outside = [c for c in columns if c not in project.columns]
    if outside:
        raise ValidationError({"columns": f"{', '.join(outside)} is not in this project's allowed columns. Nothing "
                                          "has been written"})
    errors = nis.check_period(period_start, period_end)
    if errors:
        raise ValidationError(errors)
    purpose = nis.register_purpose(PURPOSE_CODE, project.recipient)
    columns = _ordered(columns)
    written = files.write_csv(columns, rows(key, columns, period_start, period_end))
    try:
        if written.row_count == 0:
            raise ValidationError(NO_DATA)
        disclosure = files.record_dataset(
            by=by, written=written, kind=DatasetDisclosureKind.RESEARCH_EXTRACT, purpose=purpose,
            recipient=project.recipient, recipient_name=project.recipient_name, period_start=period_start,
            period_end=period_end, columns=columns,
            file_name=f"research_{project.reference}_{period_start:%Y-%m-%d}_{period_end:%Y-%m-%d}.csv",
            pseudonymised=True, reference=project.reference)
        audit.record(actor=by, action=Action.EXPORT, event="research_extract.create", purpose=Purpose.RESEARCH,
                     objects=[disclosure], metadata={"project_id": project.pk, "rows": written.row_count,
                                                     "families": len(written.household_ids)})
    except BaseException:
        written.remove()
        raise
    return disclosure
