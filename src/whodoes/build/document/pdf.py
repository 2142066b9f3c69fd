"""PDF with a text layer -> Document: PDFium (pypdfium2) reads the characters and the lines
drawn, pdfplumber's table finder turns the lines into cells.

* Tables are found by their ruling lines (pdfplumber's "lines" strategy); the grid is
  rebuilt from the cells' edges, so a cell spanning rows or columns keeps its span.
* A cell's text wrapped over several lines is joined (without a space between CJK
  characters); a line that ends well before the cell's right edge ends a paragraph
  of the cell and stays a line break (units written one per line).
* A table that goes on at the top of the next page with the same columns is one
  table: a repeated header row is dropped, a row broken by the page end is joined
  again, and an empty cell at the top of the continuation is the merged cell above
  going on.
* Running headers and footers (the same text at the same place on most pages) and
  page numbers are dropped; the lines of a paragraph are joined again (a line that
  reaches the right margin goes on in the next one, unless that one starts a
  numbered item).
* A PDF without a text layer (a scan) is an error: whodoes does no OCR.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from whodoes.build.document.model import Cell, Document, Paragraph, Provenance, Table
from whodoes.build.sources import SourceError

_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’—…]")
_ITEM_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d{1,3}\s*[.．、)）](?!\d)|"
    r"第[一二三四五六七八九十\d]+[章节条部分]|附\s*件|[①-⑳])"
)
_PAGE_NUMBER = re.compile(r"^[-—–_\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d+\s*页)?[-—–_\s]*$")
_ROW_NUMBER = re.compile(r"[\d一二三四五六七八九十]{1,4}[.、．]?")
_NO_LINE_START = set("、，。；：！？）》」』”,.;:!?)")  # punctuation a line may not start with
CELL_PADDING = 5.5  # points between a cell's border and its text (Word and LibreOffice: 0.19 cm)
COLUMN_GAP = 2.5  # a gap of more than 2.5 characters within a line separates columns (a TAB)
EDGE_BAND = 0.12  # running headers and footers live in the top and bottom 12 % of a page


def join_wrapped(a: str, b: str) -> str:
    """Two pieces of one wrapped line of text: no space between CJK, one between latin words."""
    if not a or not b:
        return a + b
    if _WIDE.match(a[-1]) or _WIDE.match(b[0]):
        return a + b
    return a + " " + b


@dataclass
class _Line:
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    text: str
    page: int = 0


@dataclass
class _PageTable:
    page: int
    top: float
    bottom: float
    xs: list[float]
    cells: list[Cell]
    n_rows: int
    right: dict[int, float] = field(default_factory=dict)  # id(cell) -> right edge, for wraps


def _lines_of(chars: list[dict]) -> list[_Line]:
    """Characters -> lines (by their baseline band), left to right."""
    lines: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (round(c["bottom"]), c["x0"])):
        if lines and abs(lines[-1][0]["bottom"] - ch["bottom"]) <= max(2.0, ch["size"] * 0.3):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    out = []
    for group in lines:
        group.sort(key=lambda c: c["x0"])
        text, prev = "", None
        for ch in group:
            gap = ch["x0"] - prev["x1"] if prev is not None else 0.0
            if gap > ch["size"] * COLUMN_GAP and text:
                text = text.rstrip(" ") + "\t"  # columns of a table drawn without lines
            elif gap > ch["size"] * 0.3 and text and not text.endswith((" ", "\t")):
                if not (_WIDE.match(text[-1]) and _WIDE.match(ch["text"][:1] or " ")):
                    text += " "
            text += ch["text"]
            prev = ch
        text = text.strip()
        if text:
            out.append(
                _Line(
                    min(c["top"] for c in group),
                    max(c["bottom"] for c in group),
                    group[0]["x0"],
                    group[-1]["x1"],
                    max(c["size"] for c in group),
                    text,
                )
            )
    out.sort(key=lambda ln: ln.top)
    return out


def _first_piece_width(line: _Line) -> float:
    """About how wide the start of ``line`` is that could not stay on the line above: its
    first character with the punctuation that may not start a line, or its first latin word."""
    text = line.text
    word = _LATIN_WORD.match(text)
    if word:
        return 0.55 * line.size * len(word.group(0))
    n = 1
    while n < len(text) and text[n] in _NO_LINE_START:
        n += 1
    return sum(line.size if _WIDE.match(ch) else 0.55 * line.size for ch in text[:n])


def _cell_text(lines: list[_Line], left: float, right: float) -> str:
    """The lines of one cell: a line is wrapped (joined to the next) when the start of the next
    one would not have fitted in the room left on it; else it ended a paragraph of the cell
    (units written one per line stay apart)."""
    if not lines:
        return ""
    padding = max(0.0, min(CELL_PADDING, min(line.x0 - left for line in lines)))
    inner = right - left - 2 * padding
    text = lines[0].text
    for prev, line in zip(lines, lines[1:]):
        room = inner - (prev.x1 - prev.x0)
        wrapped = room < _first_piece_width(line) + 0.3 * prev.size
        text = join_wrapped(text, line.text) if wrapped else text + "\n" + line.text
    return text


def _cluster(values: list[float], tolerance: float = 1.5) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda k: abs(edges[k] - v))


def _page_table(boxes: list[tuple], bbox: tuple, chars: list[dict], page_number: int) -> _PageTable | None:
    if not boxes:
        return None
    xs = _cluster([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _cluster([b[1] for b in boxes] + [b[3] for b in boxes])
    if len(xs) < 3 or len(ys) < 2:
        return None
    spans: list[tuple[int, int, int, int]] = []  # box -> its grid span
    owner: dict[tuple[int, int], int] = {}  # grid position -> the box covering it
    for k, (x0, top, x1, bottom) in enumerate(boxes):
        c0, c1, r0, r1 = _index(xs, x0), _index(xs, x1), _index(ys, top), _index(ys, bottom)
        spans.append((r0, c0, r1, c1))
        for r in range(r0, r1):
            for c in range(c0, c1):
                owner.setdefault((r, c), k)
    by_box: dict[int, list[dict]] = {k: [] for k in range(len(boxes))}
    for ch in chars:
        r = bisect.bisect(ys, (ch["top"] + ch["bottom"]) / 2) - 1
        c = bisect.bisect(xs, (ch["x0"] + ch["x1"]) / 2) - 1
        if (r, c) in owner:
            by_box[owner[(r, c)]].append(ch)
    cells, right = [], {}
    for k, (r0, c0, r1, c1) in enumerate(spans):
        if c1 <= c0 or r1 <= r0:
            continue
        cell = Cell(
            r0, c0, _cell_text(_lines_of(by_box[k]), boxes[k][0], boxes[k][2]), row_span=r1 - r0, col_span=c1 - c0
        )
        cells.append(cell)
        right[id(cell)] = boxes[k][2]
    cells.sort(key=lambda c: (c.row, c.col))
    return _PageTable(page_number, bbox[1], bbox[3], xs, cells, len(ys) - 1, right)


def _running(pages: list[tuple[float, list[_Line]]]) -> set[tuple[int, str]]:
    """(rounded top, text with digits masked) of lines repeated at the same place on most pages."""
    if len(pages) < 2:
        return set()
    seen: Counter = Counter()
    for height, lines in pages:
        keys = {
            (round(ln.top / 4), re.sub(r"\d+", "#", ln.text))
            for ln in lines
            if ln.top < height * EDGE_BAND or ln.bottom > height * (1 - EDGE_BAND)
        }
        seen.update(keys)
    return {key for key, n in seen.items() if n >= max(2, len(pages) // 2)}


def _in_band(line: _Line, height: float) -> bool:
    return line.top < height * EDGE_BAND or line.bottom > height * (1 - EDGE_BAND)


def _furniture(line: _Line, height: float, running: set) -> bool:
    """A running header or footer, or a page number, in the page's top or bottom band."""
    if not _in_band(line, height):
        return False
    return (round(line.top / 4), re.sub(r"\d+", "#", line.text)) in running or bool(_PAGE_NUMBER.match(line.text))


_SENTENCE_END = re.compile(r"[。！？；：:;!?][)）”]?$")
_LATIN_WORD = re.compile(r"[\x21-\x7e\u00c0-\u02af\u1e00-\u1eff]+")


def _full(line: _Line, right: float, after: _Line | None = None) -> bool:
    """Does ``line`` reach the right margin (or stop short only because the latin word or
    number that starts the next line did not fit)?"""
    room = 2.2 * line.size  # a character or two pushed to the next line (no line starts with "，" or ends with "“")
    if _SENTENCE_END.search(line.text):
        room = 0.8 * line.size  # a sentence ending short of the margin ends its paragraph
    word = _LATIN_WORD.match(after.text) if after is not None else None
    if word:
        room += 0.62 * line.size * len(word.group(0))
    return right - line.x1 < room


def right_margin(lines: list[_Line]) -> float:
    """Where full lines end: the commonest line end among the longer lines (a line whose
    punctuation hangs over the margin, or one of a few long lines, does not move it)."""
    if not lines:
        return 0.0
    longest = max(line.x1 for line in lines)
    ends = Counter(round(line.x1 / 2) * 2 for line in lines if line.x1 > 0.75 * longest)
    return float(ends.most_common(1)[0][0])


def indent_style(lines: list[_Line], left: float, right: float) -> bool:
    """Do paragraphs start with an indented first line?  (Most lines after a line that ends
    short of the margin, i.e. after a paragraph's end, are indented.)"""
    starts = [line for prev, line in zip(lines, lines[1:]) if not _full(prev, right)]
    indented = [line for line in starts if line.x0 - left > 1.2 * line.size]
    return len(starts) >= 3 and len(indented) >= 0.6 * len(starts)


def _paragraphs(lines: list[_Line], left: float, right: float, indented: bool) -> list[tuple[str, int]]:
    """Lines -> paragraphs: a line reaching the right margin goes on in the next one, unless
    that one starts a numbered item or, where paragraphs start indented, is indented."""
    out: list[tuple[str, int]] = []  # (text, page of its first line)
    prev: _Line | None = None
    for line in lines:
        starts = (
            _ITEM_START.match(line.text)
            or (indented and line.x0 - left > 1.2 * line.size)
            or "\t" in line.text
            or (prev is not None and "\t" in prev.text)
        )
        if prev is not None and _full(prev, right, line) and not starts:
            out[-1] = (join_wrapped(out[-1][0], line.text), out[-1][1])
        else:
            out.append((line.text, line.page))
        prev = line
    return out


def _continues(prev: _PageTable, table: _PageTable) -> bool:
    """Does ``table`` go on from ``prev`` (the last item of the previous page)?"""
    if table.page != prev.page + 1 or len(table.xs) != len(prev.xs):
        return False
    return all(abs(a - b) < 3 for a, b in zip(prev.xs, table.xs))


def _row_texts(table: _PageTable, r: int) -> list[str]:
    return [c.text for c in table.cells if c.row == r]


def _broken_row(top: list[Cell], last_row: list[Cell | None], last: int) -> bool:
    """Is the first row of the next page's piece the rest of the last row (a row broken by the
    page end)?  Its first cell is empty, and so is another cell whose counterpart is a one-row
    cell of the last row with text (which ended on the page before).  A first cell that is
    empty because a merged cell goes on (a category over several rows) does not count; an
    empty cell under the last row's number (序号) does."""
    by_col = {c.col: c for c in top}
    if 0 not in by_col or by_col[0].text.strip() or last_row[0] is None or not last_row[0].text.strip():
        return False
    if last_row[0].row == last and _ROW_NUMBER.fullmatch(last_row[0].text.strip()):
        return True  # the last row's number (序号) is never merged down: its row goes on
    return any(
        c in by_col
        and not by_col[c].text.strip()
        and cell is not None
        and cell.row == last
        and cell.row_span == 1
        and cell.text.strip()
        for c, cell in enumerate(last_row)
        if c > 0
    )


def _append(whole: Table, part: _PageTable, row_pages: list[int]) -> None:
    """Join ``part`` (the next page's piece) to ``whole``: drop a repeated header row, join a
    row broken by the page end, let an empty top cell continue the merged cell above."""
    first = 0
    if _row_texts(part, 0) == [c.text for c in whole.cells if c.row == 0]:
        first = 1  # the header repeated on each page
    top = [c for c in part.cells if c.row == first]
    last = whole.n_rows - 1
    last_row: list[Cell | None] = [None] * whole.n_cols  # the cells reaching down to the last row
    for cell in whole.cells:
        if cell.row <= last < cell.row + cell.row_span:
            for c in range(cell.col, min(cell.col + cell.col_span, whole.n_cols)):
                last_row[c] = cell
    broken = _broken_row(top, last_row, last)
    offset = whole.n_rows - first
    for cell in part.cells:
        if cell.row < first:
            continue
        if cell.row == first:
            above = last_row[cell.col] if cell.col < whole.n_cols else None
            if above is not None and (broken or not cell.text.strip() and above.text.strip()):
                if cell.text.strip():
                    above.text = join_wrapped(above.text, cell.text)
                above.row_span = max(above.row_span, last - above.row + (0 if broken else 1) + cell.row_span)
                continue
        whole.cells.append(
            Cell(cell.row + offset - (1 if broken else 0), cell.col, cell.text, cell.row_span, cell.col_span)
        )
    added = part.n_rows - first - (1 if broken else 0)
    whole.n_rows += added
    row_pages += [part.page] * added


def _page_chars(page) -> list[dict]:
    """The characters of a page with their boxes (top-down coordinates) and font size."""
    import pypdfium2.raw as pdfium_c  # build path only

    height = page.get_height()
    textpage = page.get_textpage()
    chars = []
    try:
        handle = textpage.raw
        for i in range(textpage.count_chars()):
            if pdfium_c.FPDFText_IsGenerated(handle, i):
                continue  # spaces and line ends PDFium adds
            code = pdfium_c.FPDFText_GetUnicode(handle, i)
            if code <= 32 or code in (0xA0, 0x3000, 0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF:
                continue
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            size = pdfium_c.FPDFText_GetFontSize(handle, i) or (top - bottom)
            chars.append(
                {
                    "text": chr(code),
                    "x0": left,
                    "x1": right,
                    "top": height - top,
                    "bottom": height - bottom,
                    "size": size,
                }
            )
    finally:
        textpage.close()
    return chars


def _page_edges(page) -> list[dict]:
    """The ruling lines of a page: every straight segment of its paths, as pdfplumber edges."""
    import ctypes

    import pypdfium2.raw as pdfium_c  # build path only

    height = page.get_height()
    edges = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
        a, b, c, d, e, f = obj.get_matrix().get()
        points: list[tuple[float, float]] = []
        start = None
        for k in range(pdfium_c.FPDFPath_CountSegments(obj.raw)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj.raw, k)
            pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
            point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                start = point
            elif points and kind == pdfium_c.FPDF_SEGMENT_LINETO:
                edges += _edge(points[-1], point)
            if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
                edges += _edge(point, start)
            points.append(point)
    return edges


def _edge(p: tuple[float, float], q: tuple[float, float]) -> list[dict]:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) < 1 and abs(x0 - x1) >= 3:
        left, right = sorted((x0, x1))
        return [
            {
                "x0": left,
                "x1": right,
                "top": y0,
                "bottom": y0,
                "width": right - left,
                "height": 0,
                "orientation": "h",
                "object_type": "line",
            }
        ]
    if abs(x0 - x1) < 1 and abs(y0 - y1) >= 3:
        top, bottom = sorted((y0, y1))
        return [
            {
                "x0": x0,
                "x1": x0,
                "top": top,
                "bottom": bottom,
                "width": 0,
                "height": bottom - top,
                "orientation": "v",
                "object_type": "line",
            }
        ]
    return []


def _table_cells(edges: list[dict]) -> list[list[tuple]]:
    """Cells of the ruled tables, found from the edges as pdfplumber's lines strategy does."""
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

    edges = merge_edges(edges, 3, 3, 3, 3)
    edges = [e for e in edges if (e["width"] if e["orientation"] == "h" else e["height"]) >= 3]
    cells = intersections_to_cells(edges_to_intersections(edges, 3, 3))
    return cells_to_tables(cells)


def _tables_and_text(page, number: int) -> tuple[list[_PageTable], list[dict], float]:
    chars = _page_chars(page)
    tables = []
    for boxes in _table_cells(_page_edges(page)):
        bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        inside = [
            c
            for c in chars
            if bbox[0] <= (c["x0"] + c["x1"]) / 2 <= bbox[2] and bbox[1] <= (c["top"] + c["bottom"]) / 2 <= bbox[3]
        ]
        table = _page_table(boxes, bbox, inside, number)
        if table is not None:
            tables.append(table)
            taken = {id(c) for c in inside}
            chars = [c for c in chars if id(c) not in taken]
    return tables, chars, page.get_height()


def _open(data: bytes, name: str):
    import pypdfium2 as pdfium  # build path only

    try:
        return pdfium.PdfDocument(data)
    except Exception as e:  # PdfiumError: password, damage
        if "password" in str(e).lower():
            raise SourceError(
                f"{name}: the PDF is password-protected; save it without a password and add it again"
            ) from None
        raise SourceError(
            f"{name}: not a readable PDF ({str(e).split('(')[-1].rstrip(').') or type(e).__name__})"
        ) from None


def _elements(pdf, name: str) -> list[tuple]:
    """The pages' lines and tables in reading order, running headers and page numbers left out."""
    pages = []
    try:
        for number in range(1, len(pdf) + 1):
            page = pdf[number - 1]
            tables, chars, height = _tables_and_text(page, number)
            page.close()
            pages.append((number, height, tables, _lines_of(chars)))
    except Exception as e:
        raise SourceError(f"{name}: a damaged PDF ({type(e).__name__} on page {len(pages) + 1})") from None
    if not any(lines or tables for _, _, tables, lines in pages):
        raise SourceError(
            f"{name}: a scanned PDF with no text layer; whodoes does not do OCR "
            "(save the plan as text or Word, or OCR it first)"
        )
    running = _running([(h, lines) for _, h, _, lines in pages])
    out: list[tuple] = []
    for number, height, tables, lines in pages:
        kept = [
            ("line", ln.top, ln, number, _in_band(ln, height)) for ln in lines if not _furniture(ln, height, running)
        ]
        out += sorted(kept + [("table", t.top, t, number, False) for t in tables], key=lambda e: e[1])
    return out


def read_pdf(data: bytes, name: str) -> Document:
    """The text and tables of a PDF as a Document; SourceError for a scan, a password, damage."""
    pdf = _open(data, name)
    try:
        elements = _elements(pdf, name)
        meta = pdf.get_metadata_dict(skip_empty=True)
    finally:
        pdf.close()
    text_lines = [e[2] for e in elements if e[0] == "line"]
    right = right_margin(text_lines)
    left = min((line.x0 for line in text_lines), default=0.0)
    indented = indent_style(text_lines, left, right)
    items: list = []
    run: list[_Line] = []
    prev_table: _PageTable | None = None  # the last piece of the last table, while only page furniture follows it
    last_table: Table | None = None
    table_pages: dict[int, list[int]] = {}

    def flush():
        for text, page in _paragraphs(run, left, right, indented):
            items.append(Paragraph(text, Provenance(page=page)))
        run.clear()

    for kind, _top, element, page, in_band in elements:
        if kind == "line":
            element.page = page
            run.append(element)
            if not in_band:  # a line in the top or bottom band (a header not repeated enough) keeps a table going
                prev_table = None
            continue
        flush()
        if prev_table is not None and last_table is not None and _continues(prev_table, element):
            _append(last_table, element, table_pages[id(last_table)])
        else:
            number = sum(isinstance(i, Table) for i in items) + 1
            table = Table(list(element.cells), element.n_rows, len(element.xs) - 1, Provenance(page=page, table=number))
            table_pages[id(table)] = [page] * element.n_rows
            items.append(table)
            last_table = table
        prev_table = element
    flush()
    for item in items:
        if isinstance(item, Table):
            item.row_provs = [
                Provenance(page=p, table=item.prov.table, row=r + 1) for r, p in enumerate(table_pages[id(item)])
            ]
    title = str(meta.get("Title") or "").strip()
    found = {"title": title} if len(re.findall(r"[\u4e00-\u9fff]", title)) >= 4 else {}
    return Document(items, format="pdf", metadata=found)
