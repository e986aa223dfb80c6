"""Destroying keys: the only way a family's or a document's key goes (crypto-shredding; see the package's notes).

Both functions refuse a family under a legal hold themselves, whoever calls them: legal holds belong to the retention
app, above this one, which registers its check at start-up (`register_hold_check`); until one is registered nothing
is destroyed. Each destroyed key gets an audit event naming only ids, written in the caller's transaction; the key
files go when that transaction commits, so a rolled-back disposal keeps them.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from . import store

HoldCheck = Callable[[set[int]], set[int]]  # family ids -> those of them under an active legal hold
_hold_checks: list[HoldCheck] = []

HELD = "{count} of these families are under a legal hold: no key has been destroyed"
NO_HOLD_CHECK = "No legal hold check is registered, so no key can be destroyed"


def register_hold_check(check: HoldCheck) -> None:
    if check not in _hold_checks:
        _hold_checks.append(check)


def _refuse_held(household_ids: set[int]) -> None:
    if not household_ids:
        return
    if not _hold_checks:
        raise RuntimeError(NO_HOLD_CHECK)
    held = set().union(*(check(set(household_ids)) for check in _hold_checks))
    if held:
        raise ValidationError(HELD.format(count=len(held)))


@transaction.atomic
def destroy_family_keys(*, by, household_ids: Iterable[int], purpose: str = Purpose.EARLY_HELP_CASEWORK) -> int:
    """Destroy these families' keys (disposal, anonymisation): every document of theirs, in the file store and in
    every backup of it, becomes unreadable. Refused (ValidationError, nothing destroyed) if any is held. Returns
    how many families had a key."""
    household_ids = {int(pk) for pk in household_ids}
    _refuse_held(household_ids)
    destroyed = sorted(pk for pk in household_ids if store.family_key_exists(pk))
    for household_id in destroyed:
        audit.record(actor=by, action=Action.CHANGE, event="family_key.destroy", purpose=purpose,
                     objects=[("people.household", household_id)], household_id=household_id)
        transaction.on_commit(lambda household_id=household_id: store._destroy_family(household_id))
    return len(destroyed)


@transaction.atomic
def destroy_file_keys(*, by, key_ids: Iterable[str], purpose: str = Purpose.RIGHTS_REQUESTS) -> int:
    """Destroy the keys of single stored files (an erasure that removes some of a family's documents): those files
    become unreadable everywhere, the rest of the family's stay readable. Refused if the family is held."""
    key_ids = sorted(set(key_ids))
    families = {key_id: store.household_of(key_id) for key_id in key_ids}
    _refuse_held({pk for pk in families.values() if pk is not None})
    destroyed = [key_id for key_id in key_ids if store.key_exists(key_id)]
    for key_id in destroyed:
        household_id = families[key_id]
        audit.record(actor=by, action=Action.CHANGE, event="file_key.destroy", purpose=purpose,
                     objects=[("people.household", household_id)] if household_id else [],
                     household_id=household_id, metadata={"key": key_id.rsplit("/", 1)[-1]})
        transaction.on_commit(lambda key_id=key_id: store._destroy_key(key_id))
    return len(destroyed)


def destroy_partner_file_key(key_id: str) -> None:
    """A partner file's key, at once: the file was deleted after its check (its rows, if imported, are in the
    database, where disposal reaches them). It belongs to no family, so no hold covers the file itself: a hold
    keeps the imported rows, not the partner's upload."""
    if store.household_of(key_id) is not None:
        raise ValueError("Not a partner file's key")  # a family's keys go only through the functions above
    store._destroy_key(key_id)
