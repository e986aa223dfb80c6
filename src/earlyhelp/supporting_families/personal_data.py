"""Where people's data lives in this app (see `records.inventory`)."""

from earlyhelp.records.inventory import Holding

HOLDINGS = [
    Holding("supporting_families.ProgrammeFamily", "Supporting Families", household=("household",)),
    Holding("supporting_families.SustainmentCheck", "Supporting Families", person=("need__person",),
            household=("need__household",)),
    Holding("supporting_families.Claim", "Supporting Families", household=("household",)),
    Holding("supporting_families.ClaimedNeed", "Supporting Families", person=("need__person",),
            household=("claim__household",)),
]
