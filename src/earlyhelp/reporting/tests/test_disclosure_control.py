"""Disclosure control of published statistics (privacy promise P11): the rules, the symbols, rounding, secondary
suppression and the refusal to publish tables whose protection has been removed. Pure functions: no database."""

import dataclasses

import pytest

from earlyhelp.reporting.disclosure import (
    Dataset,
    DisclosureRisk,
    Geography,
    ProtectedPublication,
    Publication,
    ShownCell,
    Suppression,
    Symbol,
    Table,
    Thresholds,
    check_published,
    protect,
    render_safe,
)

pytestmark = pytest.mark.promise("P11")


def one_way(counts: dict[str, int], *, geography=Geography.COUNCIL, title="Families by stage") -> Publication:
    dataset = Dataset(dimensions={"stage": list(counts)}, counts={(stage,): n for stage, n in counts.items()})
    return Publication(dataset=dataset, tables=[Table(title=title, rows="stage", geography=geography)])


def two_way(rows: dict[str, list[int]], columns: list[str], *, geography=Geography.COUNCIL) -> Publication:
    counts = {(row, column): n for row, ns in rows.items() for column, n in zip(columns, ns)}
    dataset = Dataset(dimensions={"stage": list(rows), "team": columns}, counts=counts)
    return Publication(
        dataset=dataset,
        tables=[Table(title="Families by stage and team", rows="stage", columns="team", geography=geography)],
    )


def hidden(cells) -> list[bool]:
    return [cell.display == Symbol.CONFIDENTIAL for cell in cells]


# --- the rules --------------------------------------------------------------------------------------------------------


def test_the_defaults_are_the_councils_rules():
    thresholds = Thresholds()
    assert (thresholds.minimum, thresholds.suppress_up_to, thresholds.small_area_suppress_up_to) == (1, 5, 10)
    assert thresholds.rounding_base == 10
    assert thresholds.targets_for(count=3, suppress_up_to=5) == (0, 8)
    assert thresholds.targets_for(count=5, suppress_up_to=5) == (0, 10)
    assert Thresholds(protection=2).targets_for(count=5, suppress_up_to=5) == (3, 7)
    assert Thresholds(protection=2).targets_for(count=1, suppress_up_to=5) == (0, 6), "always above the threshold"


@pytest.mark.parametrize(
    "settings",
    [{"minimum": 0}, {"suppress_up_to": 0}, {"small_area_suppress_up_to": 3}, {"rounding_base": 0}, {"protection": 0}],
)
def test_thresholds_that_would_not_protect_are_refused(settings):
    with pytest.raises(ValueError):
        Thresholds(**settings)


def test_zero_stays_zero_one_and_five_are_suppressed_and_six_is_shown():
    shown = protect(publication=one_way({"a": 0, "b": 1, "c": 5, "d": 30, "e": 40}), thresholds=Thresholds())
    table = shown.table("Families by stage")
    assert table.cell("a") == ShownCell(0)
    assert table.cell("b") == ShownCell(Symbol.CONFIDENTIAL, Suppression.PRIMARY)
    assert table.cell("c") == ShownCell(Symbol.CONFIDENTIAL, Suppression.PRIMARY)

    shown = protect(publication=one_way({"a": 0, "b": 6, "c": 30}), thresholds=Thresholds())
    assert [cell.display for cell in shown.table("Families by stage").shown_cells()] == [0, 6, 30, 36]


def test_small_area_tables_suppress_up_to_ten():
    counts = {"a": 7, "b": 10, "c": 11, "d": 40}
    council = protect(publication=one_way(counts), thresholds=Thresholds()).table("Families by stage")
    assert [cell.display for cell in council.shown_cells()] == [7, 10, 11, 40, 68]

    small_area = protect(publication=one_way(counts, geography=Geography.SMALL_AREA), thresholds=Thresholds())
    table = small_area.table("Families by stage")
    assert table.cell("a").reason == table.cell("b").reason == Suppression.PRIMARY
    assert table.cell("c").reason != Suppression.PRIMARY


def test_the_councils_own_threshold_is_used():
    shown = protect(publication=one_way({"a": 3, "b": 4, "c": 40, "d": 50}), thresholds=Thresholds(suppress_up_to=3))
    table = shown.table("Families by stage")
    assert table.cell("a").reason == Suppression.PRIMARY
    assert table.cell("b").reason != Suppression.PRIMARY


# --- secondary suppression --------------------------------------------------------------------------------------------


def test_a_row_with_one_small_cell_gets_a_second_suppression():
    publication = two_way({"Assessment": [3, 20, 30], "Plan": [25, 35, 45], "Review": [40, 50, 60]}, ["N", "S", "E"])
    table = protect(publication=publication, thresholds=Thresholds()).table("Families by stage and team")
    assert table.cell("Assessment", "N").reason == Suppression.PRIMARY
    assert sum(hidden(table.cells[0])) >= 2, "the row total would give the small cell away"
    assert sum(hidden(row[0] for row in table.cells)) >= 2, "so would the column total"
    assert all(cell.reason in (None, Suppression.PRIMARY, Suppression.SECONDARY) for cell in table.shown_cells())
    assert {cell.reason for cell in table.shown_cells() if cell.display == "c"} == {
        Suppression.PRIMARY,
        Suppression.SECONDARY,
    }


def test_the_smallest_figure_that_protects_is_chosen():
    shown = protect(publication=one_way({"a": 2, "b": 9, "c": 40, "d": 50}), thresholds=Thresholds())
    table = shown.table("Families by stage")
    assert [cell.display for cell in table.shown_cells()] == ["c", "c", 40, 50, 101]
    assert table.cell("b").reason == Suppression.SECONDARY


def test_a_figure_is_suppressed_the_same_way_in_every_table_it_appears_in():
    counts = {("Assessment", "N"): 3, ("Assessment", "S"): 1, ("Plan", "N"): 30, ("Plan", "S"): 40}
    dataset = Dataset(dimensions={"stage": ["Assessment", "Plan"], "team": ["N", "S"]}, counts=counts)
    publication = Publication(
        dataset=dataset,
        tables=[
            Table(title="By stage and team", rows="stage", columns="team"),
            Table(title="By stage", rows="stage"),
        ],
    )
    shown = protect(publication=publication, thresholds=Thresholds())
    by_stage_and_team, by_stage = shown.table("By stage and team"), shown.table("By stage")
    assert by_stage_and_team.row_total("Assessment").reason == Suppression.PRIMARY  # 4 families
    assert by_stage.cell("Assessment").reason == Suppression.PRIMARY
    assert by_stage.cell("Plan").display == by_stage_and_team.row_total("Plan").display


def test_protecting_the_same_publication_twice_gives_the_same_tables():
    publication = two_way({"A": [3, 2, 30, 1], "B": [25, 4, 45, 9], "C": [0, 50, 5, 60]}, ["N", "S", "E", "W"])
    assert protect(publication=publication, thresholds=Thresholds()) == protect(
        publication=publication, thresholds=Thresholds()
    )


# --- rounding and symbols ---------------------------------------------------------------------------------------------


def test_totals_above_council_level_are_rounded_to_the_nearest_ten():
    publication = two_way({"Assessment": [12, 23], "Plan": [34, 41]}, ["N", "S"], geography=Geography.REGION)
    table = protect(publication=publication, thresholds=Thresholds()).table("Families by stage and team")
    assert [cell.display for row in table.cells for cell in row] == [12, 23, 34, 41], "cells are not rounded"
    assert [cell.display for cell in table.row_totals] == [40, 80]  # 35 rounds half up
    assert [cell.display for cell in table.column_totals] == [50, 60]  # 46, 64
    assert table.total == ShownCell(110, rounded=True)  # 110


def test_council_and_small_area_totals_are_not_rounded():
    for geography in (Geography.COUNCIL, Geography.SMALL_AREA):
        shown = protect(publication=one_way({"a": 12, "b": 23}, geography=geography), thresholds=Thresholds())
        assert shown.table("Families by stage").total == ShownCell(35)


def test_the_rounding_base_is_the_councils():
    shown = protect(
        publication=one_way({"a": 12, "b": 21}, geography=Geography.NATIONAL), thresholds=Thresholds(rounding_base=5)
    )
    assert shown.table("Families by stage").total.display == 35  # 33


def test_a_non_zero_total_that_rounds_to_zero_is_k_and_a_true_zero_is_zero():
    thresholds = Thresholds(suppress_up_to=2)
    publication = two_way({"Assessment": [3, 0], "Plan": [0, 0]}, ["N", "S"], geography=Geography.REGION)
    table = protect(publication=publication, thresholds=thresholds).table("Families by stage and team")
    assert table.cell("Assessment", "N").display == 3
    assert table.row_total("Assessment").display == Symbol.LOW == "k"
    assert table.row_total("Plan").display == 0
    assert table.column_total("S").display == 0


def test_a_suppressed_total_is_c_not_its_rounded_value():
    publication = two_way({"Assessment": [2, 2], "Plan": [30, 40]}, ["N", "S"], geography=Geography.REGION)
    table = protect(publication=publication, thresholds=Thresholds()).table("Families by stage and team")
    assert table.row_total("Assessment") == ShownCell(Symbol.CONFIDENTIAL, Suppression.PRIMARY)


def test_gss_symbols():
    assert [symbol.value for symbol in Symbol] == ["c", "z", "k", ":"]
    stages, headlines = ["Open", "Closed"], ["Work", "School"]
    counts = {("Open", "Work"): 30, ("Open", "School"): 40, ("Closed", "Work"): 0, ("Closed", "School"): 25}
    dataset = Dataset(
        dimensions={"stage": stages, "headline": headlines},
        counts=counts,
        structural_zeros=[{"stage": "Closed", "headline": "Work"}],
    )
    publication = Publication(
        dataset=dataset,
        tables=[
            Table(title="By stage and headline", rows="stage", columns="headline", not_available=[("Open", "School")]),
        ],
    )
    table = protect(publication=publication, thresholds=Thresholds()).table("By stage and headline")
    assert table.cell("Closed", "Work").display == Symbol.NOT_APPLICABLE == "z"
    assert table.cell("Open", "School").display == Symbol.NOT_AVAILABLE == ":"
    assert table.as_rows()[0] == ["", "Work", "School", "Total"]


def test_a_combination_declared_impossible_must_have_no_records():
    with pytest.raises(ValueError):
        Dataset(dimensions={"stage": ["Open"]}, counts={("Open",): 2}, structural_zeros=[{"stage": "Open"}])


# --- the refusal ------------------------------------------------------------------------------------------------------


@pytest.fixture
def protected():
    publication = two_way(
        {"Assessment": [3, 20, 30, 7], "Plan": [25, 2, 45, 12], "Review": [40, 50, 60, 18]}, ["N", "S", "E", "W"]
    )
    thresholds = Thresholds()
    return publication, protect(publication=publication, thresholds=thresholds), thresholds


def replaced(shown: ProtectedPublication, row: int, column: int, cell: ShownCell) -> ProtectedPublication:
    table = shown.tables[0]
    cells = [list(r) for r in table.cells]
    cells[row][column] = cell
    return ProtectedPublication(tables=(dataclasses.replace(table, cells=tuple(map(tuple, cells))),))


def refusal(shown, publication, thresholds) -> str:
    with pytest.raises(DisclosureRisk) as raised:
        render_safe(shown=shown, publication=publication, thresholds=thresholds)
    message = str(raised.value)
    assert "Families by stage and team" in message
    assert not any(character.isdigit() for character in message), "the message must name no figure"
    return message


def test_the_protected_tables_are_published(protected):
    publication, shown, thresholds = protected
    rows = render_safe(shown=shown, publication=publication, thresholds=thresholds)["Families by stage and team"]
    assert rows[0] == ["", "N", "S", "E", "W", "Total"]
    assert rows[1][1] == "c"


def test_showing_a_small_count_is_refused(protected):
    publication, shown, thresholds = protected
    message = refusal(replaced(shown, 0, 0, ShownCell(3)), publication, thresholds)
    assert "threshold" in message


def test_removing_secondary_suppression_is_refused(protected):
    publication, shown, thresholds = protected
    table = shown.tables[0]
    secondary = [
        (r, c)
        for r, row in enumerate(table.cells)
        for c, cell in enumerate(row)
        if cell.reason == Suppression.SECONDARY
    ]
    assert secondary
    r, c = secondary[0]
    true_value = publication.dataset.counts_over(["stage", "team"])[r, c]
    message = refusal(replaced(shown, r, c, ShownCell(int(true_value))), publication, thresholds)
    assert "worked out" in message


def test_an_altered_figure_is_refused(protected):
    publication, shown, thresholds = protected
    table = shown.tables[0]
    r, c = next((r, c) for r, row in enumerate(table.cells) for c, cell in enumerate(row) if cell.display == 60)
    assert "does not match" in refusal(replaced(shown, r, c, ShownCell(61)), publication, thresholds)


def test_suppressing_more_by_hand_is_allowed_if_nothing_suppressed_can_be_worked_out(protected):
    publication, shown, thresholds = protected
    table = shown.tables[0]

    def published(r, c):
        return isinstance(table.cells[r][c].display, int)

    rows, columns = range(len(table.row_labels)), range(len(table.column_labels))
    r1, r2, c1, c2 = next(
        (r1, r2, c1, c2)
        for r1 in rows
        for r2 in rows
        for c1 in columns
        for c2 in columns
        if r1 < r2 and c1 < c2 and all(published(r, c) for r in (r1, r2) for c in (c1, c2))
    )
    by_hand = shown
    for r, c in ((r1, c1), (r1, c2), (r2, c1), (r2, c2)):
        by_hand = replaced(by_hand, r, c, ShownCell(Symbol.CONFIDENTIAL))
    check_published(shown=by_hand, publication=publication, thresholds=thresholds)

    lone = replaced(shown, r1, c1, ShownCell(Symbol.CONFIDENTIAL))
    assert "worked out" in refusal(lone, publication, thresholds), "a lone `c` would be a promise it cannot keep"


def test_other_tables_than_those_protected_are_refused(protected):
    publication, shown, thresholds = protected
    other = one_way({"a": 30, "b": 40}, title="Something else")
    with pytest.raises(DisclosureRisk):
        check_published(
            shown=protect(publication=other, thresholds=thresholds), publication=publication, thresholds=thresholds
        )
