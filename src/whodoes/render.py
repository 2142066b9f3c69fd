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


def write_xlsx(rows, columns, path, *, headers=None):
    if not path:
        raise RenderError("xlsx needs a file: add -o FILE.xlsx")
    try:
        import xlsxwriter
    except ImportError:
        raise RenderError("xlsx needs xlsxwriter: pip install 'whodoes[xlsx]'") from None
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("whodoes")
    bold = wb.add_format({"bold": True})
    for j, h in enumerate(headers or columns):
        ws.write_string(0, j, h, bold)
    for i, r in enumerate(rows, start=1):
        for j, c in enumerate(columns):
            v = r.get(c)
            if isinstance(v, int) and not isinstance(v, bool):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, cell(v))
    ws.freeze_panes(1, 0)
    wb.close()


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
        write_xlsx(rows, columns, path, headers=headers)
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


def _units_text(names, highlight=None):
    """One unit per line (names are not broken across lines); the queried unit in bold."""
    from rich.text import Text

    text = Text()
    for i, n in enumerate(names):
        if i:
            text.append("\n")
        text.append(n, style="bold" if highlight and n in highlight else None)
    return text


def task_table(rows, console, *, year=None, mode="task"):
    """Tasks grouped by (unit and) document, with wrapped Chinese text."""
    from rich.table import Table
    from rich.text import Text

    def group_key(r):
        return (r.get("unit"), r["document"])

    groups: list[tuple] = []
    for r in rows:
        k = group_key(r)
        if not groups or groups[-1][0] != k:
            groups.append((k, []))
        groups[-1][1].append(r)
    for (unit, _doc), members in groups:
        first = members[0]
        title = f"{first['document_title'] or first['document']} ({first['jurisdiction']}, {first['period']})"
        if unit:
            title = f"{unit} · {title}"
        t = Table(title=title, title_justify="left", title_style="bold", expand=True, show_lines=True)
        t.add_column("id", justify="right", no_wrap=True)
        t.add_column("no.", no_wrap=True)
        if mode == "unit":
            t.add_column("role", no_wrap=True)
        t.add_column("category", ratio=2, overflow="fold")
        t.add_column("task", ratio=6, overflow="fold")
        if year is not None:
            t.add_column(f"{year} target", ratio=3, overflow="fold")
        t.add_column("lead", ratio=2, overflow="fold")
        t.add_column("support", ratio=2, overflow="fold")
        if mode == "task":
            t.add_column("match", no_wrap=True)
        for r in members:
            mark = set((r.get("as_written") or "").split(JOIN)) if mode == "unit" else None
            cells = [str(r["id"]), r.get("seq") or ""]
            if mode == "unit":
                cells.append(r.get("role") or "")
            cells.append(" / ".join(x for x in (r.get("category"), r.get("title")) if x))
            cells.append(r.get("text") or "")
            if year is not None:
                cells.append(r.get("target") or "")
            row = [Text(c) for c in cells]
            row.append(_units_text(r.get("lead") or [], mark))
            row.append(_units_text(r.get("support") or [], mark))
            if mode == "task":
                row.append(Text(r.get("match") or ""))
            t.add_row(*row)
        console.print(t)


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
