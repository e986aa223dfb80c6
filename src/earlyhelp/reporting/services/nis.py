"""The Supporting Families National Impact Study transfer to the Office for National Statistics (P27).

ONS acts as a trusted third party: it receives identifiable data, links it to other government data for the
evaluation and uses it for research only, never for decisions about anyone, and does not give it back (the
Oldham notice). One CSV file per period, with exactly the columns in `COLUMNS` (domain.md §3), one row per family
member; who is in it, and who is always left out (opted out, restricted), is `cohort`'s rule.

The file is logged as a `privacy.DatasetDisclosure` (purpose `national_impact_study`, recipient `ons`) with its
manifest, and waits in the private export directory to be downloaded once (`files`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people.identifiers import IdentifierScheme
from earlyhelp.people.models import Address, Identifier
from earlyhelp.privacy.models import DatasetDisclosureKind, ProcessingPurpose, recipient_label
from earlyhelp.programme.models import Need, NeedProgress, NeedStatus, ProgressOccasion

from . import cohort, files

PURPOSE_CODE = "national_impact_study"
RECIPIENT = "ons"
RECIPIENT_NAME = "Office for National Statistics"

# The columns, in order, and what each holds. The exact national file format is not public (domain.md §3): these
# are the fields the guidance names, one column each.
COLUMNS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth (YYYY-MM-DD); empty for an unborn child",
    "gender": "Gender (male, female, neither, not_stated)",
    "postcode": "Postcode of the last address held by the period's end",
    "last_address": "That address: lines and town, separated by commas",
    "ni_number": "National Insurance number, if known",
    "family_unit_id": "The council's family reference",
    "relation_in_family": "The person's place in the family (parent_carer, child, unborn, other_adult, "
                          "significant_other)",
    "date_screened": "Date the family was screened as eligible (YYYY-MM-DD)",
    "criteria_met": "Headline outcome codes the family met at screening, separated by semicolons",
    "intervention_status": "Support at the period's end: not_started, in_progress or ended",
    "intervention_start": "Date support started (YYYY-MM-DD)",
    "intervention_end": "Date support ended, if by the period's end (YYYY-MM-DD)",
    "comparison_group": "Y if the family is in the comparison group (eligible, not offered support), else N",
    "upn": "Unique Pupil Number, where held",
    # The system records schools as partner organisations (with their URN) but does not record which school a
    # child attends, so this column is always empty. It is kept so the file has the fields the guidance names.
    "school_urn": "School URN: always empty (the system does not record which school a child attends)",
    "nhs_number": "NHS number, where held",
    "pnc_number": "Police National Computer number, where held",
    # Family progress data (the Wigan notice: "every six months"): the person's own needs and the family's.
    "needs_identified": "Headline outcome codes of the needs confirmed for the person or the whole family by the "
                        "period's end, separated by semicolons",
    "progress": "For each of those headlines, the first and the latest progress score (1 to 5) by the period's end, "
                "as CODE:first>latest, separated by semicolons",
    "outcomes_met": "Headline outcome codes whose needs were met at closure by the period's end, separated by "
                    "semicolons",
}

NO_DATA = ("There is nothing to send for this period: no family on the Supporting Families programme (screened by "
           "the period's end) has anyone who may be included. Nothing has been written or logged")


def _iso(day) -> str:
    return day.isoformat() if day else ""


def check_period(period_start, period_end) -> dict:
    errors = {}
    if period_start is None:
        errors["period_start"] = "Enter the date the period starts"
    if period_end is None:
        errors["period_end"] = "Enter the date the period ends"
    if not errors:
        if period_end < period_start:
            errors["period_end"] = "The period must end on or after the day it starts"
        elif period_end > timezone.localdate():
            errors["period_end"] = "The period must have ended: choose an end date today or earlier"
    return errors


def register_purpose(code: str, recipient: str) -> ProcessingPurpose:
    purpose = ProcessingPurpose.objects.filter(code=code, is_active=True).first()
    if purpose is None:
        raise ValidationError(f"The processing register has no active purpose {code}: ask the data protection "
                              "officer. Nothing has been written")
    if recipient not in purpose.recipient_types:
        raise ValidationError(f"The processing register does not list {recipient_label(recipient)} "
                              f"as a recipient for {purpose.name.lower()}. Nothing has been written")
    return purpose


def _identifiers(person_ids) -> dict:
    found = {}
    for person_id, scheme, value in Identifier.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "scheme", "value"):
        found.setdefault(person_id, {})[scheme] = value
    return found


def last_addresses(person_ids, period_end) -> dict:
    """Each person's address as it stood at the period's end (the latest that had begun by then)."""
    found = {}
    for person_id, line_1, line_2, town, postcode in (
            Address.objects.filter(person_id__in=person_ids, valid_from__lte=period_end)
            .order_by("person_id", "valid_from", "pk").values_list("person_id", "line_1", "line_2", "town", "postcode")):
        found[person_id] = (", ".join(p for p in (line_1, line_2, town) if p), postcode)
    return found


def family_progress(household_ids, period_end) -> dict:
    """household id -> person id (None for the whole family) -> headline code -> [first, latest, met], as things
    stood at the period's end: scores recorded by then, and met only if the closing score was recorded by then."""
    found: dict = {}
    needs = (Need.objects.filter(household_id__in=household_ids, identified_on__lte=period_end)
             .exclude(status=NeedStatus.WITHDRAWN).values_list("pk", "household_id", "person_id",
                                                                "descriptor__area__code", "status"))
    by_need = {}
    for need_id, household_id, person_id, code, status in needs:
        by_need[need_id] = (household_id, person_id, code, status)
        found.setdefault(household_id, {}).setdefault(person_id, {}).setdefault(code, [None, None, False])
    for need_id, score, occasion in (NeedProgress.objects.filter(need_id__in=by_need, recorded_on__lte=period_end)
                                     .order_by("recorded_on", "pk").values_list("need_id", "score", "occasion")):
        household_id, person_id, code, status = by_need[need_id]
        entry = found[household_id][person_id][code]
        entry[0] = score if entry[0] is None else entry[0]
        entry[1] = score
        if occasion == ProgressOccasion.CLOSURE and status == NeedStatus.MET:
            entry[2] = True
    return found


def _progress_columns(progress: dict, person_id) -> list[str]:
    headlines: dict = {}
    for whose in (person_id, None):
        for code, (first, latest, met) in progress.get(whose, {}).items():
            held = headlines.setdefault(code, [first, latest, met])
            held[0] = held[0] if held[0] is not None else first
            held[1] = latest if latest is not None else held[1]
            held[2] = held[2] or met
    codes = sorted(headlines)
    scored = [f"{code}:{headlines[code][0]}>{headlines[code][1]}" for code in codes if headlines[code][1] is not None]
    return [";".join(codes), ";".join(scored), ";".join(code for code in codes if headlines[code][2])]


def rows(period_start, period_end, *, excluded=None):
    """(household_id, values in `COLUMNS` order) for every person in the file, family by family."""
    excluded = cohort.excluded_person_ids() if excluded is None else excluded
    for chunk in cohort.families(period_start, period_end, excluded=excluded):
        person_ids = [m.person_id for f in chunk for m in f.members]
        identifiers = _identifiers(person_ids)
        addresses = last_addresses(person_ids, period_end)
        progress = family_progress([f.household_id for f in chunk], period_end)
        for family in chunk:
            for member in family.members:
                ids = identifiers.get(member.person_id, {})
                address, postcode = addresses.get(member.person_id, ("", ""))
                yield family.household_id, [
                    member.given_name, member.family_name, _iso(member.date_of_birth), member.gender, postcode,
                    address, ids.get(IdentifierScheme.NI, ""), family.reference, member.role,
                    _iso(family.screened_on), ";".join(family.criteria_met or []), family.status,
                    _iso(family.started_on), _iso(family.ended_on), "Y" if family.comparison_group else "N",
                    ids.get(IdentifierScheme.UPN, ""), "", ids.get(IdentifierScheme.NHS, ""),
                    ids.get(IdentifierScheme.PNC, ""),
                    *_progress_columns(progress.get(family.household_id, {}), member.person_id),
                ]


@transaction.atomic
def make_transfer(*, by, period_start: datetime.date | None, period_end: datetime.date | None):
    """Write the period's file, log it with its manifest and keep it for one download. Refused (nothing written,
    nothing logged) for a bad period, a period with no one to send, or a register that does not allow it."""
    files.require_returns(by, Purpose.NATIONAL_IMPACT_STUDY)
    errors = check_period(period_start, period_end)
    if errors:
        raise ValidationError(errors)
    purpose = register_purpose(PURPOSE_CODE, RECIPIENT)
    written = files.write_csv(COLUMNS, rows(period_start, period_end))
    try:
        if written.row_count == 0:
            raise ValidationError(NO_DATA)
        disclosure = files.record_dataset(
            by=by, written=written, kind=DatasetDisclosureKind.NATIONAL_IMPACT_STUDY, purpose=purpose,
            recipient=RECIPIENT, recipient_name=RECIPIENT_NAME, period_start=period_start, period_end=period_end,
            columns=list(COLUMNS), file_name=f"national-impact-study_{period_start:%Y-%m-%d}_{period_end:%Y-%m-%d}.csv",
            pseudonymised=False)
        audit.record(actor=by, action=Action.EXPORT, event="national_impact_study.transfer",
                     purpose=Purpose.NATIONAL_IMPACT_STUDY, objects=[disclosure],
                     metadata={"rows": written.row_count, "families": len(written.household_ids),
                               "period_start": period_start.isoformat(), "period_end": period_end.isoformat()})
    except BaseException:
        written.remove()
        raise
    return disclosure


def transfers():
    return files.datasets(DatasetDisclosureKind.NATIONAL_IMPACT_STUDY)
