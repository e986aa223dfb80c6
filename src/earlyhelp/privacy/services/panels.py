"""Multi-agency panels (P26): a panel, such as a Multi-Agency Support Group, and the partner organisations on it.

A pack for a panel goes to every member organisation, so membership decides who reads a family's information:
each change is kept with its reason and who made it, and audited. Members are partner organisations whose type is
one of the register's partner recipient types (P21); the council's own staff on a panel are not a disclosure.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.organisations.models import Organisation, OrganisationType

from ..models import Panel, RecipientKind, recipient_choices, recipient_label

AUDIT_PURPOSE = Purpose.SYSTEM_SECURITY
MIN_MEMBERS = 2
REASON_REQUIRED = "Enter why you are making this change: it is kept in the panel's history"


def member_choices():
    """Organisations that may sit on a panel: active partners whose type the register knows."""
    types = {code for code, _ in recipient_choices(kind=RecipientKind.PARTNER)} - {OrganisationType.LOCAL_AUTHORITY}
    return Organisation.objects.filter(is_active=True, type__in=types).order_by("name")


def _check(*, panel, name: str, members: list, is_active: bool, reason: str) -> dict:
    errors = {}
    if not name:
        errors["name"] = "Enter the name of the panel"
    elif len(name) > 120:
        errors["name"] = "The name must be 120 characters or fewer"
    elif Panel.objects.filter(name__iexact=name).exclude(pk=getattr(panel, "pk", None)).exists():
        errors["name"] = "A panel with this name already exists"
    allowed = set(member_choices().values_list("pk", flat=True))
    not_allowed = [m for m in members if m.pk not in allowed]
    if not_allowed:
        errors["members"] = (f"{not_allowed[0].name} cannot sit on a panel: members must be active partner "
                             "organisations whose type is a recipient in the processing register")
    elif is_active and len(members) < MIN_MEMBERS:
        errors["members"] = f"Choose at least {MIN_MEMBERS} member organisations: a panel is multi-agency"
    if not reason:
        errors["change_reason"] = REASON_REQUIRED
    return errors


@transaction.atomic
def save_panel(*, by, panel: Panel | None = None, name: str, description: str = "", members=(),
               is_active: bool = True, reason: str = "") -> Panel:
    """Add a panel (`panel=None`) or change one; one history entry per save, holding the members as saved."""
    if not policy.has_permission(by, policy.Permission.KEEP_PANELS):
        raise PermissionDenied("You cannot keep the list of panels")
    name, description, reason = name.strip(), description.strip(), " ".join((reason or "").split())
    members = sorted(set(members), key=lambda m: m.pk)
    if panel is not None:
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
    errors = _check(panel=panel, name=name, members=members, is_active=is_active, reason=reason)
    if errors:
        raise ValidationError(errors)
    is_new = panel is None
    before = None if is_new else (panel.name, panel.description, panel.is_active,
                                  set(panel.members.values_list("pk", flat=True)))
    after = (name, description, is_active, {m.pk for m in members})
    if before == after:
        return panel
    panel = panel or Panel()
    panel.name, panel.description, panel.is_active = name, description, is_active
    # Saved quietly first, then once with its members, so each change is one history entry that holds them.
    panel.skip_history_when_saving = True
    panel.save()
    panel.members.set(members)
    del panel.skip_history_when_saving
    panel._history_user = by
    panel._change_reason = reason[:100]
    panel.save()
    audit.record(actor=by, action=Action.CREATE if is_new else Action.CHANGE,
                 event=f"panel.{'create' if is_new else 'change'}", purpose=AUDIT_PURPOSE, objects=[panel],
                 metadata={"organisation_ids": sorted(after[3]), "active": is_active})
    return panel


def history(panel: Panel) -> list[dict]:
    """Every saved version of the panel, newest first, with its members as they were."""
    records = list(panel.history.select_related("history_user").order_by("history_date", "history_id"))
    names = dict(Organisation.objects.values_list("pk", "name"))
    entries = []
    for index, record in enumerate(records):
        user = record.history_user
        entries.append({
            "when": record.history_date,
            "who": (user.get_full_name() or user.get_username()) if user else "The system",
            "kind": "Added" if index == 0 else "Changed",
            "reason": record.history_change_reason or "",
            "name": record.name, "is_active": record.is_active,
            "members": sorted(names.get(m.organisation_id, "") for m in record.members.all()),
        })
    return entries[::-1]


def describe_members(panel: Panel) -> list[str]:
    return [f"{m.name} ({recipient_label(m.type)})" for m in panel.members.order_by("name")]
