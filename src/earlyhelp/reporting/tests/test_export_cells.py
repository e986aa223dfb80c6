"""Every CSV and XLSX export neutralises a formula in a cell (issue 16, OWASP "CSV injection"), and numbers stay
numbers. A name or team name such as `=cmd|' /C calc'!A0` comes out as text a spreadsheet shows, never runs."""

import csv
import datetime
import io

from earlyhelp.reporting.services import annex_a, files

FORMULA = "=cmd|' /C calc'!A0"


def _list_2(organisation):
    return annex_a.List2(inspection_date=datetime.date(2026, 11, 1), window_start=datetime.date(2026, 5, 1),
                         rows=[["ID1", "a", "WBRI", "27/03/2015", "11", "01/06/2026", "", organisation]],
                         household_ids=[1], left_out_restricted=0)


def test_annex_a_csv_makes_a_formula_inert():
    content = annex_a.render_csv(_list_2(FORMULA)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][-1] == "'" + FORMULA
    assert rows[1][:7] == ["ID1", "a", "WBRI", "27/03/2015", "11", "01/06/2026", ""]  # statutory values unchanged


def test_annex_a_xlsx_makes_a_formula_inert():
    import openpyxl

    content = annex_a.render_xlsx(_list_2(FORMULA))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    row = [cell.value for cell in sheet[2]]
    assert row[-1] == "'" + FORMULA and sheet.cell(2, len(row)).data_type == "s"
    assert row[:6] == ["ID1", "a", "WBRI", "27/03/2015", "11", "01/06/2026"]


def test_an_extract_file_makes_a_formula_inert_and_keeps_numbers(settings, tmp_path):
    settings.EARLYHELP_EXPORT_DIR = tmp_path
    written = files.write_csv(["given_name", "family_name", "score", "change"],
                              iter([(1, ["Sam", FORMULA, 12, -3]), (2, ["+44 1", "@x", 0, "-2"])]))
    rows = list(csv.reader(io.StringIO(written.path.read_text(encoding="utf-8"))))
    assert rows[1:] == [["Sam", "'" + FORMULA, "12", "-3"], ["'+44 1", "'@x", "0", "-2"]]
