"""The one masking rule: which parts of a family's record a viewer sees in full, and which only as a marker.

Special category and criminal offence detail (P16) is shown only to viewers whose access includes it
(`FamilyAccess.sees_special_category`: every relationship but a partner's, unless the partner's Team
Around the Family membership grants it). Everyone else sees that something is recorded, not what. The
family page, the API, panel packs and the family information report all mask through `masked`, so a
change here reaches every place a family's sections are shown.
"""

RESTRICTED = object()  # placeholder for detail the viewer sees only as a marker


def _area_is_sensitive(row) -> bool:
    return row.area.is_sensitive


def _flagged_sensitive(row) -> bool:
    return row.is_sensitive


def _always(row) -> bool:
    return True


# Which rows hold special category or criminal offence detail, by model. A review's discussion ranges over
# every area, and a document is unstructured, so both count as sensitive whatever they contain.
SENSITIVE_ROWS = {
    "casework.DomainFinding": _area_is_sensitive,
    "casework.PlanAction": _area_is_sensitive,
    "programme.Need": _area_is_sensitive,
    "programme.NeedProgress": lambda row: _area_is_sensitive(row.need),
    "casework.CaseNote": _flagged_sensitive,
    "casework.Review": _always,
    "casework.Document": _always,
}


def is_sensitive(row) -> bool:
    """Whether this row holds special category or criminal offence detail (LookupError if unclassified)."""
    try:
        rule = SENSITIVE_ROWS[row._meta.label]
    except KeyError:
        raise LookupError(f"{row._meta.label} has no masking rule: add it to access.policy.masking") from None
    return rule(row)


def shows_in_full(sees_special_category: bool, row) -> bool:
    return sees_special_category or not is_sensitive(row)


def masked(sees_special_category: bool, row):
    """The row itself, or RESTRICTED when the viewer may see only that it is recorded."""
    return row if shows_in_full(sees_special_category, row) else RESTRICTED
