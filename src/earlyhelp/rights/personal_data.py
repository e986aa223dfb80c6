"""Where people's data lives in this app (see `privacy.inventory`)."""

from earlyhelp.privacy.inventory import Holding, OnErasure

HOLDINGS = [
    # The request stays as the record of what was asked and decided; its personal columns are blanked on erasure.
    Holding("rights.RightsRequest", "Your requests to us", person=("subject",), on_erasure=OnErasure.SCRUB),
]
