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

PRESETS = [
    {"code": "CASE+6", "record_class": RecordClass.FAMILY_CASE_RECORDS, "trigger": Trigger.EPISODE_CLOSURE,
     "period_years": 6, "action": RuleAction.DESTROY, "is_active": True, "source": CAMBS_PBORO},
    {"code": "CONTACT+6", "record_class": RecordClass.CONTACTS_WITHOUT_EPISODE, "trigger": Trigger.LAST_ACTIVITY,
     "period_years": 6, "action": RuleAction.DESTROY, "is_active": True,
     "source": CAMBS_PBORO + " (applied to contacts that did not lead to an episode: their matter closes when "
               "the contact is decided)"},
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


def load_presets(*, audit_as=None, record: bool = True) -> list[RetentionRule]:
    """Add the preset rules a database does not have yet (by code); rules already there are left as they are.

    Returns the rules added. Safe to run again. `record=False` for seed data (the demo writes one audit event).
    """
    with transaction.atomic():
        existing = set(RetentionRule.objects.filter(code__in=[p["code"] for p in PRESETS])
                       .values_list("code", flat=True))
        added = [RetentionRule(**preset) for preset in PRESETS if preset["code"] not in existing]
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
