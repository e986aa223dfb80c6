"""Finding people in text: the subject's own names and identifiers, and other people's (third parties).

The redaction review proposes other people's names and identifiers found in a pack for a person to decide; the
search for mentions of the subject in other families' records uses the same matching (`Finder.mentions`).
"""

import re
from functools import cache
from types import SimpleNamespace

from earlyhelp.organisations.models import User
from earlyhelp.people.models import Membership, Person, Relationship
from earlyhelp.privacy.models import RedactionKind

NAME_PAIR = re.compile(r"\b([A-Z][a-z'\-]+)\s+([A-Z][a-zA-Z'\-]+)\b")


@cache
def _recognisers():
    """Presidio's pattern recognisers: no language model is needed or downloaded."""
    # The e-mail recogniser checks domains with tldextract, which would fetch the suffix list from the internet.
    import presidio_analyzer.predefined_recognizers.generic.email_recognizer as email_module
    import tldextract
    from presidio_analyzer import Pattern, PatternRecognizer
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        NhsRecognizer,
        UkNinoRecognizer,
        UkPostcodeRecognizer,
    )

    email_module.tldextract = SimpleNamespace(extract=tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None))
    phone = PatternRecognizer(supported_entity="PHONE_NUMBER", name="UK phone", patterns=[
        Pattern("UK phone", r"(?<!\d)(?:\+44\s?|0)(?:\d\s?){9,10}(?!\d)", 0.6)])
    return [(NhsRecognizer(), RedactionKind.NHS_NUMBER), (UkNinoRecognizer(), RedactionKind.NI_NUMBER),
            (UkPostcodeRecognizer(), RedactionKind.POSTCODE), (EmailRecognizer(), RedactionKind.EMAIL),
            (phone, RedactionKind.PHONE)]


def _normal(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def _own_details(person) -> set[str]:
    """A person's own names, identifiers and postcodes, normalised."""
    own = {_normal(v) for v in person.identifiers.values_list("value", flat=True)}
    own |= {_normal(v) for v in person.addresses.values_list("postcode", flat=True)}
    own |= {_normal(person.full_name), _normal(person.given_name)}
    if person.preferred_name:
        own |= {_normal(person.preferred_name), _normal(f"{person.preferred_name} {person.family_name}")}
    return own


def requester_details(request) -> set[str]:
    """The requester's own details, as recorded on the request and on their person record: never someone else's
    information in the pack they asked for."""
    own = {_normal(v) for v in (request.requester_name, request.requester_email, request.requester_phone) if v}
    address = request.requester_address or ""
    own |= {_normal(address[r.start:r.end]) for recogniser, _ in _recognisers()
            for r in recogniser.analyze(address, recogniser.supported_entities, None) or []}
    if request.requester_person_id:
        own |= _own_details(request.requester_person)
    return own


class _Finder:
    def __init__(self, person, household_ids, *, request=None):
        """`request`: the rights request the pack answers; its requester's own details are not proposed."""
        self.own = _own_details(person)
        if request is not None:
            self.own |= requester_details(request)
        related = set(Membership.objects.filter(household__in=household_ids).values_list("person", flat=True))
        related |= set(Relationship.objects.filter(related_person=person).values_list("person", flat=True))
        related |= set(Relationship.objects.filter(person=person).values_list("related_person", flat=True))
        related.discard(person.pk)
        self.names = {}
        for given, family, preferred in Person.objects.filter(pk__in=related).values_list(
                "given_name", "family_name", "preferred_name"):
            for name in {f"{given} {family}", f"{preferred} {family}" if preferred else "", given, preferred}:
                if name and _normal(name) not in self.own:
                    self.names[name] = True
        self.professional = {_normal(e) for e in User.objects.exclude(email="").values_list("email", flat=True)}
        self._known_pairs: dict = {}
        self.Person = Person

    def prepare(self, texts):
        """Names of anyone known to the system (other families too), found as "Given Family" in the text."""
        pairs = {m.groups() for text in texts for m in NAME_PAIR.finditer(text)}
        if not pairs:
            return
        families = {f for _, f in pairs}
        for given, family in self.Person.objects.filter(family_name__in=families).values_list(
                "given_name", "family_name"):
            if (given, family) in pairs and _normal(f"{given} {family}") not in self.own:
                self.names[f"{given} {family}"] = True

    def find(self, text: str):
        spans = []
        if self.names:
            pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(self.names, key=len,
                                                                                        reverse=True)) + r")(?!\w)")
            spans += [(m.start(), m.end(), RedactionKind.THIRD_PARTY_NAME) for m in pattern.finditer(text)]
        for recogniser, kind in _recognisers():
            for result in recogniser.analyze(text, recogniser.supported_entities, None) or []:
                found = text[result.start:result.end]
                if _normal(found) in self.own or _normal(found) in self.professional:
                    continue
                spans.append((result.start, result.end, kind))
        spans.sort(key=lambda span: (span[0], -span[1]))
        kept = []
        for start, end, kind in spans:  # overlapping finds are merged, so no part of either is left out
            if kept and start < kept[-1][1]:
                kept[-1] = (kept[-1][0], max(kept[-1][1], end), kept[-1][2])
            else:
                kept.append((start, end, kind))
        return kept


