"""Every casework state change, one module for each stage of early help:

- `intake`: contacts at the front door and a manager's decision on each.
- `episodes`: opening an episode; step-down into early help and step-up to children's social care.
- `team_around_family`: the lead practitioner's allocation and the Team Around the Family.
- `assessment`: the whole-family Early Help Assessment.
- `plan`: the family plan's actions and their progress.
- `reviews`: Team Around the Family reviews.
- `closure`: closing an episode.
- `notes`: case notes and documents.
- `referrals`: referrals out to other services.
- `needs`: Supporting Families needs on the family's case (progress on them is recorded by `reviews` and
  `closure`).

Each function checks the actor's access through `earlyhelp.access`, owns its transaction and writes its audit event
inside it. The public functions are named here too, so callers outside casework can write `services.allocate(...)`;
casework's own modules import from the stage's module.
"""

from .assessment import decide_assessment, record_assessment, save_assessment, start_assessment, submit_assessment
from .closure import decide_closure, request_closure
from .episodes import open_episode, step_up
from .intake import decide_contact, record_contact
from .needs import record_family_need, withdraw_family_need
from .notes import add_case_note, upload_document
from .plan import add_plan_action, allowed_action_owners, update_action_progress
from .referrals import refer_out
from .reviews import record_review
from .team_around_family import (
    add_taf_member,
    allocate,
    change_taf_sections,
    end_taf_member,
    end_taf_members_no_longer_consented,
)

__all__ = [
    "decide_assessment", "record_assessment", "save_assessment", "start_assessment", "submit_assessment",
    "decide_closure", "request_closure",
    "open_episode", "step_up",
    "decide_contact", "record_contact",
    "record_family_need", "withdraw_family_need",
    "add_case_note", "upload_document",
    "add_plan_action", "allowed_action_owners", "update_action_progress",
    "refer_out",
    "record_review",
    "add_taf_member", "allocate", "change_taf_sections", "end_taf_member", "end_taf_members_no_longer_consented",
]
