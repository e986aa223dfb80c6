"""Supporting Families eligibility: the system suggests headline areas from the approved assessment; a person
confirms each one (P13). Only confirmed areas count towards the family's outcomes and claims."""

from django.utils import timezone

from earlyhelp.privacy.models import SuggestionKind
from earlyhelp.privacy.services import decisions

from .models import EligibleArea, HeadlineArea

# An area scored 1 or 2 of 5 ("significant concern") in an approved assessment is likely to meet the
# area's criteria in the outcomes framework; the practitioner checks the criteria before confirming.
SUGGEST_AT_OR_BELOW = 2


def _key(episode_id, area_code) -> str:
    return f"episode:{episode_id}:area:{area_code}"


def suggest_eligibility(assessment) -> list:
    """Propose the headline areas an approved assessment points to; decided ones are not proposed again."""
    episode = assessment.episode
    proposals = []
    for finding in assessment.findings.select_related("area").filter(score__lte=SUGGEST_AT_OR_BELOW):
        proposal = decisions.suggest(
            kind=SuggestionKind.ELIGIBILITY, key=_key(episode.pk, finding.area.code), household=episode.household,
            rule=f"The approved assessment scores {finding.area.label.lower()} {finding.score} of 5")
        if proposal is not None:
            proposals.append(proposal)
    return proposals


def _parse(suggestion):
    _, episode_id, _, area_code = suggestion.key.split(":")
    return int(episode_id), area_code


def confirm_eligibility(suggestion, by) -> EligibleArea:
    episode_id, area_code = _parse(suggestion)
    return EligibleArea.objects.create(episode_id=episode_id, area=HeadlineArea.objects.get(code=area_code),
                                       confirmed_by=by, confirmed_at=timezone.now(), suggestion=suggestion)


def area_label(suggestion) -> str:
    return HeadlineArea.objects.get(code=_parse(suggestion)[1]).label
