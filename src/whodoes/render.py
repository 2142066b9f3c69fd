"""Output: table / csv / tsv / json / jsonl / markdown / xlsx.

Rows are dicts (whodoes.query).  Flat formats (csv, tsv, markdown, xlsx) take a list of
column keys; list values are joined with 、, dict values written as JSON.  json/jsonl write
the dicts as they are (lists stay lists).  ``table`` draws with rich (imported only then).
json is imported only by the formats that need it; csv is written by hand.
"""

from __future__ import annotations

import os
import sys

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown", "xlsx")
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".md": "markdown",
    ".markdown": "markdown",
    ".xlsx": "xlsx",
}
JOIN = "、"
BOM = "\ufeff"


class RenderError(Exception):
    """A format that cannot be written (xlsx to a terminal, xlsxwriter missing ...)."""


def check_format(fmt: str | None) -> str | None:
    """Normalise a --format value; None stays None (choose by destination)."""
    if fmt is None:
        return None
    f = str(fmt).strip().lower()
    f = {"md": "markdown", "ndjson": "jsonl", "excel": "xlsx", "text": "table"}.get(f, f)
    if f not in FORMATS:
        from whodoes.db import UsageError

        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {str(fmt)[:40]!r}")
    return f


def choose_format(fmt: str | None, output: str | None = None, stream=None) -> str:
    """The format to write: --format, else by -o FILE's extension, else table on a
    terminal and csv otherwise."""
    f = check_format(fmt)
    if f:
        return f
    if output:
        ext = os.path.splitext(output)[1].lower()
        return EXTENSIONS.get(ext, "csv")
    stream = stream if stream is not None else sys.stdout
    try:
        return "table" if stream.isatty() else "csv"
    except (AttributeError, ValueError):
        return "csv"


# ----------------------------------------------------------------------------------------------
# cell values


def cell(value) -> str:
    """One flat cell: lists joined with 、, dicts as JSON, None empty."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return JOIN.join(cell(v) for v in value if v is not None)
    if isinstance(value, dict):
        if not value:
            return ""
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _one_line(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


# ----------------------------------------------------------------------------------------------
# writers


def _csv_field(text: str) -> str:
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(rows, columns, out, *, headers=None, bom=False):
    """RFC 4180 CSV (what the csv module writes with QUOTE_MINIMAL and \\r\\n), written
    by hand: the csv module would import re, milliseconds on the query path."""
    if bom:
        out.write(BOM)
    lines = [",".join(_csv_field(h) for h in (headers or columns))]
    for r in rows:
        lines.append(",".join(_csv_field(cell(r.get(c))) for c in columns))
    out.write("\r\n".join(lines) + "\r\n")


def write_tsv(rows, columns, out, *, headers=None, bom=False):
    """Tab-separated, one row per line: tabs and line breaks inside cells become spaces."""
    if bom:
        out.write(BOM)
    out.write("\t".join(headers or columns) + "\n")
    for r in rows:
        out.write("\t".join(_one_line(cell(r.get(c))) for c in columns) + "\n")


def write_json(rows, out, *, keys=None, bom=False):
    import json

    if bom:
        out.write(BOM)
    data = [{k: r.get(k) for k in keys} if keys else r for r in rows]
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_jsonl(rows, out, *, keys=None, bom=False):
    import json

    if bom:
        out.write(BOM)
    for r in rows:
        out.write(json.dumps({k: r.get(k) for k in keys} if keys else r, ensure_ascii=False) + "\n")


def _md(text: str) -> str:
    return _one_line(text).replace("\\", "\\\\").replace("|", "\\|") or " "


def write_markdown(rows, columns, out, *, headers=None, heading=None, bom=False):
    if bom:
        out.write(BOM)
    if heading:
        out.write(_md(heading) + "\n\n")
    hs = headers or columns
    out.write("| " + " | ".join(_md(h) for h in hs) + " |\n")
    out.write("|" + "|".join("---" for _ in hs) + "|\n")
    for r in rows:
        out.write("| " + " | ".join(_md(cell(r.get(c))) for c in columns) + " |\n")


def display_width(text: str) -> int:
    """Columns a text takes in a monospaced font or a spreadsheet: CJK and full-width
    characters count 2 (enough for column widths; no unicodedata import)."""
    n = 0
    for ch in text:
        o = ord(ch)
        wide = (0x1100 <= o <= 0x115F or 0x2E80 <= o <= 0xA4CF or 0xAC00 <= o <= 0xD7A3
                or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F or 0xFF00 <= o <= 0xFF60
                or 0xFFE0 <= o <= 0xFFE6 or 0x20000 <= o <= 0x3FFFD or 0x201C <= o <= 0x201D)
        n += 2 if wide else 1
    return n


XLSX_MAX_WIDTH = 60  # characters; longer cells wrap
XLSX_MAX_CELL = 32767  # Excel's limit on the characters of one cell


def write_xlsx(rows, columns, path, *, headers=None, title=None):
    """A real spreadsheet: a bold frozen header row with a filter, column widths fitted to
    the content (CJK characters count double, at most 60), long text wrapped, cells aligned
    to the top; whole numbers stay numbers.  Needs xlsxwriter (the ``xlsx`` extra)."""
    if not path:
        raise RenderError("xlsx needs a file: add -o FILE.xlsx")
    try:
        import xlsxwriter
        from xlsxwriter.exceptions import XlsxWriterException
    except ImportError:
        raise RenderError("--format xlsx needs xlsxwriter: pip install 'whodoes[xlsx]' (or pip install xlsxwriter)") from None
    heads = list(headers or columns)
    table = []
    widths = [display_width(h) for h in heads]
    for r in rows:
        line = []
        for j, c in enumerate(columns):
            v = r.get(c)
            if not (isinstance(v, int) and not isinstance(v, bool)):
                v = cell(v)
                if len(v) > XLSX_MAX_CELL:
                    v = v[: XLSX_MAX_CELL - 1] + "…"
            line.append(v)
            if len(table) < 1000:
                w = max((display_width(part) for part in str(v).split("\n")), default=0)
                widths[j] = max(widths[j], w)
        table.append(line)
    try:
        wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False})
        if title:
            wb.set_properties({"title": title, "comments": "written by whodoes"})
        ws = wb.add_worksheet("whodoes")
        head_fmt = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#EEEEEE"})
        wrap_fmt = wb.add_format({"text_wrap": True, "valign": "top"})
        plain_fmt = wb.add_format({"valign": "top"})
        wrapped = [w > XLSX_MAX_WIDTH for w in widths]
        for j, h in enumerate(heads):
            ws.write_string(0, j, h, head_fmt)
            ws.set_column(j, j, min(max(widths[j], 4), XLSX_MAX_WIDTH) + 2, wrap_fmt if wrapped[j] else plain_fmt)
        for i, line in enumerate(table, start=1):
            for j, v in enumerate(line):
                fmt = wrap_fmt if wrapped[j] else plain_fmt
                if isinstance(v, int):
                    ws.write_number(i, j, v, fmt)
                elif v:
                    ws.write_string(i, j, v, fmt)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(table), 1), max(len(heads) - 1, 0))
        wb.close()
    except OSError as e:
        raise RenderError(f"cannot write {path}: {getattr(e, 'strerror', None) or e}") from None
    except XlsxWriterException as e:
        raise RenderError(f"cannot write {path}: {e}") from None


def write(rows, columns, fmt, out, *, headers=None, heading=None, bom=False, json_keys=None, path=None, table=None):
    """Write ``rows`` in ``fmt`` to the text stream ``out``.

    ``columns``: keys for the flat formats; ``json_keys``: keys for json/jsonl (all keys when
    None); ``table``: a callable(rows, console) drawing the rich table (default: a plain
    table of ``columns``); ``heading``: the line shown above a table/markdown.
    """
    if fmt == "csv":
        write_csv(rows, columns, out, headers=headers, bom=bom)
    elif fmt == "tsv":
        write_tsv(rows, columns, out, headers=headers, bom=bom)
    elif fmt == "json":
        write_json(rows, out, keys=json_keys, bom=bom)
    elif fmt == "jsonl":
        write_jsonl(rows, out, keys=json_keys, bom=bom)
    elif fmt == "markdown":
        write_markdown(rows, columns, out, headers=headers, heading=heading, bom=bom)
    elif fmt == "xlsx":
        write_xlsx(rows, columns, path, headers=headers, title=heading)
    elif fmt == "table":
        console = make_console(out)
        if heading:
            console.print(heading, style="bold", markup=False, highlight=False)
        if table is not None:
            table(rows, console)
        else:
            plain_table(rows, columns, console, headers=headers)
    else:  # pragma: no cover - check_format guards
        raise RenderError(f"unknown format {fmt!r}")


# ----------------------------------------------------------------------------------------------
# rich tables (rich imported only here)


def make_console(out):
    from rich.console import Console

    is_tty = False
    try:
        is_tty = out.isatty()
    except (AttributeError, ValueError):
        pass
    width = None
    if not is_tty:
        width = int(os.environ.get("COLUMNS", "0") or 0) or 120
    return Console(file=out, width=width, highlight=False, soft_wrap=False, emoji=False, markup=False)


def plain_table(rows, columns, console, *, headers=None, ratios=None):
    from rich.table import Table

    t = Table(show_lines=False, header_style="bold", expand=True)
    for j, h in enumerate(headers or columns):
        ratio = (ratios or {}).get(columns[j])
        t.add_column(h, ratio=ratio, overflow="fold", no_wrap=False)
    for r in rows:
        t.add_row(*[cell(r.get(c)) for c in columns])
    console.print(t)


# ----------------------------------------------------------------------------------------------
# the task table on a terminal: laid out here, drawn by rich
#
# rich.table.Table measures and wraps every cell (about 0.5 ms a row: 50 ms for a hundred
# rows, twice the whole query).  The task table has a known shape, so whodoes lays it out:
# column widths once from the terminal width, each text wrapped once (by terminal cells,
# with rich's character widths; a line never starts with closing punctuation), and rich
# draws it (its console, box characters and styles) in the look of its own tables.  The
# terminal view is a summary: the task text stops after TABLE_TEXT_LINES lines (with …);
# `whodoes show ID` shows a task in full, and csv/json/markdown/xlsx always have all of it.

TABLE_TEXT_LINES = 3
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’,.;:?!)]}%…·")
_NO_LINE_END = frozenset("（《「『【〔“‘([{")
_CONTROL = {i: " " for i in range(32)}


def _word(ch):
    return ch.isascii() and (ch.isalnum() or ch in ".%")


def _wrap(text, width, max_lines, cell_width):
    """``text`` in lines of at most ``width`` terminal cells: ([(line, cells)], cut); at most
    ``max_lines`` lines (0: no limit), the last ending with … when the text goes on (cut)."""
    lines = []
    cur: list[str] = []
    w = 0
    cut = False
    for ch in text.strip():
        if ch < " ":
            if ch == "\n":
                lines.append(("".join(cur), w))
                cur, w = [], 0
                if len(lines) == max_lines:
                    cut = True
                    break
                continue
            ch = " "
        c = cell_width(ch)
        if w + c > width and cur:
            # what goes on to the next line with ``ch``: a number or latin word it continues
            # (300, 18.67, BIM), or the last character when ``ch`` may not start a line
            # (，。、”) or that character may not end one (“（《)
            k = len(cur)
            if _word(ch):
                while k > 0 and _word(cur[k - 1]) and len(cur) - k < 12:
                    k -= 1
                if k and _word(cur[k - 1]):
                    k = len(cur)
                elif 1 < k < len(cur) and cur[k - 1] in _NO_LINE_END:  # “300 stays together
                    k -= 1
            if k == len(cur) and (ch in _NO_LINE_START or cur[-1] in _NO_LINE_END):
                k -= 1
            if k <= 0:
                k = len(cur)
            carry = cur[k:]
            moved = sum(map(cell_width, carry))
            lines.append(("".join(cur[:k]), w - moved))
            cur, w = carry, moved
            if len(lines) == max_lines:
                cut = True
                break
        cur.append(ch)
        w += c
    if not cut:
        if cur or not lines:
            lines.append(("".join(cur), w))
        return lines, False
    last, w = lines[-1]
    while last and w + 1 > width:
        w -= cell_width(last[-1])
        last = last[:-1]
    lines[-1] = (last + "…", w + 1)
    return lines, True


class _Grid:
    """A laid-out table for rich to draw, in the look of rich.table.Table (box HEAVY_HEAD,
    bold header, a line between rows).  ``columns``: (header, width, right-justified);
    ``rows``: cells, each a list of lines (segments, cells)."""

    def __init__(self, title, columns, rows):
        self.title = title
        self.columns = columns
        self.rows = rows

    def __rich_console__(self, console, options):
        from rich import box as _box
        from rich.cells import get_character_cell_size as cw
        from rich.segment import Segment
        from rich.style import Style

        bold = Style(bold=True)
        box = _box.HEAVY_HEAD.substitute(options, safe=True)
        widths = [w for _, w, _ in self.columns]
        outer = [w + 2 for w in widths]
        nl = Segment.line()
        last = len(widths) - 1
        if self.title:
            for text, _ in _wrap(self.title, sum(outer) + len(outer) + 1, 0, cw)[0]:
                yield Segment(text, bold)
                yield nl
        yield Segment(box.get_top(outer))
        yield nl
        yield Segment(box.head_left)
        for i, (head, w, right) in enumerate(self.columns):
            head = head[:w]
            yield Segment(f" {head:>{w}} " if right else f" {head:<{w}} ", bold)
            yield Segment(box.head_right if i == last else box.head_vertical)
        yield nl
        yield Segment(box.get_row(outer, "head"))
        yield nl
        between = Segment(box.get_row(outer, "row"))
        left, mid, right_edge = Segment(box.mid_left), Segment(box.mid_vertical), Segment(box.mid_right)
        space = Segment(" ")
        blank = [Segment(" " * w) for w in outer]
        for n, row in enumerate(self.rows):
            if n:
                yield between
                yield nl
            for k in range(max(len(c) for c in row)):
                yield left
                for i, cell in enumerate(row):
                    if k < len(cell):
                        segs, cells = cell[k]
                        pad = " " * (widths[i] - cells)
                        if self.columns[i][2]:
                            yield Segment(" " + pad)
                            yield from segs
                            yield space
                        else:
                            yield space
                            yield from segs
                            yield Segment(pad + " ")
                    else:
                        yield blank[i]
                    yield right_edge if i == last else mid
                yield nl
        yield Segment(box.get_bottom(outer))
        yield nl


def task_table(rows, console, *, year=None, mode="task"):
    """Tasks grouped by (unit and) document, a table each: id, no., [role], task (the category
    or title in bold where the text does not start with it, then the text, wrapped, cut after
    TABLE_TEXT_LINES lines), [the year's target], lead and support as written (the queried
    unit in bold), [match, when some rows are fuzzy]."""
    from rich.cells import get_character_cell_size as cw
    from rich.segment import Segment
    from rich.style import Style

    rows = list(rows)
    if not rows:
        return
    bold, italic = Style(bold=True), Style(italic=True)

    def clean(value):
        return (value or "").translate(_CONTROL)

    def width(text):
        return sum(map(cw, text))

    def plain(lines):
        return [([Segment(text)], n) for text, n in lines]

    show_match = mode == "task" and any(r.get("match") not in (None, "exact") for r in rows)
    id_w = max(2, max(len(str(r["id"])) for r in rows))
    seq_w = max(3, min(8, max(width(clean(r.get("seq"))) for r in rows)))
    role_w = max(4, max(len(clean(r.get("role"))) for r in rows)) if mode == "unit" else 0
    names = [clean(n) for r in rows for n in (*(r.get("lead") or ()), *(r.get("support") or ()))]
    n_cols = 5 + (mode == "unit") + show_match
    flex = (console.width or 80) - (3 * n_cols + 1) - id_w - seq_w - role_w - 5 * show_match
    unit_w = max(8, min(max(map(width, names), default=4), flex // 5))
    text_w = max(12, flex - 2 * unit_w)
    target_w = 0  # the year's target: a column of its own, or on a narrow terminal under the text
    if year is not None and text_w - 3 >= 40:
        target_w = max(len(f"{year} target"), (text_w - 3) // 3)
        text_w = text_w - 3 - target_w

    def units_cell(values, mark):
        """The names joined with 、 (a line end stands for it), a name broken only when it is
        wider than the column."""
        lines = []
        segs, w = [], 0
        values = [clean(v) for v in values]
        for i, name in enumerate(values):
            nw = width(name)
            if w and w + nw > unit_w:
                lines.append((segs, w))
                segs, w = [], 0
            style = bold if mark and name in mark else None
            if nw > unit_w:
                parts = _wrap(name, unit_w, 0, cw)[0]
                lines.extend(([Segment(text, style)], n) for text, n in parts[:-1])
                segs, w = [Segment(parts[-1][0], style)], parts[-1][1]
            else:
                segs.append(Segment(name, style))
                w += nw
            if i < len(values) - 1:
                if w + 2 <= unit_w:
                    segs.append(Segment(JOIN))
                    w += 2
                else:
                    lines.append((segs, w))
                    segs, w = [], 0
        if segs or not lines:
            lines.append((segs, w))
        return lines

    columns = [("id", id_w, True), ("no.", seq_w, False)]
    if mode == "unit":
        columns.append(("role", role_w, False))
    columns.append(("task", text_w, False))
    if target_w:
        columns.append((f"{year} target", target_w, False))
    columns += [("lead", unit_w, False), ("support", unit_w, False)]
    if show_match:
        columns.append(("match", 5, False))

    too_wide = sum(w for _, w, _ in columns) + 3 * len(columns) + 1 > (console.width or 80)
    groups: list[tuple] = []
    for r in rows:
        key = (r.get("unit"), r["document"])
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(r)
    cut = False
    for (unit, _doc), members in groups:
        first = members[0]
        title = f"{first['document_title'] or first['document']} ({first['jurisdiction']}, {first['period']})"
        if unit:
            title = f"{unit} · {title}"
        grid = []
        for r in members:
            mark = set((r.get("as_written") or "").split(JOIN)) if mode == "unit" else None
            sid = str(r["id"])
            cells = [[([Segment(sid)], len(sid))], plain(_wrap(clean(r.get("seq")), seq_w, 1, cw)[0])]
            if mode == "unit":
                role = clean(r.get("role"))
                cells.append([([Segment(role)], len(role))])
            text = clean(r.get("text"))
            head = " / ".join(x for x in (clean(r.get("category")), clean(r.get("title"))) if x and not text.startswith(x))
            task = [([Segment(line, bold)], n) for line, n in _wrap(head, text_w, 2, cw)[0]] if head else []
            body, more = _wrap(text, text_w, TABLE_TEXT_LINES, cw)
            cells.append(task + plain(body))
            if target_w or (year is not None and r.get("target")):
                goal = clean(r.get("target"))
                target, more_target = _wrap(goal if target_w else f"{year} target: {goal}", target_w or text_w,
                                            TABLE_TEXT_LINES, cw)
                if target_w:
                    cells.append(plain(target))
                else:
                    cells[-1] += [([Segment(line, italic)], n) for line, n in target]
                more = more or more_target
            cut = cut or more
            cells.append(units_cell(r.get("lead") or (), mark))
            cells.append(units_cell(r.get("support") or (), mark))
            if show_match:
                match = clean(r.get("match"))
                cells.append([([Segment(match)], len(match))])
            grid.append(cells)
        # a grid that fits the terminal need not be measured again, line by line, to be cropped
        console.print(_Grid(title, columns, grid), crop=too_wide)
    if cut:
        console.print("… text cut: `whodoes show ID` shows a task in full", style="dim", markup=False, highlight=False)


def detail_view(rec, console):
    """``whodoes show``: one task as a two-column key/value table."""
    from rich.table import Table

    t = Table(show_header=False, expand=True, show_lines=True)
    t.add_column("field", style="bold", no_wrap=True)
    t.add_column("value", overflow="fold")
    for key, value in detail_items(rec):
        t.add_row(key, value)
    console.print(t)


def detail_items(rec) -> list[tuple[str, str]]:
    """The fields of ``whodoes show`` as (label, text) pairs, for table and markdown."""
    items = [
        ("id", str(rec["id"])),
        ("document", f"{rec['document_title']} [{rec['document']}]"),
        ("jurisdiction", rec.get("jurisdiction") or ""),
        ("period", rec.get("period") or ""),
        ("section", rec.get("section") or ""),
        ("category", rec.get("category") or ""),
        ("title", rec.get("title") or ""),
        ("no.", rec.get("seq") or ""),
        ("task", rec.get("text") or ""),
    ]
    if rec.get("detail"):
        items.append(("detail", rec["detail"]))
    for year, target in (rec.get("targets") or {}).items():
        items.append((f"target {year}", target))
    if rec.get("deadline"):
        items.append(("deadline", rec["deadline"]))
    for role in ("lead", "support"):
        label = rec.get(f"{role}_label")
        units = [u for u in rec.get("units") or [] if u["role"] == role]
        parts = []
        for u in units:
            canon = f"{u['canonical']} ({u['jurisdiction']})" if u.get("jurisdiction") else u["canonical"]
            text = u["name"] if canon.startswith(u["name"] + " (") else f"{u['name']} -> {canon}"
            if u["name"] == u["canonical"]:
                text = canon
            if u.get("inherited"):
                text += " [inherited from the row above]"
            parts.append(text)
        name = role + (f" ({label})" if label else "")
        items.append((name, "; ".join(parts) if parts else "-"))
    if rec.get("inherited"):
        items.append(("inherited", JOIN.join(rec["inherited"])))
    if rec.get("commanders"):
        items.append(("commanders", JOIN.join(rec["commanders"])))
    line = str(rec.get("line") or "")
    if rec.get("line_end") and rec.get("line_end") != rec.get("line"):
        line += f"-{rec['line_end']}"
    items.append(("source", f"{rec.get('source_file') or ''}:{line}"))
    return items


# ----------------------------------------------------------------------------------------------
# whodoes stats: bars

BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar of ``width`` characters at most, in eighths of a character."""
    if maximum <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / maximum * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + (BLOCKS[rest] if rest else "")


def bar_chart(rows, console, *, title=None):
    """``whodoes stats``: per jurisdiction, the units that lead most tasks and those that
    support most, as bars on one scale per jurisdiction.  Rows as from query.unit_stats."""
    from rich.table import Table
    from rich.text import Text

    if title:
        console.print(title, style="bold", markup=False, highlight=False)
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(r["jurisdiction"], []).append(r)
    names = [r["unit"] + (" *" if r.get("kind") == "collective" else "") for r in rows]
    name_w = max((display_width(n) for n in names), default=4)
    count_w = max((len(str(r["tasks"])) for r in rows), default=1)
    width = max(10, min(50, (console.width or 80) - name_w - count_w - 16))
    words = {"lead": "lead 牵头", "support": "support 配合"}
    for jurisdiction, members in groups.items():
        top = max(r["tasks"] for r in members)
        console.print()
        console.print(Text(jurisdiction or "(no jurisdiction)", style="bold"))
        t = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
        t.add_column("role", no_wrap=True, min_width=12)
        t.add_column("unit", no_wrap=True, min_width=name_w)
        t.add_column("n", justify="right", no_wrap=True, min_width=count_w)
        t.add_column("bar", no_wrap=True)
        last = None
        for r in members:
            name = r["unit"] + (" *" if r.get("kind") == "collective" else "")
            role = words.get(r["role"], r["role"]) if r["role"] != last else ""
            last = r["role"]
            t.add_row(role, name, str(r["tasks"]),
                      Text(bar(r["tasks"], top, width), style="green" if r["role"] == "lead" else "cyan"))
        console.print(t)
