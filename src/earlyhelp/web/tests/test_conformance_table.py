"""The conformance table and the tests must agree (see docs/privacy-conformance.md)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
TABLE = ROOT / "docs" / "privacy-conformance.md"
CLAIMED = {"proven", "partly proven"}


def _table():
    rows = {}
    for line in TABLE.read_text().splitlines():
        match = re.match(r"\|\s*(P\d+)\s*\|\s*([a-z ]+?)\s*\|", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def _promises_named_by_tests():
    named = {}
    for path in [*ROOT.glob("src/earlyhelp/**/tests/*.py"), *ROOT.glob("tests/**/*.py")]:
        # Only real markers count: a decorator or a module-level pytestmark, not a comment.
        for call in re.findall(r"^\s*(?:@pytest\.mark\.promise|pytestmark = .*?pytest\.mark\.promise)\(([^)]*)\)",
                               path.read_text(), re.MULTILINE):
            for pid in re.findall(r'"(P\d+)"', call):
                named.setdefault(pid, set()).add(path.name)
    return named


def test_every_promise_is_listed_once_with_a_known_status():
    rows = _table()
    assert sorted(rows, key=lambda p: int(p[1:])) == [f"P{i}" for i in range(1, 29)]
    assert set(rows.values()) <= CLAIMED | {"planned"}


def test_every_claimed_promise_has_a_test_and_no_test_claims_an_unclaimed_promise():
    rows, named = _table(), _promises_named_by_tests()
    claimed = {pid for pid, status in rows.items() if status in CLAIMED}
    assert claimed - set(named) == set(), "claimed in the table but no test names them"
    assert set(named) - claimed == set(), "named by tests but not claimed in the table"
