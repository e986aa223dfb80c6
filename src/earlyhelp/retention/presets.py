"""The retention rules councils publish, ready to load, and the demo council's legal hold.

Where they come from (the privacy notices in `shared/seeds/` and `shared/domain.md` §5):

* CASE+6: Cambridgeshire County Council and Peterborough City Council (002_38f2c274d1e3cdfe.txt): "All Early
  Help Assessment forms are ... retained for 6 years from the close of the matter." The demo council follows it.
* CONTACT+6: the same notice's "6 years from the close of the matter", applied to contacts that did not lead to
  an episode: their matter closes when the contact is decided (signposted or no further action). This reading
  is ours, not the notice's; the DPO can change or switch it off.
* DOB+25: Bath and North East Somerset keep records until the child's 25th birthday (domain.md §5; that
  council's notice is not among the seeds). Loaded switched off: a council chooses one schedule.
* DOB+30: North Somerset keep them until age 30 (domain.md §5; not among the seeds). Loaded switched off.

The rules for the register's other record classes (`privacy.register_seed`; each purpose's retention code names
one of these, and a test checks they agree):

* AUDIT+6: the audit trail, 6 years after each entry (the register: "so that access to a case record can be
  checked for as long as the record itself may exist"). Pruned in sealed epochs (`audit.services.prune_epoch`).
* RIGHTS+2: data protection requests, 2 years after the request is closed (for complaints to the ICO). Their
  personal data is removed; the row stays for the erasure tombstones that point at it (anonymise).
* EXTRACT+1: research extracts and National Impact Study files, 1 year after each file was made.
* PARTNER+1: partner records that led to nobody, 1 year after the partner sent the file.
* CLAIM+6: Supporting Families returns and the evidence for claims, 6 years after they were sent; for review
  only, since a claim also stops a family being claimed for twice.

Oldham (001), Wigan (000, 003) and Shropshire (004) give no period, only "our retention schedule". Wigan (003)
adds that "the Goddard Enquiry has ruled that no social care data can be deleted until we are advised": that is
a legal hold, not a rule (`DEMO_HOLD`).
"""

from django.db import transaction
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from .models import (
    HoldCriterion,
    HoldKind,
    HoldScope,
    LegalHold,
    RecordClass,
    RetentionRule,
    RuleAction,
    Trigger,
)

CAMBS_PBORO = ("Cambridgeshire County Council and Peterborough City Council, Early Help privacy notice: Early "
               "Help Assessment forms are retained for 6 years from the close of the matter")

REGISTER = "The council's processing register ({purposes}): {text}"

PRESETS = [
    {"code": "CASE+6", "record_class": RecordClass.FAMILY_CASE_RECORDS, "trigger": Trigger.EPISODE_CLOSURE,
     "period_years": 6, "action": RuleAction.DESTROY, "is_active": True, "source": CAMBS_PBORO},
    {"code": "CONTACT+6", "record_class": RecordClass.CONTACTS_WITHOUT_EPISODE, "trigger": Trigger.LAST_ACTIVITY,
     "period_years": 6, "action": RuleAction.DESTROY, "is_active": True,
     "source": CAMBS_PBORO + " (applied to contacts that did not lead to an episode: their matter closes when "
               "the contact is decided)"},
    {"code": "AUDIT+6", "record_class": RecordClass.AUDIT_EVENTS, "trigger": Trigger.ENTRY_WRITTEN,
     "period_years": 6, "action": RuleAction.DESTROY, "is_active": True, "source": REGISTER.format(
         purposes="checking for existing records, oversight of access, system security and partner API access",
         text="the audit trail is kept for 6 years after each entry")},
    {"code": "RIGHTS+2", "record_class": RecordClass.RIGHTS_REQUESTS, "trigger": Trigger.REQUEST_CLOSED,
     "period_years": 2, "action": RuleAction.ANONYMISE, "is_active": True, "source": REGISTER.format(
         purposes="handling data protection requests",
         text="kept for 2 years after the request is closed, so that any complaint to the ICO can be answered")},
    {"code": "EXTRACT+1", "record_class": RecordClass.EXPORT_FILES, "trigger": Trigger.FILE_SENT,
     "period_years": 1, "action": RuleAction.DESTROY, "is_active": True, "source": REGISTER.format(
         purposes="research and the National Impact Study",
         text="our copy of each file or extract is kept for 1 year after it is sent")},
    {"code": "PARTNER+1", "record_class": RecordClass.PARTNER_FILES, "trigger": Trigger.FILE_RECEIVED,
     "period_years": 1, "action": RuleAction.DESTROY, "is_active": True, "source": REGISTER.format(
         purposes="data matching",
         text="partner data that does not lead to support is deleted 1 year after the matching run")},
    {"code": "CLAIM+6", "record_class": RecordClass.PROGRAMME_CLAIMS, "trigger": Trigger.RETURN_SENT,
     "period_years": 6, "action": RuleAction.REVIEW, "is_active": True, "source": REGISTER.format(
         purposes="Supporting Families returns and claims",
         text="returns and the evidence for each claim are kept for 6 years after they are sent")},
    {"code": "DOB+25", "record_class": RecordClass.FAMILY_CASE_RECORDS, "trigger": Trigger.DATE_OF_BIRTH,
     "period_years": 25, "action": RuleAction.DESTROY, "is_active": False,
     "source": "Bath and North East Somerset Council: early help records are kept until the child's 25th birthday"},
    {"code": "DOB+30", "record_class": RecordClass.FAMILY_CASE_RECORDS, "trigger": Trigger.DATE_OF_BIRTH,
     "period_years": 30, "action": RuleAction.DESTROY, "is_active": False,
     "source": "North Somerset Council: early help records are kept until the child is 30"},
]

DEMO_HOLD = {
    "kind": HoldKind.IICSA, "scope": HoldScope.CRITERION, "criterion": HoldCriterion.KNOWN_TO_CSC,
    "reason": ("The Independent Inquiry into Child Sexual Abuse (Justice Goddard's letter of 2 July 2015) asked "
               "councils to keep every record that may relate to child sexual abuse or child protection. Wigan "
               "Council's notice reads it as: no social care data is deleted until the inquiry advises."),
}


def load_presets(*, audit_as=None, record: bool = True, codes=None) -> list[RetentionRule]:
    """Add the preset rules a database does not have yet (by code); rules already there are left as they are.

    Returns the rules added. Safe to run again. `record=False` for seed data (the demo writes one audit event);
    `codes` loads only those presets.
    """
    chosen = [p for p in PRESETS if codes is None or p["code"] in codes]
    with transaction.atomic():
        existing = set(RetentionRule.objects.filter(code__in=[p["code"] for p in chosen])
                       .values_list("code", flat=True))
        added = [RetentionRule(**preset) for preset in chosen if preset["code"] not in existing]
        for rule in added:
            rule.full_clean()
            rule.save()
        if added and record:
            audit.record(actor=audit_as, action=Action.CREATE, event="retention_rule.load_presets",
                         purpose=Purpose.EARLY_HELP_CASEWORK, objects=added,
                         metadata={"codes": [rule.code for rule in added]})
    return added


def load_demo(*, dpo) -> None:
    """The demo council: the preset rules and one legal hold (IICSA), placed by the demo DPO. Seed data: no
    audit events of its own (the demo load records one)."""
    load_presets(record=False)
    if not LegalHold.objects.filter(kind=DEMO_HOLD["kind"], criterion=DEMO_HOLD["criterion"],
                                    lifted_at__isnull=True).exists():
        LegalHold.objects.create(placed_by=dpo, placed_at=timezone.now(), **DEMO_HOLD)
