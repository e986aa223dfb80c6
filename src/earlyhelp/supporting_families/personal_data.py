"""Where people's data lives in this app (see `records.inventory`)."""

from earlyhelp.records.inventory import Holding

HOLDINGS = [
    Holding("supporting_families.ProgrammeFamily", "Supporting Families", household=("household",)),
    Holding("supporting_families.SustainmentCheck", "Supporting Families", household=("need__household",)),
    Holding("supporting_families.Claim", "Supporting Families", household=("household",)),
    Holding("supporting_families.ClaimedNeed", "Supporting Families", household=("claim__household",)),
]
