"""The demo council's multi-agency panel (P26): a Multi-Agency Support Group with members of several types, kept
by the demo manager, and one family's panel pack logged as a disclosure to every member, through the services."""

from earlyhelp.access.models import AccessExclusion
from earlyhelp.casework.models import Episode, EpisodeStatus
from earlyhelp.organisations.models import Organisation
from earlyhelp.privacy.models import DisclosureBasis
from earlyhelp.privacy.services import disclosures, panels

PANEL = "Multi-Agency Support Group"
MEMBERS = ["Kingsmere Academy", "Demo Community Health Visiting Service", "Demoshire Police",
           "Greenway Housing Association", "Home-Start Demo Borough", "Demoshire Fire and Rescue Service"]


def load_demo_panels(*, manager, lead) -> dict:
    members = list(Organisation.objects.filter(name__in=MEMBERS))
    if len(members) < panels.MIN_MEMBERS:
        return {}
    panel = panels.save_panel(
        by=manager, name=PANEL, members=members,
        description="Meets monthly to agree support for families whose needs span several services. Members see "
                    "only the sections of a family's record chosen for the panel.",
        reason="The panel's members as agreed at its first meeting")
    # A family that named nobody who must not see it: the pack goes to every member.
    named = AccessExclusion.objects.filter(ended_at__isnull=True).values("household_id")
    episode = (Episode.objects.filter(lead_practitioner=lead, household__is_restricted=False)
               .exclude(status=EpisodeStatus.CLOSED).exclude(household_id__in=named).order_by("pk").first())
    logged = []
    if episode is not None:
        _, logged = disclosures.record_panel_pack(
            by=lead, household=episode.household, panel=panel, purpose_code="multi_agency_sharing",
            basis=DisclosureBasis.PUBLIC_TASK, sections=["household", "plan"],
            reason="The panel is agreeing who supports the family with housing and school attendance")
    return {"privacy.Panel": 1, "privacy.Disclosure (panel pack)": len(logged)}
