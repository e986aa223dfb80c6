"""An Excel workbook checked before openpyxl reads it, so that a small file cannot take the worker's memory.

openpyxl (read-only) streams a worksheet row by row, but holds every shared string, style and the whole text of
each cell in memory: a 1 MB workbook can unpack to hundreds of megabytes of them (issue 16 measured 1.1 GB for a
0.9 MB file). Before it opens the file, each part's unpacked size is capped from the zip directory, and the shared
strings and the worksheets are scanned as a stream (expat, a few kilobytes at a time): how many shared strings
there are, and how long the longest cell is. Within these caps a workbook needs at most about 250 MB to read
(`docs/operations.md` gives the worker's memory limit).
"""

import zipfile
from xml.parsers import expat

MAX_CELL_CHARACTERS = 32_767  # Excel's own limit on a cell's text
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
MAX_PART_BYTES = 8 * 1024 * 1024  # styles, the workbook, themes, relationships: a real workbook's are far smaller
SCAN_CHUNK = 64 * 1024

DAMAGED = "The Excel workbook is damaged and cannot be read: save it again from Excel and upload it again"
TOO_LARGE = "The Excel workbook is too large once unpacked: split it into smaller files"
TOO_MANY_STRINGS = (f"The Excel workbook holds more than {MAX_SHARED_STRINGS:,} different pieces of text: split it "
                    "into smaller files")
CELL_TOO_LONG = (f"A cell in the Excel workbook holds more than {MAX_CELL_CHARACTERS:,} characters, more than Excel "
                 "itself allows: check the file, save it again from Excel and upload it again")


class Refused(Exception):
    """The workbook is not read; the message is safe to show (it holds nothing from the file)."""


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def check(archive: zipfile.ZipFile, *, max_unpacked: int) -> None:
    """Raise Refused if reading this workbook could exhaust memory: `max_unpacked` caps all parts together."""
    members = archive.infolist()
    if sum(info.file_size for info in members) > max_unpacked:
        raise Refused(TOO_LARGE)
    for info in members:
        if info.filename == "xl/sharedStrings.xml":
            if info.file_size > MAX_SHARED_STRINGS_BYTES:
                raise Refused(TOO_LARGE)
        elif not _is_worksheet(info.filename) and info.file_size > MAX_PART_BYTES:
            raise Refused(TOO_LARGE)
    for info in members:
        if info.filename == "xl/sharedStrings.xml" or _is_worksheet(info.filename):
            _scan(archive, info, count_strings=info.filename == "xl/sharedStrings.xml")


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, count_strings: bool) -> None:
    """Stream one part through expat, counting shared strings (`si`) and the length of each cell's text (a shared
    string's runs together, or a cell's value), without keeping any of it."""
    item = "si" if count_strings else "c"  # what a length belongs to: a shared string, or a worksheet's cell
    state = {"strings": 0, "length": 0, "in_text": False}

    def start(name, attributes):
        local = name.rsplit(":", 1)[-1]
        if local == item:
            state["length"] = 0
            if count_strings:
                state["strings"] += 1
                if state["strings"] > MAX_SHARED_STRINGS:
                    raise Refused(TOO_MANY_STRINGS)
        state["in_text"] = local in {"t", "v"}

    def text(data):
        if state["in_text"]:
            state["length"] += len(data)
            if state["length"] > MAX_CELL_CHARACTERS:
                raise Refused(CELL_TOO_LONG)

    def end(name):
        state["in_text"] = False

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.CharacterDataHandler, parser.EndElementHandler = start, text, end
    try:
        with archive.open(info) as part:
            while chunk := part.read(SCAN_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Refused(DAMAGED) from None
