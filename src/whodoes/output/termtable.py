"""Output on a terminal, drawn by rich (imported only here): the task table, whodoes
show's field list, plain tables (docs, units) and whodoes stats' bar chart.

Imported only for ``--format table`` (by ``whodoes.output.render.write`` and the CLI's table
callbacks).  Cells are flattened as for the file formats (``render.cell``); every text
drawn here, from the data or from the command line, first goes through
``whodoes.textsafe.visible`` (escape sequences shown as ``\x1b``, never sent raw).
"""

from __future__ import annotations

import os

from whodoes.i18n import N_, _, header_language, language, ngettext
from whodoes.i18n import column as _column
from whodoes.output.cells import JOIN, cell, detail_items, display_width
from whodoes.textsafe import visible


def write_table(rows, columns, out, *, headers=None, heading=None, table=None):
    """``--format table``: the heading in bold, then ``table(rows, console)`` or, when the
    command gives none, a plain table of ``columns``."""
    console = make_console(out)
    if heading:
        console.print(visible(heading), style="bold", markup=False, highlight=False)
    if table is not None:
        table(rows, console)
    else:
        plain_table(rows, columns, console, headers=headers)


def make_console(out):
    from rich.console import Console

    is_tty = False
    try:
        is_tty = out.isatty()
    except (AttributeError, ValueError):
        pass
    width = getattr(out, "columns", None)  # a whodoes.output.pager.TerminalBuffer: the terminal's width
    if not is_tty:
        width = int(os.environ.get("COLUMNS", "0") or 0) or 120
    return Console(file=out, width=width, highlight=False, soft_wrap=False, emoji=False, markup=False)


def header_text(name: str) -> str:
    """A column's header on a terminal: in the language of --header, else of the interface."""
    return _column(name, header_language("table"))


def plain_table(rows, columns, console, *, headers=None, ratios=None):
    from rich.table import Table

    t = Table(show_lines=False, header_style="bold", expand=True)
    for j, h in enumerate(headers or columns):
        ratio = (ratios or {}).get(columns[j])
        t.add_column(visible(header_text(h)), ratio=ratio, overflow="fold", no_wrap=False)
    for r in rows:
        t.add_row(*[visible(cell(r.get(c))) for c in columns])
    console.print(t)


def record_list(rows, columns, console, *, headers=None):
    """Each row as a block of lines (``whodoes docs --verbose``: a list per document rather
    than a table of a dozen narrow columns): the first column's value in bold, then every
    other non-empty field after its label, wrapped under itself."""
    from rich.cells import get_character_cell_size as cw
    from rich.text import Text

    headers = [header_text(h) for h in (headers or columns)]
    label_w = max(display_width(h) for h in headers[1:]) + 2 if len(headers) > 1 else 0
    width = max(20, (console.width or 80) - 2 - label_w)
    for n, r in enumerate(rows):
        if n:
            console.print()
        console.print(Text(_clean(cell(r.get(columns[0])))), style="bold")
        for key, head in zip(columns[1:], headers[1:]):
            value = r.get(key)
            items = [_clean(cell(v)) for v in value] if isinstance(value, (list, tuple)) else [_clean(cell(value))]
            lines = [line.strip() for item in items if item for line, _width in _wrap(item, width, 0, cw)[0]]
            for k, line in enumerate(lines):  # a list: an item a line
                text = Text(
                    f"  {head}{' ' * (label_w - display_width(head))}" if k == 0 else " " * (2 + label_w),
                    style="dim" if k == 0 else "",
                )
                text.append(line)
                console.print(text, no_wrap=True, crop=False)


def _field_label(key: str) -> str:
    """A label of ``whodoes show`` in the header language: "lead (牵头单位)", "target 2020" too."""
    name, space, rest = key.partition(" ")
    if space and name in ("lead", "support", "target", "level"):
        head = header_text(name)
        return head if rest == f"({head})" else f"{head} {rest}"  # not 牵头单位 (牵头单位)
    return header_text(key)


def detail_view(rec, console):
    """``whodoes show``: one task as a two-column key/value table."""
    from rich.table import Table

    t = Table(show_header=False, expand=True, show_lines=True)
    t.add_column("field", style="bold", no_wrap=True)
    t.add_column("value", overflow="fold")
    for key, value in detail_items(rec):
        t.add_row(visible(_field_label(key)), visible(value))
    console.print(t)


# ----------------------------------------------------------------------------------------------
# the task table on a terminal: laid out here, drawn by rich
#
# rich.table.Table measures and wraps every cell (about 0.5 ms a row: 50 ms for a hundred
# rows, twice the whole query).  The task table has a known shape, so whodoes lays it out:
# column widths once per table from the terminal width, each text wrapped once (by terminal
# cells, with rich's character widths; a line never starts with closing punctuation), and
# rich draws it (its console, box characters and styles) in the look of its own tables.  The
# terminal view is a summary: the task text stops after TABLE_TEXT_LINES lines (with …);
# `whodoes show ID` shows a task in full, and csv/json/markdown/xlsx always have all of it.
#
# A unit name is never broken: a line of a unit cell ends after a name and its 、.  When the
# terminal is too narrow for unit columns as wide as the widest name beside MIN_TEXT cells
# of task text, each task is laid out as a block of lines instead (``_Blocks``): the text
# the whole width, then the units, labelled.  ``whodoes task`` shows the text from a little
# before the first match when the match would not be in the lines shown (a snippet, … in
# front), with the words searched for in bold red (on a terminal; plain text has no style).

TABLE_TEXT_LINES = 3
MIN_TEXT = 24  # terminal cells of task text beside the unit columns, at least (else blocks)
SNIPPET_BEFORE = 12  # characters shown before the match of a snippet, at most
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’,.;:?!)]}%…·")
_NO_LINE_END = frozenset("（《「『【〔“‘([{")
_CLAUSE_END = frozenset("，。；：！？,;:!? ")
_CONTROL = {9: " ", 10: " ", 13: " "}  # after textsafe.visible: what lays out, as spaces
_LABEL_W = 9  # "support" and two spaces: the labels of a block


def _word(ch):
    return ch.isascii() and (ch.isalnum() or ch in ".%")


def _clean(value) -> str:
    text = visible(value)
    if "\t" in text or "\n" in text or "\r" in text:  # str.translate costs more than these tests
        return text.translate(_CONTROL)
    return text


def _break_at(cur: list[str], ch: str) -> int:
    """Where a full line ``cur`` breaks when ``ch`` comes next: what goes on to the next line
    with ``ch`` is a number or latin word it continues (300, 18.67, BIM), or the last
    character when ``ch`` may not start a line (，。、”) or that character may not end one (“（《)."""
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
    return k if k > 0 else len(cur)


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
            k = _break_at(cur, ch)
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


def unit_lines(names, width, cell_width):
    """Unit names joined with 、 in lines of at most ``width`` cells: [(line, cells)]; a line
    breaks only between names, after the 、 (which stays at the end of the line).  Only a
    name wider than ``width`` itself is broken."""
    lines: list[tuple[str, int]] = []
    cur, w = "", 0
    for i, name in enumerate(names):
        piece = name + (JOIN if i < len(names) - 1 else "")
        pw = sum(map(cell_width, piece))
        if w and w + pw > width:
            lines.append((cur, w))
            cur, w = "", 0
        if pw > width:
            parts = _wrap(piece, width, 0, cell_width)[0]
            lines.extend(parts[:-1])
            cur, w = parts[-1]
        else:
            cur, w = cur + piece, w + pw
    if cur or not lines:
        lines.append((cur, w))
    return lines


def snippet(text: str, terms, room: int, cell_width) -> tuple[str, bool]:
    """``text`` from a little before the first of ``terms`` (… in front) when that would not
    be within the first ``room`` cells, else whole; and whether it was cut in front."""
    lowered = text.lower()
    found = [(p, t) for p, t in ((lowered.find(t.lower()), t) for t in terms if t) if p >= 0]
    if not found:
        return text, False
    p, term = min(found)
    if sum(map(cell_width, text[: p + len(term)])) <= room:
        return text, False
    start = p - SNIPPET_BEFORE
    for i in range(max(0, start), p):  # from the start of the clause when it is near
        if text[i] in _CLAUSE_END:
            start = i + 1
    return "…" + text[max(0, start) :].lstrip(), True


def highlighted(lines, terms, style):
    """Lines of text (consecutive pieces of one text) as [(segments, cells)], every
    occurrence of ``terms`` in ``style`` (also across a line end)."""
    from rich.segment import Segment

    if not any(terms):
        return [([Segment(line)], cells) for line, cells in lines]
    joined = "".join(line for line, _ in lines).lower()
    marked = [False] * len(joined)
    for term in terms:
        term = term.lower()
        p = joined.find(term) if term else -1
        while p >= 0:
            marked[p : p + len(term)] = [True] * len(term)
            p = joined.find(term, p + len(term))
    out = []
    pos = 0
    for line, cells in lines:
        segs, i = [], 0
        while i < len(line):
            on = marked[pos + i]
            j = i
            while j < len(line) and marked[pos + j] == on:
                j += 1
            segs.append(Segment(line[i:j], style if on else None))
            i = j
        out.append((segs, cells))
        pos += len(line)
    return out


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
        if self.title:
            for text, _cells in _wrap(self.title, sum(outer) + len(outer) + 1, 0, cw)[0]:
                yield Segment(text, bold)
                yield nl
        yield Segment(box.get_top(outer))
        yield nl
        yield Segment(box.head_left)
        for i, (head, w, right) in enumerate(self.columns):
            head, cells = _fit(header_text(head), w, cw)
            pad = " " * (w - cells)
            yield Segment(f" {pad}{head} " if right else f" {head}{pad} ", bold)
            yield Segment(box.head_right if i == len(widths) - 1 else box.head_vertical)
        yield nl
        yield Segment(box.get_row(outer, "head"))
        yield nl
        between = Segment(box.get_row(outer, "row"))
        for n, row in enumerate(self.rows):
            if n:
                yield between
                yield nl
            yield from self._row(row, box, widths, outer)
        yield Segment(box.get_bottom(outer))
        yield nl

    def _row(self, row, box, widths, outer):
        """The lines of one row of cells."""
        from rich.segment import Segment

        left, mid, right_edge = Segment(box.mid_left), Segment(box.mid_vertical), Segment(box.mid_right)
        space, nl = Segment(" "), Segment.line()
        last = len(widths) - 1
        for k in range(max(len(c) for c in row)):
            yield left
            for i, lines in enumerate(row):
                if k < len(lines):
                    segs, cells = lines[k]
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
                    yield Segment(" " * outer[i])
                yield right_edge if i == last else mid
            yield nl


class _Blocks:
    """Tasks laid out as blocks of lines, for a terminal too narrow for the table: the title
    in bold, then per task a line of its id and facts, its text indented, and its units
    after their labels.  ``blocks``: per task, its lines (segments, cells)."""

    def __init__(self, title, blocks, width):
        self.title, self.blocks, self.width = title, blocks, width

    def __rich_console__(self, console, options):
        from rich.cells import get_character_cell_size as cw
        from rich.segment import Segment
        from rich.style import Style

        nl = Segment.line()
        for text, _width in _wrap(self.title, self.width, 0, cw)[0]:
            yield Segment(text, Style(bold=True))
            yield nl
        yield Segment("─" * min(self.width, 60), Style(dim=True))
        yield nl
        for lines in self.blocks:
            for segs, _width in lines:
                yield from segs
                yield nl
            yield nl


def _fit(text: str, width: int, cell_width) -> tuple[str, int]:
    """``text`` cut to ``width`` terminal cells (a Chinese header takes two a character): (text, cells)."""
    out, n = "", 0
    for ch in text:
        c = cell_width(ch)
        if n + c > width:
            break
        out, n = out + ch, n + c
    return out, n


ROLE_WORDS = {"lead": N_("lead"), "support": N_("support")}


def role_word(role) -> str:
    """A role (lead, support) in the interface language."""
    return _(ROLE_WORDS[role]) if role in ROLE_WORDS else visible(role)


def due_cell(r) -> str:
    """The due column: the date, else the kind (ongoing, yearly ...), else empty."""
    kind = r.get("due_kind")
    if kind in (None, "none"):
        return ""
    return r.get("due") or kind


class _Layout:
    """How one table (a group of task rows) is laid out on a console ``width`` cells wide:
    which columns it has and how wide, or ``stacked`` (blocks, ``_Blocks``) when the unit
    columns cannot hold their widest names beside MIN_TEXT cells of text."""

    def __init__(self, rows, width, *, mode, year, ids, cw):
        self.cw, self.mode, self.year, self.width = cw, mode, year, width
        self._names: dict[tuple[int, str], list[str]] = {}
        self.show_match = mode == "task" and any(r.get("match") not in (None, "exact") for r in rows)
        self.show_level = any(r.get("level") == "project" for r in rows)
        self.show_due = any(due_cell(r) for r in rows)  # the plan gives deadlines
        status_w = max(
            (len(r.get("status") or "") for r in rows), default=0
        )  # progress records (whodoes.query.records)
        head = {
            "id": display_width(header_text("id")),
            "no.": display_width(header_text("no.")),
            "level": display_width(header_text("level")),
            "due": display_width(header_text("due")),
            "match": display_width(header_text("match")),
            "status": display_width(header_text("status")),
        }
        self.status_w = max(status_w, 8, head["status"]) if status_w else 0
        self.level_w = max(7, head["level"]) * self.show_level
        self.due_w, self.match_w = max(10, head["due"]) * self.show_due, max(6, head["match"]) * self.show_match
        self.id_w = max(2, head["id"], max(len(ids(r)) for r in rows))
        self.seq_w = max(3, head["no."], min(8, max(self.cells(_clean(r.get("seq"))) for r in rows)))
        self.role_w = (
            max(4, display_width(header_text("role")), max(display_width(role_word(r.get("role"))) for r in rows))
            if mode == "unit"
            else 0
        )
        fixed = [self.id_w, self.seq_w, self.level_w, self.role_w, self.due_w, self.match_w, self.status_w]
        flex = width - (3 * (3 + sum(1 for w in fixed if w)) + 1) - sum(fixed)
        self.lead_w = self._unit_width(rows, "lead", flex)
        self.support_w = self._unit_width(rows, "support", flex)
        self.text_w = flex - self.lead_w - self.support_w
        self.stacked = self.text_w < MIN_TEXT
        self.target_w = 0  # the year's target: a column of its own, or on a narrow terminal under the text
        if self.stacked:
            self.text_w = width - 2
        elif year is not None and self.text_w - 3 >= 40:
            self.target_w = max(len(f"{year} target"), (self.text_w - 3) // 3)
            self.text_w -= 3 + self.target_w

    def cells(self, text: str) -> int:
        return sum(map(self.cw, text))

    def names(self, r, role) -> list[str]:
        """The unit names of ``role`` as written, cleaned (once per row and role)."""
        key = (id(r), role)
        if key not in self._names:
            self._names[key] = [_clean(n) for n in r.get(role) or ()]
        return self._names[key]

    def _unit_width(self, rows, role, flex) -> int:
        """As wide as the widest name with its 、, and up to a fifth of the free width when
        the cells hold that much."""
        widest = joined = display_width(header_text(role))  # the header
        for r in rows:
            names = self.names(r, role)
            for k, name in enumerate(names):
                widest = max(widest, self.cells(name) + 2 * (k < len(names) - 1))
            joined = max(joined, self.cells(JOIN.join(names)))
        return max(widest, min(joined, flex // 5))

    def columns(self) -> list[tuple[str, int, bool]]:
        """(header, width, right-justified) of the grid."""
        columns = [("id", self.id_w, False), ("no.", self.seq_w, False)]
        if self.show_level:
            columns.append(("level", self.level_w, False))
        if self.mode == "unit":
            columns.append(("role", self.role_w, False))
        columns.append(("task", self.text_w, False))
        if self.target_w:
            columns.append((f"{self.year} target", self.target_w, False))
        columns += [("lead", self.lead_w, False), ("support", self.support_w, False)]
        if self.show_due:
            columns.append(("due", self.due_w, False))
        if self.show_match:
            columns.append(("match", self.match_w, False))
        if self.status_w:
            columns.append(("status", self.status_w, False))
        return columns


class _Styles:
    def __init__(self):
        from rich.style import Style

        self.bold, self.italic, self.dim = Style(bold=True), Style(italic=True), Style(dim=True)
        self.match = Style(bold=True, color="red")


def _one(text: str, style=None) -> list:
    """A cell of one line."""
    from rich.segment import Segment

    return [([Segment(text, style)], display_width(text))]


def _plain(lines, style=None) -> list:
    from rich.segment import Segment

    return [([Segment(text, style)], n) for text, n in lines]


def _task_text(r, layout, styles, terms) -> tuple[list, bool]:
    """The task cell: the category or title in bold where the text does not start with it,
    then the text (a snippet around the first term searched for, the terms highlighted),
    wrapped, cut after TABLE_TEXT_LINES lines; and whether it was cut."""
    cw, width = layout.cw, layout.text_w
    text = _clean(r.get("text"))
    head = " / ".join(x for x in (_clean(r.get("category")), _clean(r.get("title"))) if x and not text.startswith(x))
    lines = _plain(_wrap(head, width, 2, cw)[0], styles.bold) if head else []
    shown, cut_front = snippet(text, terms, width * (TABLE_TEXT_LINES - 1), cw) if terms else (text, False)
    body, more = _wrap(shown, width, TABLE_TEXT_LINES, cw)
    return lines + highlighted(body, terms or (), styles.match), more or cut_front


def _target(r, layout, styles) -> tuple[list, bool]:
    """The year's target: its column's lines, or (in italics) lines to go under the text."""
    goal = _clean(r.get("target"))
    own = bool(layout.target_w)
    lines, more = _wrap(
        goal if own else f"{layout.year} target: {goal}", layout.target_w or layout.text_w, TABLE_TEXT_LINES, layout.cw
    )
    return _plain(lines, None if own else styles.italic), more


def _units(r, role, width, layout, styles, mark) -> list:
    """A unit cell: the names as written, the queried unit's in bold."""
    from rich.segment import Segment

    out = []
    for line, cells in unit_lines(layout.names(r, role), width, layout.cw):
        segs: list[Segment] = []
        for part in line.split(JOIN):
            if segs:
                segs.append(Segment(JOIN))
            if part:
                segs.append(Segment(part, styles.bold if mark and part in mark else None))
        out.append((segs, cells))
    return out


def _grid_row(r, layout, styles, ids, terms) -> tuple[list, bool]:
    """The cells of one task in the grid, and whether its text was cut."""
    mark = set((r.get("as_written") or "").split(JOIN)) if layout.mode == "unit" else None
    cells = [_one(ids(r)), _plain(_wrap(_clean(r.get("seq")), layout.seq_w, 1, layout.cw)[0])]
    if layout.show_level:
        cells.append(_one(_clean(r.get("level"))))
    if layout.mode == "unit":
        cells.append(_one(role_word(r.get("role"))))
    task, cut = _task_text(r, layout, styles, terms)
    cells.append(task)
    if layout.target_w or (layout.year is not None and r.get("target")):
        target, more = _target(r, layout, styles)
        if layout.target_w:
            cells.append(target)
        else:
            cells[-1] += target
        cut = cut or more
    cells.append(_units(r, "lead", layout.lead_w, layout, styles, mark))
    cells.append(_units(r, "support", layout.support_w, layout, styles, mark))
    if layout.show_due:
        cells.append(_one(due_cell(r)))
    if layout.show_match:
        cells.append(_one(_clean(r.get("match"))))
    if layout.status_w:
        status, when = _clean(r.get("status")), _clean(r.get("status_date"))[2:]
        cells.append(_one(status) + (_one(when) if when else []))
    return cells, cut


def _block(r, layout, styles, ids, terms) -> tuple[list, bool]:
    """The lines of one task as a block: id and facts, the text indented, the units after
    their labels (lead, support), the deadline; and whether the text was cut."""
    from rich.segment import Segment

    mark = set((r.get("as_written") or "").split(JOIN)) if layout.mode == "unit" else None
    facts = [f"no. {_clean(r.get('seq'))}" if r.get("seq") else ""]
    facts += [
        role_word(r.get(k)) if k == "role" else _clean(r.get(k))
        for k in ("level", "role")
        if layout.show_level or k == "role"
    ]
    facts += [_clean(r.get("match")) if layout.show_match else "", _clean(r.get("status"))]
    sid = ids(r)
    lines = [
        (
            [Segment(sid, styles.bold), Segment("".join(f" · {f}" for f in facts if f))],
            len(sid) + sum(3 + layout.cells(f) for f in facts if f),
        )
    ]
    indent = Segment("  ")
    task, cut = _task_text(r, layout, styles, terms)
    if layout.year is not None and r.get("target"):
        target, more = _target(r, layout, styles)
        task, cut = task + target, cut or more
    lines += [([indent, *segs], n + 2) for segs, n in task]
    labelled = [
        ("lead", _units(r, "lead", layout.width - 2 - _LABEL_W, layout, styles, mark)),
        ("support", _units(r, "support", layout.width - 2 - _LABEL_W, layout, styles, mark)),
    ]
    if due_cell(r):
        labelled.append(("due", _one(due_cell(r))))
    for label, role_cell in labelled:
        if not role_cell[0][1]:
            continue  # no unit of that role
        for k, (segs, n) in enumerate(role_cell):
            shown = header_text(label)
            head = Segment(
                f"  {shown}{' ' * max(0, _LABEL_W - display_width(shown))}" if k == 0 else " " * (2 + _LABEL_W),
                styles.dim if k == 0 else None,
            )
            lines.append(([head, *segs], 2 + _LABEL_W + n))
    return lines, cut


def _groups(rows, group) -> list[tuple[tuple, list]]:
    """The rows in runs of the same (unit or month, document): a table each."""
    groups: list[tuple] = []
    for r in rows:
        key = (r.get(group), r["document"])
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(r)
    return groups


def _title(unit, first) -> str:
    """A table's title: [the unit (how it matched) ·] the document (jurisdiction, period)."""
    title = f"{first['document_title'] or first['document']} ({first['jurisdiction']}, {first['period']})"
    if unit:
        how = first.get("matched_by")
        mark = f" [{_('fuzzy: a guess') if how == 'fuzzy' else _(how)}]" if how and how != "exact" else ""
        title = f"{unit}{mark} · {title}"
    return _clean(title)


def task_table(rows, console, *, year=None, mode="task", ids=None, group="unit", terms=None):
    """Tasks grouped by (unit and) document, a table each: id (``ids(row)``: the short uid),
    no., [level, when some rows are key projects], [role], task (the category or title in
    bold where the text does not start with it, then the text, wrapped, cut after
    TABLE_TEXT_LINES lines; with ``terms``, a snippet around the first of them, highlighted),
    [the year's target], lead and support as written (the queried unit in bold), [due, when
    some rows have a deadline], [match, when some rows are not exact]; on a narrow terminal,
    blocks of lines (see ``_Layout``)."""
    from rich.cells import get_character_cell_size as cw

    rows = list(rows)
    if not rows:
        return
    ids = ids or (lambda r: str(r["id"]))
    styles = _Styles()
    width = console.width or 80
    cut = False
    for (unit, _doc), members in _groups(rows, group):
        layout = _Layout(members, width, mode=mode, year=year, ids=ids, cw=cw)
        title = _title(unit, members[0])
        if layout.stacked:
            laid = [_block(r, layout, styles, ids, terms) for r in members]
            console.print(_Blocks(title, [lines for lines, _ in laid], width), crop=False)  # laid out to fit
        else:
            laid = [_grid_row(r, layout, styles, ids, terms) for r in members]
            columns = layout.columns()
            too_wide = sum(w for _, w, _ in columns) + 3 * len(columns) + 1 > width
            # a grid that fits the terminal need not be measured again, line by line, to be cropped
            console.print(_Grid(title, columns, [cells for cells, _ in laid]), crop=too_wide)
        cut = cut or any(more for _, more in laid)
    if cut:
        console.print(
            _("… text cut: `whodoes show ID` shows a task in full"), style="dim", markup=False, highlight=False
        )


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


def role_heading(role: str, members) -> str:
    """The role's words in the chart: the interface's word and the plans' own labels of the
    column (a plan with no 牵头 column says 责任): "lead 责任" in English, "责任" in Chinese."""
    labels = []
    for r in members:
        for label in (r.get("label") or "").split(JOIN):
            short = label.removesuffix("单位") or label
            if label and short not in labels:
                labels.append(short)
    word = role_word(role)
    if not labels:
        return word
    if language() == "zh":  # the plan's own words say it: 责任 where the plan has no 牵头 column
        return "/".join(labels)
    return f"{word} {'/'.join(labels)}"


def bar_chart(rows, console, *, title=None):
    """``whodoes stats``: per jurisdiction, the units that lead most tasks and those that
    support most, as bars on one scale for the whole chart (9 draws a tenth of 90 in any
    jurisdiction), key projects (counted on their own) after the bar; each role named with
    the plans' own label (牵头, 责任, 配合).  Rows as from query.unit_stats."""
    from rich.table import Table
    from rich.text import Text

    if title:
        console.print(visible(title), style="bold", markup=False, highlight=False)
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(r["jurisdiction"], []).append(r)
    names = [visible(r["unit"]) + (" *" if r.get("kind") == "collective" else "") for r in rows]
    name_w = max((display_width(n) for n in names), default=4)
    count_w = max((len(str(r["tasks"])) for r in rows), default=1)
    extra = 18 if any(r.get("projects") for r in rows) else 0  # " +21 key projects"
    headings = {
        (j, role): role_heading(role, [r for r in members if r["role"] == role])
        for j, members in groups.items()
        for role in ("lead", "support")
    }
    role_w = max(12, *(display_width(h) for h in headings.values()))
    width = max(10, min(50, (console.width or 80) - role_w - name_w - count_w - 4 - extra))
    top = max(max((r["tasks"] for r in rows), default=1), 1)  # one scale for every jurisdiction
    for jurisdiction, members in groups.items():
        console.print()
        console.print(Text(visible(jurisdiction) or _("(no jurisdiction)"), style="bold"))
        t = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
        t.add_column("role", no_wrap=True, min_width=role_w)
        t.add_column("unit", no_wrap=True, min_width=name_w)
        t.add_column("n", justify="right", no_wrap=True, min_width=count_w)
        t.add_column("bar", no_wrap=True)
        last = None
        for r in members:
            name = visible(r["unit"]) + (" *" if r.get("kind") == "collective" else "")
            role = headings.get((jurisdiction, r["role"]), visible(r["role"])) if r["role"] != last else ""
            last = r["role"]
            shown = Text(bar(r["tasks"], top, width), style="green" if r["role"] == "lead" else "cyan")
            if r.get("projects"):
                shown.append(
                    " " + ngettext("+{n} key project", "+{n} key projects", r["projects"]).format(n=r["projects"]),
                    style="dim",
                )
            t.add_row(role, name, str(r["tasks"]), shown)
        console.print(t)
