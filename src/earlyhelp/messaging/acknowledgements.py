"""The kinds of acknowledgement an online form can send, registered by the apps that own the forms.

Messaging sits in the lowest layer, so it knows none of them: an app registers each of its kinds from its
`AppConfig.ready()` with the message's subject, its text template (rendered with `reference` and `council_name`
only) and the purpose its sending is audited under (a value of `audit.models.Purpose`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Acknowledgement:
    code: str
    subject: str
    template: str
    purpose: str


_KINDS: dict[str, Acknowledgement] = {}


def register(code: str, *, subject: str, template: str, purpose: str) -> None:
    existing = _KINDS.get(code)
    kind = Acknowledgement(code=code, subject=subject, template=template, purpose=purpose)
    if existing is not None and existing != kind:
        raise ValueError(f"Acknowledgement {code!r} is registered twice")
    _KINDS[code] = kind


def get(code: str) -> Acknowledgement:
    try:
        return _KINDS[code]
    except KeyError:
        raise ValueError(f"Unknown acknowledgement {code!r}") from None


def registered() -> list[str]:
    return sorted(_KINDS)
