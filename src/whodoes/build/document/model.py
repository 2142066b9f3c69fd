"""The document model: what a plan file holds, whatever its format.

Shaped like docling's DoclingDocument, but small: a ``Document`` is its items in
reading order, each a ``Paragraph`` or a ``Table`` (of ``Cell``s with their spans),
each with a ``Provenance`` saying where in the file it is.  ``Document.text_lines``
renders the document as text, one line per paragraph and per table row; for formats
that are not text this rendering defines the ``line`` of a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass
class Provenance:
    """Where an item is in its file; only the fields the format knows are set."""

    line: int | None = None  # 1-based line of the document's text rendering
    page: int | None = None  # 1-based PDF page
    table: int | None = None  # 1-based table number in the document
    row: int | None = None  # 1-based row in the table
    col: int | None = None  # 1-based column in the table
    paragraph: int | None = None  # 1-based body paragraph (Word)
    sheet: str | None = None  # spreadsheet sheet name
    cells: str | None = None  # spreadsheet range, "A5:G5"

    def describe(self) -> str:
        """'line 12', 'p. 3, table 1, row 5', 'paragraph 14', 'table 2, row 7', 'sheet 任务分解!A5:G5'."""
        if self.sheet is not None:
            return f"sheet {self.sheet}!{self.cells}" if self.cells else f"sheet {self.sheet}"
        parts = []
        if self.page is not None:
            parts.append(f"p. {self.page}")
        if self.table is not None:
            parts.append(f"table {self.table}")
            if self.row is not None:
                parts.append(f"row {self.row}")
        elif self.paragraph is not None:
            parts.append(f"paragraph {self.paragraph}")
        if not parts and self.line is not None:
            return f"line {self.line}"
        return ", ".join(parts)


@dataclass
class Paragraph:
    text: str  # list numbering restored in front ("1." / "（一）" from Word's numbering)
    prov: Provenance = field(default_factory=Provenance)
    heading: int | None = None  # heading level (1 = top) when the file marks it, else None


@dataclass(eq=False)  # compared by identity: a grid holds the same cell at every position it spans
class Cell:
    row: int  # 0-based grid row of its top-left corner
    col: int  # 0-based grid column of its top-left corner
    text: str  # its lines / paragraphs joined with "\n"
    row_span: int = 1
    col_span: int = 1
    prov: Provenance = field(default_factory=Provenance)


@dataclass
class Table:
    cells: list[Cell]
    n_rows: int
    n_cols: int
    prov: Provenance = field(default_factory=Provenance)
    row_provs: list[Provenance] = field(default_factory=list)  # one per row, when known

    def grid(self) -> list[list[Cell | None]]:
        """Rows of cells; a position covered by a span points to its origin cell, so a
        cell merged down over three rows appears in all three (``origin(cell, r)`` tells)."""
        rows: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.row_span, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.col_span, self.n_cols)):
                    rows[r][c] = cell
        return rows

    def row_prov(self, r: int) -> Provenance:
        """Where row ``r`` (0-based) is: its own provenance, else the table's with the row set."""
        if r < len(self.row_provs):
            return self.row_provs[r]
        return replace(self.prov, row=r + 1)


Item = Paragraph | Table


@dataclass
class Document:
    items: list[Item]
    format: str  # "text", "docx", "pdf", "html", "xlsx", ...
    metadata: dict[str, str] = field(default_factory=dict)  # title, issuer, date, doc_number found in the file
    encoding: str | None = None  # the character set a web page was read in

    def text_lines(self) -> list[str]:
        """The document as text: one line per paragraph, one line per table row (cells
        joined by TABs, a cell's own line breaks as spaces).  Sets ``prov.line`` of every
        paragraph and table row to its line here, so rows can say where they are."""
        out: list[str] = []
        for item in self.items:
            if isinstance(item, Paragraph):
                item.prov.line = len(out) + 1
                out.append(" ".join(item.text.split("\n")))
                continue
            grid = item.grid()
            provs = []
            for r, row in enumerate(grid):
                prov = item.row_prov(r)
                prov.line = len(out) + 1
                provs.append(prov)
                texts = [
                    c.text.replace("\n", " ") if c is not None and c.row == r and c.col == k else ""
                    for k, c in enumerate(row)
                ]
                out.append("\t".join(texts))
            item.row_provs = provs
        return out
