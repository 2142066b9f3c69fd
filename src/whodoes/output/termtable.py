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
    width = None
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
# column widths once from the terminal width, each text wrapped once (by terminal cells,
# with rich's character widths; a line never starts with closing punctuation), and rich
# draws it (its console, box characters and styles) in the look of its own tables.  The
# terminal view is a summary: the task text stops after TABLE_TEXT_LINES lines (with …);
# `whodoes show ID` shows a task in full, and csv/json/markdown/xlsx always have all of it.

TABLE_TEXT_LINES = 3
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’,.;:?!)]}%…·")
_NO_LINE_END = frozenset("（《「『【〔“‘([{")
_CONTROL = {9: " ", 10: " ", 13: " "}  # after textsafe.visible: what lays out, as spaces


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
            for text, _cells in _wrap(self.title, sum(outer) + len(outer) + 1, 0, cw)[0]:
                yield Segment(text, bold)
                yield nl
        yield Segment(box.get_top(outer))
        yield nl
        yield Segment(box.head_left)
        for i, (name, w, right) in enumerate(self.columns):
            text, cells = _fit(header_text(name), w, cw)
            pad = " " * (w - cells)
            yield Segment(f" {pad}{text} " if right else f" {text}{pad} ", bold)
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
                        yield blank[i]
                    yield right_edge if i == last else mid
                yield nl
        yield Segment(box.get_bottom(outer))
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


def task_table(rows, console, *, year=None, mode="task", ids=None, group="unit"):
    """Tasks grouped by (unit and) document, a table each: id (``ids(row)``: the short uid),
    no., [level, when some rows are key projects], [role], task (the category or title in
    bold where the text does not start with it, then the text, wrapped, cut after
    TABLE_TEXT_LINES lines), [the year's target], lead and support as written (the queried
    unit in bold), [due, when some rows have a deadline], [match, when some rows are fuzzy]."""
    from rich.cells import get_character_cell_size as cw
    from rich.segment import Segment
    from rich.style import Style

    rows = list(rows)
    if not rows:
        return
    bold, italic = Style(bold=True), Style(italic=True)

    def clean(value):
        return visible(value).translate(_CONTROL)

    def width(text):
        return sum(map(cw, text))

    def plain(lines):
        return [([Segment(text)], n) for text, n in lines]

    show_match = mode == "task" and any(r.get("match") not in (None, "exact") for r in rows)
    ids = ids or (lambda r: str(r["id"]))
    show_level = any(r.get("level") == "project" for r in rows)
    show_due = any(due_cell(r) for r in rows)
    status_w = max((len(r.get("status") or "") for r in rows), default=0)  # progress records (whodoes.query.records)
    status_w = max(status_w, 8, width(header_text("status"))) if status_w else 0
    level_w, due_w = max(7, width(header_text("level"))) * show_level, max(10, width(header_text("due"))) * show_due
    match_w = max(5, width(header_text("match")))
    id_w = max(2, width(header_text("id")), max(len(ids(r)) for r in rows))
    seq_w = max(3, width(header_text("no.")), min(8, max(width(clean(r.get("seq"))) for r in rows)))
    role_w = max(4, width(header_text("role")), max(width(role_word(r.get("role"))) for r in rows)) if mode == "unit" else 0
    names = [clean(n) for r in rows for n in (*(r.get("lead") or ()), *(r.get("support") or ()))]
    n_cols = 5 + (mode == "unit") + show_match + show_level + show_due + bool(status_w)
    flex = (console.width or 80) - (3 * n_cols + 1) - id_w - seq_w - role_w - match_w * show_match - level_w - due_w - status_w
    unit_w = max(8, min(max(map(width, names), default=4), flex // 5))
    text_w = max(12, flex - 2 * unit_w)
    target_w = 0  # the year's target: a column of its own, or on a narrow terminal under the text
    if year is not None and text_w - 3 >= 40:
        target_w = max(width(f"{year} {header_text('target')}"), (text_w - 3) // 3)
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

    columns = [("id", id_w, False), ("no.", seq_w, False)]
    if show_level:
        columns.append(("level", level_w, False))
    if mode == "unit":
        columns.append(("role", role_w, False))
    columns.append(("task", text_w, False))
    if target_w:
        columns.append((f"{year} {header_text('target')}", target_w, False))
    columns += [("lead", unit_w, False), ("support", unit_w, False)]
    if show_due:
        columns.append(("due", due_w, False))
    if show_match:
        columns.append(("match", match_w, False))
    if status_w:
        columns.append(("status", status_w, False))

    too_wide = sum(w for _, w, _ in columns) + 3 * len(columns) + 1 > (console.width or 80)
    groups: list[tuple] = []
    for r in rows:
        key = (r.get(group), r["document"])
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(r)
    cut = False
    for (unit, _doc), members in groups:
        first = members[0]
        title = f"{first['document_title'] or first['document']} ({first['jurisdiction']}, {first['period']})"
        if unit:
            how = first.get("matched_by")
            mark = f" [{_('fuzzy: a guess') if how == 'fuzzy' else _(how)}]" if how and how != "exact" else ""
            title = f"{unit}{mark} · {title}"
        title = clean(title)
        grid = []
        for r in members:
            mark = set((r.get("as_written") or "").split(JOIN)) if mode == "unit" else None
            sid = ids(r)
            cells = [[([Segment(sid)], len(sid))], plain(_wrap(clean(r.get("seq")), seq_w, 1, cw)[0])]
            if show_level:
                level = clean(r.get("level"))
                cells.append([([Segment(level)], len(level))])
            if mode == "unit":
                role = role_word(r.get("role"))
                cells.append([([Segment(role)], width(role))])
            text = clean(r.get("text"))
            head = " / ".join(x for x in (clean(r.get("category")), clean(r.get("title"))) if x and not text.startswith(x))
            task = [([Segment(line, bold)], n) for line, n in _wrap(head, text_w, 2, cw)[0]] if head else []
            body, more = _wrap(text, text_w, TABLE_TEXT_LINES, cw)
            cells.append(task + plain(body))
            if target_w or (year is not None and r.get("target")):
                goal = clean(r.get("target"))
                target, more_target = _wrap(goal if target_w else f"{year} {header_text('target')}: {goal}", target_w or text_w,
                                            TABLE_TEXT_LINES, cw)
                if target_w:
                    cells.append(plain(target))
                else:
                    cells[-1] += [([Segment(line, italic)], n) for line, n in target]
                more = more or more_target
            cut = cut or more
            cells.append(units_cell(r.get("lead") or (), mark))
            cells.append(units_cell(r.get("support") or (), mark))
            if show_due:
                due = due_cell(r)
                cells.append([([Segment(due)], len(due))])
            if show_match:
                match = clean(r.get("match"))
                cells.append([([Segment(match)], len(match))])
            if status_w:
                status, when = clean(r.get("status")), clean(r.get("status_date"))[2:]
                cells.append([([Segment(status)], len(status))] + ([([Segment(when)], len(when))] if when else []))
            grid.append(cells)
        # a grid that fits the terminal need not be measured again, line by line, to be cropped
        console.print(_Grid(title, columns, grid), crop=too_wide)
    if cut:
        console.print(_("… text cut: `whodoes show ID` shows a task in full"), style="dim", markup=False, highlight=False)


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
    headings = {(j, role): role_heading(role, [r for r in members if r["role"] == role])
                for j, members in groups.items() for role in ("lead", "support")}
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
                shown.append(" " + ngettext("+{n} key project", "+{n} key projects", r["projects"]).format(n=r["projects"]),
                             style="dim")
            t.add_row(role, name, str(r["tasks"]), shown)
        console.print(t)
