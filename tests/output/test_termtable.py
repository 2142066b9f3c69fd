"""The task table on a terminal (issue 16): unit names never broken and every 、 kept at a
line end, over every unit cell of the bundled plans; snippets around the match; a deadline
column where the plan has one; docs --verbose as a list."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len

from whodoes.output import termtable
from whodoes.output.render import JOIN
from whodoes.query import api as query


class Terminal(io.StringIO):
    """A stream rich takes for a terminal ``columns`` wide (so styles are written)."""

    def __init__(self, columns):
        super().__init__()
        self.columns = columns

    def isatty(self):
        return True


def draw(rows, columns, tty=False, **kw):
    out = Terminal(columns) if tty else io.StringIO()
    console = termtable.make_console(out)
    if not tty:
        console.width = columns
    termtable.task_table(rows, console, **kw)
    return out.getvalue()


def grid_cells(text):
    """Per row of every grid in ``text``: {header: [lines of the cell]}."""
    out, heads, cur = [], None, None
    for line in text.splitlines():
        if line.startswith("┃"):
            heads = [h.strip() for h in line.strip("┃").split("┃")]
        elif line.startswith("│"):
            if cur is None:
                cur = {h: [] for h in heads}
                out.append(cur)
            for h, c in zip(heads, line.strip("│").split("│")):
                if c.strip():
                    cur[h].append(c.strip())
        elif line[:1] in "├└":
            cur = None
    return out


def block_cells(text):
    """Per task of every list of blocks in ``text``: {label: [lines]}, in order."""
    out, cur, label, started = [], None, None, False
    for line in text.splitlines():
        if line.startswith("─"):
            started = True  # the title is above the rule
            continue
        if not started or not line.strip() or line.startswith("… text cut"):
            continue
        if not line.startswith(" "):
            cur, label = {}, None
            out.append(cur)
        elif cur is not None and line[2:3] != " " and line[2:].split(" ", 1)[0] in ("lead", "support", "due"):
            label = line[2:].split(" ", 1)[0]
            cur[label] = [line[2 + termtable._LABEL_W :].strip()]
        elif cur is not None and label and line.startswith(" " * (2 + termtable._LABEL_W)):
            cur[label].append(line.strip())
        else:
            label = None
    return out


def check_unit_lines(lines, names, where):
    assert "".join(lines) == JOIN.join(names), where  # every 、 is there
    for line in lines:
        assert not line.startswith(JOIN), where  # a 、 ends a line, never starts one
        pieces = line.split(JOIN)
        assert all(p in names for p in (pieces[:-1] if line.endswith(JOIN) else pieces)), (where, line)


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_no_unit_name_is_split_and_every_separator_survives(conn, columns):
    """Every unit cell of the bundled plans, drawn as `whodoes export` would on a terminal."""
    rows = query.export_tasks(conn).rows
    by_doc = {}
    for r in rows:
        by_doc.setdefault(r["document"], []).append(r)
    layouts = set()
    for doc, members in by_doc.items():
        text = draw(members, columns, mode="task")
        grid = "┃" in text
        layouts.add(grid)
        cells = grid_cells(text) if grid else block_cells(text)
        assert len(cells) == len(members), doc
        for r, c in zip(members, cells):
            for role in ("lead", "support"):
                names = [n for n in r.get(role) or [] if n]
                if names:
                    check_unit_lines(c.get(role, []), names, (columns, r["uid"], role))
        assert max(map(cell_len, text.splitlines())) <= columns
    if columns == 80:
        assert False in layouts  # 80 columns cannot hold 重庆广阳岛片区…办公室 in a column: blocks
    assert True in layouts  # and both layouts were checked


def test_unit_lines_break_between_names_only():
    from rich.cells import get_character_cell_size as cw

    names = ["南岸区", "江北区", "两江新区", "重庆经开区"]
    lines = termtable.unit_lines(names, 16, cw)
    assert [t for t, _ in lines] == ["南岸区、江北区、", "两江新区、", "重庆经开区"]
    assert termtable.unit_lines(["相关集团公司"], 8, cw)[0][0] == "相关集团"  # only a name wider than the line breaks


def test_deadline_column_only_where_the_plan_has_deadlines(conn):
    rows = query.search_tasks(conn, "海绵城市").rows
    text = draw(rows, 160, mode="task")
    has_due = {r["document"] for r in rows if termtable.due_cell(r)}
    assert has_due and len(has_due) < len({r["document"] for r in rows})
    tables = text.split("\n┏")
    assert any("┃ due" in t for t in tables) and any("┃ task" in t and "┃ due" not in t for t in tables)
    assert "2020-12-31" in text


def test_task_shows_a_snippet_around_the_match_highlighted_on_a_terminal_only(conn):
    result = query.search_tasks(conn, "河长制")
    far = [r for r in result.rows if r["text"].find("河长制") > 120]
    assert far, "a task that mentions 河长制 late in its text"
    plain = draw(far[:1], 100, mode="task", terms=result.terms)
    assert "河长制" in plain and "…" in plain and "\x1b[" not in plain
    coloured = draw(far[:1], 100, tty=True, mode="task", terms=result.terms)
    assert "\x1b[1;31m河长制" in coloured or "\x1b[31;1m河长制" in coloured
    whole = draw(far[:1], 100, mode="task")  # without terms: from the start
    assert far[0]["text"][:10] in whole and "河长制" not in whole


def test_snippet_starts_at_the_clause_before_the_match():
    from rich.cells import get_character_cell_size as cw

    text = "一二三四五六七八九十。" * 10 + "甲乙，推进河长制工作。"
    shown, cut = termtable.snippet(text, ["河长制"], 40, cw)
    assert cut and shown == "…推进河长制工作。"
    assert termtable.snippet("推进河长制。", ["河长制"], 40, cw) == ("推进河长制。", False)


def test_docs_verbose_is_a_list_per_document(conn):
    rows = query.list_documents(conn, verbose=True)
    cols = ["id", "title", "issuer", "layouts", "sha256"]
    out = io.StringIO()
    console = termtable.make_console(out)
    console.width = 80
    termtable.record_list(rows, cols, console)
    text = out.getvalue()
    assert "┃" not in text and "│" not in text
    for r in rows:
        assert f"\n{r['id']}\n" in f"\n{text}" and r["sha256"] in text
        assert f"  title    {r['title']}"[:30] in text
