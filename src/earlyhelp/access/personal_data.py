"""Where people's data lives in this app (see `records.inventory`)."""

from earlyhelp.records.inventory import Holding

HOLDINGS = [
    Holding("access.AccessExclusion", "Who may see your family's records", household=("household",)),
    Holding("access.EmergencyAccess", "Who may see your family's records", household=("household",)),
    Holding("access.AccessReview", "Team Around the Family", household=("taf_member__episode__household",)),
]
