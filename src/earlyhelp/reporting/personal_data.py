"""Where people's data lives in this app (see `records.inventory`)."""

from earlyhelp.records.inventory import Holding, OnErasure

HOLDINGS = [
    # The row records a file waiting to be collected (no personal data in the row); the file itself leaves the disk
    # when it is downloaded or expires (`EARLYHELP_EXPORT_HOURS`), so it is not put in a pack.
    Holding("reporting.ExportFile", "Who we shared information with, and why", household=("disclosure__households",),
            on_erasure=OnErasure.SCRUB, in_pack=False),
]
