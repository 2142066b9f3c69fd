"""Word (.docx) -> Document, with python-docx opening the package and lxml reading its XML.

Body paragraphs in order with Word's list numbering restored (``numbering``); tables
with their real merges (``w:vMerge`` continues the cell above, ``w:gridSpan`` spans
columns, ``w:gridBefore`` skips leading columns); tables nested in cells become tables
of their own after the one holding them; a one-column table (a frame around the text)
is read as the paragraphs and tables it holds.  Headers, footers, footnotes, deleted
text and the fallback copies of text boxes are left out.
"""

from __future__ import annotations

import io
import re

from whodoes.build.document.model import Cell, Document, Paragraph, Provenance, Table
from whodoes.build.document.numbering import Numberer, W
from whodoes.build.sources import SourceError

MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


class _Styles:
    """Paragraph styles: their numbering, outline level and heading level, following basedOn."""

    def __init__(self, element):
        self.by_id = {}
        if element is not None:
            for style in element.iter(f"{W}style"):
                self.by_id[style.get(f"{W}styleId")] = style

    def _chain(self, style_id: str | None):
        seen = set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            based = style.find(f"{W}basedOn")
            style_id = based.get(f"{W}val") if based is not None else None

    def numbering(self, style_id: str | None) -> tuple[str, int] | None:
        for style in self._chain(style_id):
            num_pr = style.find(f"{W}pPr/{W}numPr")
            if num_pr is not None and num_pr.find(f"{W}numId") is not None:
                ilvl = num_pr.find(f"{W}ilvl")
                return num_pr.find(f"{W}numId").get(f"{W}val"), int(ilvl.get(f"{W}val")) if ilvl is not None else 0
        return None

    def heading(self, style_id: str | None) -> int | None:
        for style in self._chain(style_id):
            name = style.find(f"{W}name")
            m = _HEADING_STYLE.match(name.get(f"{W}val", "")) if name is not None else None
            if m:
                return int(m.group(1))
            outline = style.find(f"{W}pPr/{W}outlineLvl")
            if outline is not None and outline.get(f"{W}val", "9").isdigit() and int(outline.get(f"{W}val")) < 9:
                return int(outline.get(f"{W}val")) + 1
        return None


def _run_text(p) -> str:
    """The visible text of a w:p: w:t (not deleted text, not a text box's fallback copy), tabs, breaks."""
    out = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
        if any(a.tag == MC_FALLBACK or a.tag == f"{W}del" for a in el.iterancestors()):
            continue
        tag = el.tag[len(W) :]
        if tag == "t":
            out.append(el.text or "")
        elif tag == "tab":
            if el.getparent() is not None and el.getparent().tag == f"{W}r":
                out.append(" ")
        elif tag in ("br", "cr"):
            out.append("\n")
        else:
            out.append("-")
    return "".join(out)


class _Reader:
    def __init__(self, numberer: Numberer, styles: _Styles):
        self.numberer, self.styles = numberer, styles
        self.items: list = []
        self.paragraphs = 0
        self.tables = 0

    def paragraph_text(self, p) -> tuple[str, int | None]:
        ppr = p.find(f"{W}pPr")
        style_id = None
        num = None
        if ppr is not None:
            pstyle = ppr.find(f"{W}pStyle")
            style_id = pstyle.get(f"{W}val") if pstyle is not None else None
            num_pr = ppr.find(f"{W}numPr")
            if num_pr is not None and num_pr.find(f"{W}numId") is not None:
                ilvl = num_pr.find(f"{W}ilvl")
                num = num_pr.find(f"{W}numId").get(f"{W}val"), int(ilvl.get(f"{W}val")) if ilvl is not None else 0
        num = num or self.styles.numbering(style_id)
        text = _run_text(p)
        if num and text.strip():
            text = self.numberer.label(*num) + text
        return text, self.styles.heading(style_id)

    def block(self, el, top: bool) -> None:
        """A body-level element: paragraph, table, or a content control holding them."""
        if el.tag == f"{W}p":
            text, level = self.paragraph_text(el)
            self.paragraphs += top
            prov = Provenance(paragraph=self.paragraphs if top else None)
            self.items.append(Paragraph(text, prov, level))
        elif el.tag == f"{W}tbl":
            self.table(el)
        elif el.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
            for child in el:
                self.block(child, top)

    def table(self, tbl) -> None:
        rows = tbl.findall(f"{W}tr")
        nested: list = []
        cells, n_cols = self._cells(rows, nested)
        if n_cols == 1:  # a frame: read what it holds
            for tc in (tc for tr in rows for tc in tr.findall(f"{W}tc")):
                for child in tc:
                    self.block(child, False)
            return
        self.tables += 1
        prov = Provenance(table=self.tables)
        for cell in cells:
            cell.prov = Provenance(table=self.tables, row=cell.row + 1, col=cell.col + 1)
        self.items.append(Table(cells, len(rows), n_cols, prov))
        for inner in nested:
            self.table(inner)

    def _cells(self, rows, nested: list) -> tuple[list[Cell], int]:
        cells: list[Cell] = []
        above: dict[int, Cell] = {}  # grid column -> the cell that reaches down to the current row
        n_cols = 0
        for r, tr in enumerate(rows):
            before = tr.find(f"{W}trPr/{W}gridBefore")
            col = int(before.get(f"{W}val", "0")) if before is not None else 0
            for tc in tr.findall(f"{W}tc"):
                tcpr = tc.find(f"{W}tcPr")
                span_el = tcpr.find(f"{W}gridSpan") if tcpr is not None else None
                span = int(span_el.get(f"{W}val", "1")) if span_el is not None else 1
                vmerge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
                if vmerge is not None and vmerge.get(f"{W}val", "continue") == "continue" and col in above:
                    above[col].row_span = r - above[col].row + 1
                else:
                    texts = []
                    for child in tc:
                        if child.tag == f"{W}p":
                            texts.append(self.paragraph_text(child)[0])
                        elif child.tag == f"{W}tbl":
                            nested.append(child)
                    cell = Cell(r, col, "\n".join(t for t in texts if t.strip()), col_span=span)
                    cells.append(cell)
                    for c in range(col, col + span):
                        above[c] = cell
                col += span
            n_cols = max(n_cols, col)
        return cells, n_cols


def read_docx(data: bytes, name: str) -> Document:
    """The body of a .docx file as a Document; SourceError for a file Word would not open."""
    import docx  # build path only: python-docx
    from docx.opc.exceptions import PackageNotFoundError

    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise SourceError(f"{name}: the file is password-protected; save it without a password and add it again")
        raise SourceError(f"{name}: an old Word document (.doc) named .docx; rename it to .doc")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as e:
        raise SourceError(
            f"{name}: not a readable Word file (.docx): {str(e).splitlines()[0] if str(e) else 'damaged'}"
        ) from None
    except Exception as e:  # lxml or zipfile errors of a damaged package
        raise SourceError(f"{name}: a damaged Word file (.docx): {type(e).__name__}") from None
    part = document.part
    try:
        numbering = part.numbering_part.element
    except (KeyError, NotImplementedError):
        numbering = None
    reader = _Reader(Numberer(numbering), _Styles(document.styles.element))
    for child in document.element.body:
        reader.block(child, True)
    meta = {}
    title = (document.core_properties.title or "").strip()
    if len(re.findall(r"[\u4e00-\u9fff]", title)) >= 4:
        meta["title"] = title
    return Document(reader.items, format="docx", metadata=meta)
