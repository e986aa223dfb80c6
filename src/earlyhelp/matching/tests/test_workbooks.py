"""Workbooks built to exhaust the worker's memory are refused before openpyxl reads them, in a few megabytes
(issue 16): too many shared strings, a cell longer than Excel allows, an oversized part, and a sheet far larger
unpacked than the upload limit allows. A workbook within the caps is read as before."""

import io
import tracemalloc
import zipfile

import openpyxl
import pytest

from earlyhelp.matching import imports, workbooks

CHECK_MEMORY_BOUND = 16 * 1024 * 1024  # what checking may allocate, whatever the workbook unpacks to


def _workbook(**replaced: bytes) -> bytes:
    """A real one-sheet workbook from openpyxl, with some parts replaced (by their path in the zip)."""
    book = openpyxl.Workbook()
    book.active.append(["source_record_id", "given_name"])
    book.active.append(["A-1", "Ada"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replaced.pop(info.filename, None) or source.read(info.filename))
        for name, content in replaced.items():
            target.writestr(name, content)
    return out.getvalue()


def _shared_strings(strings) -> bytes:
    body = b"".join(b"<si><t>" + text + b"</t></si>" for text in strings)
    return (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main">' + body + b"</sst>")


def _sheet(cells: bytes) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1">' + cells + b"</row></sheetData></worksheet>")


def _refused(content: bytes) -> tuple[str, int]:
    """The problem `_XlsxTable` gives, and the most memory it allocated finding it."""
    tracemalloc.start()
    try:
        with pytest.raises(imports.UnreadableFile) as refused:
            imports._XlsxTable(content)
        return str(refused.value), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_too_many_shared_strings_are_refused_in_little_memory():
    content = _workbook(**{"xl/sharedStrings.xml": _shared_strings([b"a"] * (workbooks.MAX_SHARED_STRINGS + 1))})
    assert len(content) < 1024 * 1024  # under a megabyte on the wire
    problem, peak = _refused(content)
    assert problem == workbooks.TOO_MANY_STRINGS and peak < CHECK_MEMORY_BOUND


@pytest.mark.parametrize("part,content", [
    ("xl/sharedStrings.xml", _shared_strings([b"x" * (workbooks.MAX_CELL_CHARACTERS + 1)])),
    ("xl/sharedStrings.xml", _shared_strings([b"<r><t>" + b"x" * 20_000 + b"</t></r><r><t>" + b"y" * 20_000
                                              + b"</t></r>"]).replace(b"<si><t><r>", b"<si><r>")
     .replace(b"</r></t></si>", b"</r></si>")),
    ("xl/worksheets/sheet1.xml", _sheet(b'<c r="A1" t="inlineStr"><is><t>' + b"x" * 40_000 + b"</t></is></c>")),
    ("xl/worksheets/sheet1.xml", _sheet(b'<c r="A1"><v>' + b"9" * 40_000 + b"</v></c>")),
], ids=["one shared string", "a shared string in two runs", "an inline string", "a value"])
def test_a_cell_longer_than_excel_allows_is_refused(part, content):
    problem, peak = _refused(_workbook(**{part: content}))
    assert problem == workbooks.CELL_TOO_LONG and peak < CHECK_MEMORY_BOUND


def test_many_short_cells_in_a_sheet_are_not_one_long_cell():
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>\n' % (n, n, n) for n in range(1, 20_001))
    sheet = _sheet(b"").replace(b'<row r="1"></row>', rows)
    table = imports._XlsxTable(_workbook(**{"xl/worksheets/sheet1.xml": sheet}))
    try:
        assert sum(1 for _ in table.rows()) == 20_000
    finally:
        table.close()


@pytest.mark.parametrize("part,size", [
    ("xl/styles.xml", workbooks.MAX_PART_BYTES + 1),
    ("xl/sharedStrings.xml", workbooks.MAX_SHARED_STRINGS_BYTES + 1),
])
def test_an_oversized_part_is_refused_from_the_zip_directory(part, size):
    padding = b"<!-- " + b" " * size + b" -->"
    problem, peak = _refused(_workbook(**{part: b'<?xml version="1.0"?>' + padding + b"<styleSheet/>"}))
    assert problem == workbooks.TOO_LARGE and peak < CHECK_MEMORY_BOUND


def test_a_sheet_larger_unpacked_than_the_limit_allows_is_refused(settings):
    settings.MATCHING_MAX_UPLOAD_BYTES = 64 * 1024  # so the sheet need only unpack to a little over 1.25 MB
    sheet = _sheet(b'<c r="A1"><v>1</v></c>' + b" " * (imports.MAX_UNPACKED_RATIO * 64 * 1024))
    problem, _ = _refused(_workbook(**{"xl/worksheets/sheet1.xml": sheet}))
    assert problem == workbooks.TOO_LARGE


def test_a_broken_shared_strings_part_is_damaged_not_a_crash():
    problem, _ = _refused(_workbook(**{"xl/sharedStrings.xml": b"<sst><si><t>unclosed"}))
    assert problem == workbooks.DAMAGED
