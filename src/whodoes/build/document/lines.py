"""A Document made ready for the layout reader: its text rendering as cleaned Lines, and
its tables with cleaned cells (the same clean-up: debris removed, simplified Chinese)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from whodoes.build.cleanup import Line, clean_lines, clean_text
from whodoes.build.document.model import Document, Paragraph, Table


@dataclass
class Prepared:
    lines: list[Line]  # the text rendering, one Line per paragraph and per table row
    tables: list[Table]  # cells cleaned; row_provs carry their line in ``lines``
    traditional: bool
    locations: dict[int, str] = field(default_factory=dict)  # line -> where in the file


def _clean_cell(text: str, traditional: bool) -> str:
    return "\n".join(part.strip() for part in clean_text(text, traditional).split("\n"))


def _clean_table(table: Table, traditional: bool) -> Table:
    cells = [replace(c, text=_clean_cell(c.text, traditional)) for c in table.cells]
    return replace(table, cells=cells)


def prepare_document(doc: Document) -> Prepared:
    """Render, clean and index ``doc`` (Tables keep their spans; cells are cleaned copies)."""
    rendering = doc.text_lines()
    lines, traditional = clean_lines("\n".join(rendering))
    tables = [_clean_table(item, traditional) for item in doc.items if isinstance(item, Table)]
    locations: dict[int, str] = {}
    for item in doc.items:
        if isinstance(item, Paragraph):
            locations[item.prov.line] = item.prov.describe()
        else:
            for prov in item.row_provs:
                locations[prov.line] = prov.describe()
    return Prepared(lines=lines, tables=tables, traditional=traditional, locations=locations)
