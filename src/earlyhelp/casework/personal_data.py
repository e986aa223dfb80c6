"""Where people's data lives in this app (see `records.inventory`). Casework records belong to the family."""

from earlyhelp.records.inventory import Holding

EPISODE_FAMILY = ("episode__household",)

HOLDINGS = [
    Holding("casework.Contact", "Contacts and referrals", person=("subject",), household=("household",)),
    Holding("casework.Episode", "Early help support", household=("household",)),
    Holding("casework.Allocation", "Early help support", household=EPISODE_FAMILY),
    Holding("casework.TafMember", "Team Around the Family", household=EPISODE_FAMILY),
    Holding("casework.TafSectionChange", "Team Around the Family", household=("member__episode__household",)),
    Holding("casework.Transition", "Early help support", household=EPISODE_FAMILY),
    Holding("casework.ReferralOut", "Referrals to other services", household=EPISODE_FAMILY),
    Holding("casework.Assessment", "Assessments", household=EPISODE_FAMILY),
    Holding("casework.AssessmentMember", "Assessments", person=("person",), household=("assessment__episode__household",)),
    Holding("casework.DomainFinding", "Assessments", household=("assessment__episode__household",)),
    Holding("casework.Plan", "Family plan", household=EPISODE_FAMILY),
    Holding("casework.PlanAction", "Family plan", household=("plan__episode__household",)),
    Holding("casework.Review", "Reviews", household=EPISODE_FAMILY),
    Holding("casework.CaseNote", "Case notes", household=EPISODE_FAMILY),
    Holding("casework.Document", "Documents", household=EPISODE_FAMILY),
]
