"""Spreadsheet bytes (XLSX or CSV) as rows under a recognised header.

Course lists are published as spreadsheets made by hand: a title line or two
above the header, header spellings that drift between semesters ("Course ID",
"Course Code", "NOC Code"), blank lines. `read_table` finds the header row
by how many columns it recognises, and gives each later row as a dict of
canonical field -> cell value, with the sheet row number for error messages.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.http import BadPayload

HEADER_SCAN_ROWS = 25  # a header further down than this is not a header
MIN_MATCHED = 3  # columns a header row must recognise

Matcher = Callable[[str], str | None]


@dataclass(frozen=True)
class Row:
    number: int  # 1-based row in the sheet or file
    cells: dict[str, Any]  # canonical field -> raw cell value


def normalise_header(text: Any) -> str:
    """ "Duration (in Weeks)" -> "duration in weeks"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).split())


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"  # a ZIP container: Office Open XML


def _xlsx_rows(data: bytes) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook  # imported when a workbook arrives

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()


def _csv_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows


def _csv_rows(text: str, delimiter: str) -> Iterator[Sequence[Any]]:
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


class NoHeader(ValueError):
    pass


def check_spreadsheet(data: bytes) -> bytes:
    """`data`, or `BadPayload` for an HTML page or a workbook cut short.

    A CSV cut short cannot be told from a short CSV; a workbook is a ZIP with
    its directory at the end, so a truncated one does not open.
    """
    if data.lstrip()[:1] == b"<":
        raise BadPayload("HTML page instead of a spreadsheet")
    if is_xlsx(data):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.namelist()
        except zipfile.BadZipFile as exc:
            raise BadPayload(f"broken XLSX ({exc})") from exc
    return data


def read_table(data: bytes, match: Matcher) -> Iterator[Row]:
    """Rows under the first row where `match` recognises enough headers.

    A CSV's delimiter is whichever of comma, semicolon and tab yields such a
    header (a title line above the header fools a sniffer).
    """
    if is_xlsx(data):
        return _read(_xlsx_rows(data), match)
    text = _csv_text(data)
    failure: NoHeader | None = None
    for delimiter in (",", ";", "\t"):
        try:
            return iter(list(_read(_csv_rows(text, delimiter), match)))
        except NoHeader as exc:
            failure = exc
    assert failure is not None
    raise failure


def _read(rows: Iterator[Sequence[Any]], match: Matcher) -> Iterator[Row]:
    columns: dict[int, str] | None = None
    for number, values in enumerate(rows, start=1):
        if columns is None:
            found: dict[int, str] = {}
            for index, value in enumerate(values):
                field = match(normalise_header(value))
                if field and field not in found.values():
                    found[index] = field
            if len(found) >= MIN_MATCHED:
                columns = found
            elif number >= HEADER_SCAN_ROWS:
                break
            continue
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        cells = {
            field: values[index]
            for index, field in columns.items()
            if index < len(values)
        }
        yield Row(number, cells)
    if columns is None:
        raise NoHeader(
            f"no header row with {MIN_MATCHED} recognised columns in the first "
            f"{HEADER_SCAN_ROWS} rows"
        )
