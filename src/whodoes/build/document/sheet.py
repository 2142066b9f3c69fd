"""Spreadsheets (.xlsx with openpyxl, .xls with xlrd) -> Document: one Table per sheet.

Every sheet's used range is a table with its merged cells as spans; the header row
need not be the first (a title row above it is common: the layout reader looks for
it among the first rows).  A row's place is the sheet and its cell range
("sheet 任务分解!A5:F5").
"""

from __future__ import annotations

import datetime
import io
import re

from whodoes.build.document.model import Cell, Document, Provenance, Table
from whodoes.build.sources import SourceError

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def column_letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime.datetime):
        return v.date().isoformat() if v.time() == datetime.time() else v.isoformat(sep=" ")
    return str(v).replace("\r\n", "\n").strip()


def _table(name: str, values: list[list], merges: list[tuple[int, int, int, int]]) -> Table | None:
    """values: rows of cell values (0-based); merges: (row0, col0, row1, col1) inclusive, 0-based."""
    while values and not any(_value(v) for v in values[-1]):
        values.pop()
    n_cols = max((k + 1 for row in values for k, v in enumerate(row) if _value(v)), default=0)
    if not values or not n_cols:
        return None
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    origin_span: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in merges:
        r1, c1 = min(r1, len(values) - 1), min(c1, n_cols - 1)
        if r0 > r1 or c0 > c1:
            continue
        origin_span[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    covered[(r, c)] = (r0, c0)
    cells = []
    for r, row in enumerate(values):
        for c in range(n_cols):
            if (r, c) in covered:
                continue
            rs, cs = origin_span.get((r, c), (1, 1))
            cells.append(Cell(r, c, _value(row[c] if c < len(row) else None), row_span=rs, col_span=cs))
    last = column_letter(n_cols)
    provs = [Provenance(sheet=name, cells=f"A{r + 1}:{last}{r + 1}") for r in range(len(values))]
    return Table(cells, len(values), n_cols, Provenance(sheet=name), row_provs=provs)


def _xlsx(data: bytes, name: str) -> tuple[list[Table], dict]:
    import openpyxl  # build path only

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # zipfile, XML and openpyxl errors of a damaged file
        raise SourceError(f"{name}: not a readable spreadsheet (.xlsx): {type(e).__name__}") from None
    tables = []
    for ws in book.worksheets:
        values = [list(row) for row in ws.iter_rows(values_only=True)]
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        table = _table(ws.title, values, merges)
        if table is not None:
            tables.append(table)
    title = (book.properties.title or "").strip()
    return tables, ({"title": title} if len(re.findall(r"[\u4e00-\u9fff]", title)) >= 4 else {})


def _xls(data: bytes, name: str) -> tuple[list[Table], dict]:
    import xlrd  # build path only

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as e:  # xlrd.XLRDError and the struct / compound-document errors of damage
        if "encrypt" in str(e).lower():
            raise SourceError(
                f"{name}: the spreadsheet is password-protected; save it without a password and add it again"
            ) from None
        raise SourceError(f"{name}: not a readable spreadsheet (.xls): {str(e).splitlines()[0][:80]}") from None
    tables = []
    for sh in book.sheets():
        values = []
        for r in range(sh.nrows):
            row = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                v = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    v = xlrd.xldate.xldate_as_datetime(v, book.datemode)
                row.append(v)
            values.append(row)
        merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sh.merged_cells]
        table = _table(sh.name, values, merges)
        if table is not None:
            tables.append(table)
    return tables, {}


def read_sheets(data: bytes, name: str, kind: str) -> Document:
    if kind == "xlsx" and data[:8] == OLE2:
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise SourceError(
                f"{name}: the spreadsheet is password-protected; save it without a password and add it again"
            )
        kind = "xls"  # an old .xls named .xlsx
    tables, meta = _xlsx(data, name) if kind == "xlsx" else _xls(data, name)
    if not tables:
        raise SourceError(f"{name}: the spreadsheet has no filled cells")
    return Document(list(tables), format=kind, metadata=meta)
