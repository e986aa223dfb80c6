"""The one door: no role or permission check is written outside `access` (a scan of the source).

Code outside `access` asks `policy.has_permission(user, Permission.X)` or a relationship rule; it never compares
a user's role, names a role, or defines its own `may_decide_*`. Demo and test data create users with roles, and
`organisations.models` defines the roles, so those are left out of the scan.
"""

import re
from pathlib import Path

import pytest

from earlyhelp.access.policy import ROLE_PERMISSIONS, Grants, Permission, has_permission
from earlyhelp.organisations.models import Role

pytestmark = pytest.mark.promise("P2")

ROOT = Path(__file__).resolve().parents[2]  # src/earlyhelp
EXEMPT = {"access", "demo", "testing"}  # the door itself; synthetic councils and test worlds that create users
EXEMPT_FILES = {"organisations/models.py"}  # where the roles are defined (and the database's team rule)

ROLE_VALUES = "|".join(Role.values)
ROLE_NAMES = "|".join(Role.names)
PATTERNS = {
    "names a role": re.compile(rf"\bRole\.({ROLE_NAMES})\b"),
    "compares a role's value": re.compile(rf"""\brole\w*\W.*["']({ROLE_VALUES})["']"""),
    "reads a user's role": re.compile(r"\b(user|by|practitioner|manager|actor|request\.user|request\.auth)\.role\b"
                                      r"(?!_)"),
    "decides who may decide": re.compile(r"\bdef may_decide_"),
    "checks a role in a template": re.compile(r"\{%[^%]*\brole\s*(==|!=|in\b)"),
}


def violations_in(text: str) -> list[str]:
    return [f"line {number}: {what}" for number, line in enumerate(text.splitlines(), 1)
            for what, pattern in PATTERNS.items() if pattern.search(line)]


def _source_files():
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if path.suffix not in {".py", ".html"} or relative.parts[0] in EXEMPT or str(relative) in EXEMPT_FILES:
            continue
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        yield relative, path


def test_no_role_or_permission_check_outside_access():
    found = {str(relative): problems for relative, path in _source_files()
             if (problems := violations_in(path.read_text(encoding="utf-8")))}
    assert found == {}, "use access.policy (has_permission, require, a relationship rule) instead"


@pytest.mark.parametrize("line", [
    'if request.user.role != Role.DPO:',
    'if by.role not in {"team_manager", "dpo"}:',
    'User.objects.filter(role__in=["lead_practitioner", "team_manager"])',
    'team_scope = x if user.role == "team_manager" else y',
    'def may_decide_match(user, suggestion) -> bool:',
    '{% if role == Role.TEAM_MANAGER %}',
])
def test_the_scan_finds_a_role_check(line):
    assert violations_in(line), line


def test_the_scan_leaves_family_member_roles_alone():
    assert violations_in('Membership.objects.filter(role=MemberRole.CHILD)\n{{ m.get_role_display }}') == []


def test_every_role_has_an_entry_in_the_permission_table():
    assert set(ROLE_PERMISSIONS) == set(Role.values)


def test_templates_asking_for_an_unknown_permission_fail_loudly(world):
    can = Grants(world.dpo)
    assert can.handle_rights_requests is True and can.record_contacts is False
    with pytest.raises(LookupError, match="No permission is called"):
        can.handle_rights_request  # a typing mistake must not quietly hide a page


def test_a_deactivated_or_signed_out_user_has_no_permissions(world):
    world.dpo.is_active = False
    assert not has_permission(world.dpo, Permission.HANDLE_RIGHTS_REQUESTS)
    assert not has_permission(None, Permission.SEARCH_PEOPLE)
