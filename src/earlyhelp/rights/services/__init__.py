"""Every change to rights requests (P5, P19, P25), by the domain of a request:

- `intake`: logging a request with its reference, identity and authority, naming the person it is about,
  starting work;
- `online`: a request made by the requester through the public online form;
- `clock`: pausing for clarification, resuming, extending to three months;
- `rectification`: corrections through the people services, and records marked as disputed;
- `notifications`: who the family's information was disclosed to, and telling them (Article 19);
- `restriction`: starting and lifting an Article 18 restriction;
- `erasure`: an approved erasure, through the erasure engine in `retention`;
- `decisions`: what each kind can be answered with, and the decision with its effect.

Only the data protection officer handles rights requests (`policy.Permission.HANDLE_RIGHTS_REQUESTS`). Each
function takes keyword-only arguments, owns its transaction and writes its audit event inside it, under the
purpose "rights_requests"; audit metadata holds ids and codes only. Bad input raises a ValidationError naming
the field; nothing is written.

The public functions are re-exported here for callers outside the app; inside it, import from the module.
"""

from .acknowledgement import acknowledge_complaint
from .clock import extend_deadline, pause_clock, resume_clock
from .decisions import decide, standard_answer
from .intake import has_parental_responsibility, is_child, log_request, match_subject, record_identity, start_work
from .online import receive_online_request
from .notifications import disclosure_recipients, record_notification
from .rectification import apply_corrections, record_dispute
from .restriction import lift_restriction

__all__ = [
    "acknowledge_complaint",
    "extend_deadline", "pause_clock", "resume_clock",
    "decide", "standard_answer",
    "has_parental_responsibility", "is_child", "log_request", "match_subject", "record_identity", "start_work",
    "receive_online_request",
    "disclosure_recipients", "record_notification",
    "apply_corrections", "record_dispute",
    "lift_restriction",
]
