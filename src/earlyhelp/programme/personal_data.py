"""Where people's data lives in this app (see `privacy.inventory`)."""

from earlyhelp.privacy.inventory import Holding

HOLDINGS = [
    Holding("programme.EligibleArea", "Supporting Families", household=("episode__household",)),
]
