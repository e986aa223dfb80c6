"""Multi-agency panel packs (P26): the panel sees only the sections chosen for it, and the pack is a disclosure.

Special category and criminal offence detail (health, domestic abuse, safeguarding, crime; sensitive notes,
review discussions) is shown only as "recorded" unless the practitioner grants the panel that detail, exactly
as a partner without the grant sees the family page (P16): the masking rule is the access policy's.

The pack is built from the chosen sections alone (an unchosen section is never read), rendered to PDF
and logged in the disclosure log before it is handed over. Nothing of it is stored: the log says what
was sent, and the pack can be produced again from the record if the panel needs it.
"""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit.refused import audit_refusals
from earlyhelp.privacy.models import DisclosureKind, DisclosureSection
from earlyhelp.privacy.services import disclosures

from ..models import CaseNote, PlanAction


def pack_sections(household, sections, *, special_category_shared: bool = False) -> dict:
    """Only the chosen sections of the family's record, as template context. Rows are (row, shown) pairs,
    where `shown` is the row or `policy.RESTRICTED` for detail the panel sees only as a marker."""
    def masked(rows):
        return [(row, policy.masked(special_category_shared, row)) for row in rows]

    episode = household.episodes.current().select_related("team", "lead_practitioner").first()
    chosen = set(sections)
    content = {}
    if DisclosureSection.HOUSEHOLD in chosen:
        content["members"] = list(household.memberships.filter(end_date__isnull=True).select_related("person")
                                  .order_by("role", "person__date_of_birth"))
    if episode is None:
        return content
    if DisclosureSection.EPISODE in chosen:
        content["episode"] = episode
    if DisclosureSection.ASSESSMENT in chosen:
        assessment = episode.assessments.order_by("-pk").first()
        content["assessment"] = assessment
        content["findings"] = masked(assessment.findings.select_related("area", "source_organisation")) \
            if assessment else []
        # The analysis discusses every area, so it is sensitive whenever any finding is.
        content["analysis_restricted"] = not special_category_shared and any(
            shown is policy.RESTRICTED for _, shown in content["findings"])
    if DisclosureSection.PLAN in chosen:
        content["actions"] = masked(PlanAction.objects.filter(plan__episode=episode).select_related("area", "owner"))
    if DisclosureSection.REVIEWS in chosen:
        content["reviews"] = masked(episode.reviews.filter(held_on__isnull=False))
    if DisclosureSection.NOTES in chosen:
        content["notes"] = masked(CaseNote.objects.filter(episode=episode).select_related("author")[:100])
    return content


@audit_refusals
@transaction.atomic
def prepare_panel_pack(*, by, household, panel_name: str, recipient_organisation, sections, basis: str, reason: str,
                       approved_by=None, special_category_shared: bool = False) -> tuple[bytes, object]:
    """Log the disclosure, then render the pack: (PDF bytes, disclosure). A refused disclosure renders nothing.

    `special_category_shared`: the panel needs the special category and criminal offence detail in full; the
    disclosure log records that it was shared. Otherwise that detail is a marker in the pack."""
    from weasyprint import (
        HTML,  # imported here: loading Pango is slow and only the PDF needs it
    )

    disclosure = disclosures.record_disclosure(
        by=by, household=household, recipient_organisation=recipient_organisation, recipient_person=panel_name,
        purpose_code=disclosures.purpose_for(basis), basis=basis, sections=sections, reason=reason,
        approved_by=approved_by, kind=DisclosureKind.PANEL_PACK, special_category_shared=special_category_shared)
    html = render_to_string("casework/panel_pack.html", {
        "household": household, "panel_name": panel_name.strip(), "disclosure": disclosure,
        "prepared_at": timezone.now(), "prepared_by": by, "RESTRICTED": policy.RESTRICTED,
        **pack_sections(household, disclosure.sections, special_category_shared=disclosure.special_category_shared),
    })
    return HTML(string=html).write_pdf(), disclosure

