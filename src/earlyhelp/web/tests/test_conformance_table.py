"""The conformance table and the tests must agree, clause by clause (see docs/privacy-conformance.md).

The table lists every promise P1-P28 under its own heading, split into clauses as the councils' notices word
them. Each clause has a status (proven, planned, not applicable), the controls that enforce it (dotted paths
to a module, function, class or model, or a file in the repository) and the tests that prove it (pytest node
ids). These checks read the table, import the controls and parse the test files with `ast`; they do not run
the tests, so they stay fast.
"""

import ast
import importlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
TABLE = ROOT / "docs" / "privacy-conformance.md"
PROMISES = [f"P{i}" for i in range(1, 29)]
SEEDS = {"000", "001", "002", "003", "004"}
CLAUSE_STATUSES = {"proven", "planned", "not applicable"}
NOTHING = {"", "—", "-"}

HEADING = re.compile(r"^## (P\d+) · (.+)$")
STATUS_LINE = re.compile(r"^Seeds: ([0-9, ]+) · Status: \*\*([a-z ]+)\*\*$")
CLAUSE_ROW = re.compile(r"^\| (P\d+)\.(\d+) \|")
BACKTICKED = re.compile(r"`([^`]+)`")
MARKER_ID = re.compile(r"^(P\d+)(?:\.(\d+))?$")


@dataclass
class Clause:
    id: str
    promise: str
    words: str
    status: str
    controls: list[str]
    tests: list[str]
    left: str


@dataclass
class Promise:
    id: str
    title: str
    seeds: set[str]
    status: str
    clauses: list[Clause] = field(default_factory=list)


def _cells(line: str) -> list[str]:
    assert line.startswith("|") and line.endswith("|"), f"not a table row: {line!r}"
    return [cell.strip() for cell in line[1:-1].split(" | ")]


@cache
def table() -> dict[str, Promise]:
    promises: dict[str, Promise] = {}
    current = None
    for number, line in enumerate(TABLE.read_text().splitlines(), start=1):
        line = line.rstrip()
        if heading := HEADING.match(line):
            assert heading.group(1) not in promises, f"line {number}: {heading.group(1)} is listed twice"
            current = Promise(heading.group(1), heading.group(2), set(), "")
            promises[current.id] = current
        elif status := STATUS_LINE.match(line):
            assert current and not current.status, f"line {number}: a status line outside a promise"
            current.seeds = {seed.strip() for seed in status.group(1).split(",")}
            current.status = status.group(2)
        elif row := CLAUSE_ROW.match(line):
            assert current and row.group(1) == current.id, f"line {number}: clause {row.group(1)} is under {current}"
            cells = _cells(line)
            assert len(cells) == 6, f"line {number}: a clause row has 6 columns, not {len(cells)}"
            clause_id, words, status, controls, tests, left = cells
            current.clauses.append(Clause(
                id=clause_id, promise=current.id, words=words, status=status,
                controls=BACKTICKED.findall(controls), tests=BACKTICKED.findall(tests), left=left,
            ))
    return promises


def clauses() -> list[Clause]:
    return [clause for promise in table().values() for clause in promise.clauses]


def derived_status(promise: Promise) -> str:
    statuses = {clause.status for clause in promise.clauses}
    if statuses == {"not applicable"}:
        return "not applicable"
    if statuses <= {"proven", "not applicable"}:
        return "proven"
    if "proven" in statuses:
        return "partly proven"
    return "planned"


# --- controls -------------------------------------------------------------------------------------------------

def resolve(control: str):
    """A control is a file in the repository (it has a slash) or a dotted path starting at `earlyhelp`."""
    if "/" in control:
        path = ROOT / control
        assert path.is_file(), f"{control}: no such file"
        return path
    parts = control.split(".")
    assert parts[0] == "earlyhelp", f"{control}: a control is a dotted path inside earlyhelp"
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError as error:
            if error.name and not ".".join(parts[:split]).startswith(error.name):
                raise  # the module exists but something it imports does not
            continue
        for name in parts[split:]:
            assert hasattr(target, name), f"{control}: {'.'.join(parts[:split])} has no {name!r}"
            target = getattr(target, name)
        return target
    raise AssertionError(f"{control}: no such module")


# --- tests and their markers ----------------------------------------------------------------------------------

def _promise_ids(node: ast.AST) -> set[str]:
    """Every id in each `pytest.mark.promise(...)` call inside node (a decorator or a pytestmark value)."""
    ids = set()
    for call in ast.walk(node):
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "promise"
                and isinstance(call.func.value, ast.Attribute) and call.func.value.attr == "mark"):
            for arg in call.args:
                assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), (
                    f"line {call.lineno}: promise() takes literal strings")
                ids.add(arg.value)
    return ids


@cache
def markers_in(path: str) -> dict[str, set[str]]:
    """Each test in the file (`name` or `Class::name`) with the promise ids it carries."""
    tree = ast.parse((ROOT / path).read_text(), filename=path)
    module_ids = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "pytestmark" for target in statement.targets):
            module_ids |= _promise_ids(statement.value)
    tests = {}

    def collect(body, prefix, inherited):
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name.startswith("test"):
                own = set().union(*(_promise_ids(d) for d in statement.decorator_list))
                tests[prefix + statement.name] = inherited | own
            elif isinstance(statement, ast.ClassDef) and statement.name.startswith("Test"):
                own = set().union(*(_promise_ids(d) for d in statement.decorator_list))
                collect(statement.body, f"{prefix}{statement.name}::", inherited | own)

    collect(tree.body, "", module_ids)
    return tests


def every_test_file() -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for path in
                  [*ROOT.glob("src/earlyhelp/**/tests/**/test_*.py"), *ROOT.glob("tests/**/test_*.py")])


def carries(ids: set[str], clause: Clause) -> bool:
    """A test proves a clause if it carries the promise's marker or this clause's own (promise("P4.2"))."""
    return clause.promise in ids or clause.id in ids


def repository_path(path: str) -> str:
    """Test paths in the table may leave out `src/earlyhelp/`; tests outside the package start with `tests/`."""
    return path if path.startswith(("src/", "tests/")) else f"src/earlyhelp/{path}"


def markers_of(node_id: str) -> set[str]:
    path, _, name = node_id.partition("::")
    path = repository_path(path)
    assert name, f"{node_id}: a test is named by its node id, path::test_name"
    assert "[" not in name, f"{node_id}: name the test function, not one of its parameters"
    assert (ROOT / path).is_file(), f"{node_id}: no such file"
    tests = markers_in(path)
    assert name in tests, f"{node_id}: no such test in {path}"
    return tests[name]


# --- the checks -----------------------------------------------------------------------------------------------

def test_every_promise_is_listed_once_in_order_with_its_clauses():
    promises = table()
    assert list(promises) == PROMISES
    for promise in promises.values():
        assert promise.status, f"{promise.id} has no status line"
        assert promise.seeds and promise.seeds <= SEEDS, f"{promise.id}: seeds {promise.seeds}"
        assert promise.clauses, f"{promise.id} has no clauses"
        numbers = [clause.id for clause in promise.clauses]
        assert numbers == [f"{promise.id}.{n}" for n in range(1, len(numbers) + 1)], f"{promise.id}: {numbers}"


def test_every_clause_quotes_a_seed_of_its_promise_and_has_a_known_status():
    for clause in clauses():
        quoted = set(re.findall(r"\b(00\d)\b", clause.words))
        assert quoted, f"{clause.id}: the seed's words name the seed they come from (000-004)"
        assert '"' in clause.words, f"{clause.id}: quote the seed's words"
        assert clause.status in CLAUSE_STATUSES, f"{clause.id}: unknown status {clause.status!r}"


def test_a_promise_is_proven_only_when_every_clause_is():
    for promise in table().values():
        assert promise.status == derived_status(promise), (
            f"{promise.id} says {promise.status!r} but its clauses make it {derived_status(promise)!r}")


def test_a_proven_clause_names_a_control_and_a_test_and_leaves_nothing_open():
    for clause in clauses():
        if clause.status == "proven":
            assert clause.controls, f"{clause.id} is proven without a control"
            assert clause.tests, f"{clause.id} is proven without a test"
            assert clause.left in NOTHING, f"{clause.id} is proven but leaves this open: {clause.left}"
        else:
            assert clause.left not in NOTHING, f"{clause.id} is {clause.status}: say what is left, or why not"


def test_every_control_resolves():
    for clause in clauses():
        for control in clause.controls:
            resolve(control)


def test_every_test_exists_and_carries_the_promise_marker():
    for clause in clauses():
        for node_id in clause.tests:
            ids = markers_of(node_id)
            assert carries(ids, clause), (
                f"{clause.id}: {node_id} carries {sorted(ids) or 'no promise'}, not {clause.promise} or {clause.id}")


def test_no_test_names_a_promise_or_clause_the_table_does_not_list():
    listed = {promise.id for promise in table().values()} | {clause.id for clause in clauses()}
    for path in every_test_file():
        for name, ids in markers_in(path).items():
            for pid in ids:
                assert MARKER_ID.match(pid), f"{path}::{name}: {pid!r} is not a promise (P4) or clause (P4.2)"
                assert pid in listed, f"{path}::{name} names {pid}, which the table does not list"


# --- the checks can fail --------------------------------------------------------------------------------------

def test_resolving_refuses_a_control_that_does_not_exist():
    assert resolve("earlyhelp.casework.services.closure.request_closure")
    for missing in ["earlyhelp.casework.services.closure.no_such_function", "earlyhelp.no_such_app.services",
                    "src/earlyhelp/no_such_file.html", "django.conf.settings"]:
        with pytest.raises(AssertionError):
            resolve(missing)


def test_a_test_without_the_marker_or_a_missing_test_is_refused():
    clause = Clause("P10.1", "P10", "000 \"...\"", "proven", [], [], "—")
    here = "src/earlyhelp/web/tests/test_conformance_table.py"
    closure = "src/earlyhelp/casework/tests/test_casework_services.py"
    assert carries(markers_of(f"{closure}::test_closing_needs_a_reason_and_the_familys_feedback_or_a_recorded_refusal"),
                   clause)
    assert not carries(markers_of(f"{here}::test_every_control_resolves"), clause)
    assert carries({"P10.1"}, clause) and not carries({"P1"}, clause) and not carries({"P10.2"}, clause)
    for missing in [f"{here}::test_no_such_test", "src/earlyhelp/web/tests/test_nothing.py::test_x", here,
                    f"{closure}::test_contacts_are_recorded_from_every_channel[phone]"]:
        with pytest.raises(AssertionError):
            markers_of(missing)


def test_the_derived_status_needs_every_clause():
    def promise(*statuses):
        return Promise("P0", "", {"000"}, "", [Clause(f"P0.{n}", "P0", "", s, [], [], "") for n, s in
                                             enumerate(statuses, start=1)])
    assert derived_status(promise("proven", "proven")) == "proven"
    assert derived_status(promise("proven", "not applicable")) == "proven"
    assert derived_status(promise("proven", "planned")) == "partly proven"
    assert derived_status(promise("planned", "not applicable")) == "planned"
    assert derived_status(promise("not applicable")) == "not applicable"
