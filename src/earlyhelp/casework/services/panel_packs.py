"""Multi-agency panel packs (P26): the panel sees only the sections chosen for it, and the pack is a disclosure to
every organisation on the panel (`privacy.Panel`), checked against the family's consent and the register for each.

Special category and criminal offence detail (health, domestic abuse, safeguarding, crime; sensitive notes,
review discussions) is shown only as "recorded" unless the practitioner grants the panel that detail, exactly
as a partner without the grant sees the family page (P16): the masking rule is the access policy's.

The pack is built from the chosen sections alone (an unchosen section is never read), rendered to PDF
and logged in the disclosure log before it is handed over. Nothing of it is stored: the log says what
was sent, and the pack can be produced again from the record if the panel needs it.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.privacy.models import DisclosureSection, Panel
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


@dataclass(frozen=True)
class PanelPack:
    """A pack made for a panel: its reference and the disclosure to each member organisation."""

    reference: str
    panel: Panel
    disclosures: list


def prepare_panel_pack(*, by, household, panel, sections, basis: str, reason: str, approved_by=None,
                       special_category_shared: bool = False) -> tuple[bytes, PanelPack]:
    """Log the pack as a disclosure to every member of the panel, then render it: (PDF bytes, pack).

    The disclosure log refuses the pack, naming them, if the family's consent or the register (or a manager's
    approved legal reason) does not cover every member organisation; nothing is written or rendered then.
    `special_category_shared`: the panel needs the special category and criminal offence detail in full; the
    disclosure log records that it was shared. Otherwise that detail is a marker in the pack."""
    from weasyprint import (
        HTML,  # imported here: loading Pango is slow and only the PDF needs it
    )

    def make(reference, logged):
        first = logged[0]
        html = render_to_string("casework/panel_pack.html", {
            "household": household, "panel_name": panel.name, "panel": panel, "disclosure": first,
            "pack_reference": reference, "panel_members": [d.recipient_organisation for d in logged],
            "prepared_at": timezone.now(), "prepared_by": by, "RESTRICTED": policy.RESTRICTED,
            **pack_sections(household, first.sections, special_category_shared=first.special_category_shared),
        })
        return HTML(string=html).write_pdf(), PanelPack(reference=reference, panel=panel, disclosures=logged)

    # The disclosure log makes the pack inside its own transaction: a refusal is audited, and nothing is written.
    return disclosures.record_panel_pack(
        by=by, household=household, panel=panel, purpose_code=disclosures.purpose_for(basis), basis=basis,
        sections=sections, reason=reason, approved_by=approved_by, special_category_shared=special_category_shared,
        make=make)
