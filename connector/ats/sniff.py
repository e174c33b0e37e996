"""Reading an ATS export: encoding (UTF-8 with or without BOM, else cp1252) and delimiter (`;` from Dutch Excel,
`,`, tab, `|`) sniffed from the bytes; XLSX through openpyxl. Yields the header and the rows as strings/values."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

DELIMITERS = ";,\t|"
SNIFF_BYTES = 64 * 1024
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def sniff_encoding(data: bytes) -> str:
    """utf-8-sig for a BOM, utf-8 when it decodes, else cp1252 (Windows Excel's default in NL)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV sample: csv.Sniffer's guess among DELIMITERS, else the one most common in the header."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        return max(DELIMITERS, key=header.count)


def read_rows(path: Path) -> Iterator[list]:
    """The header then every row of a CSV or XLSX file (cells as text, or datetimes/numbers from Excel)."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        yield from _excel_rows(path)
        return
    data = path.read_bytes()
    encoding = sniff_encoding(data)
    text = data.decode(encoding, errors="replace" if encoding == "cp1252" else "strict")
    delimiter = sniff_delimiter(text[:SNIFF_BYTES])
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _excel_rows(path: Path) -> Iterator[list]:
    from openpyxl import load_workbook
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield ["" if v is None else v for v in row]
    finally:
        workbook.close()
