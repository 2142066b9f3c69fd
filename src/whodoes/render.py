"""Output formats: which one to write, and the flat ones (csv, tsv, json, jsonl, markdown).

Rows are dicts (whodoes.query).  Flat formats (csv, tsv, markdown, xlsx) take a list of
column keys; list values are joined with 、, dict values written as JSON (``cell``).
json/jsonl write the dicts as they are (lists stay lists).  ``write`` hands ``table`` to
whodoes.termtable (rich) and ``xlsx`` to whodoes.xlsx (xlsxwriter), imported only then.
json is imported only by the formats that need it; csv is written by hand.
"""

from __future__ import annotations

import os
import sys

from whodoes.i18n import _

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown", "xlsx", "docx")
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
    ".docx": "docx",
}
# the extensions that name one format: -o FILE with one of them and another --format is refused
STRICT_EXTENSIONS = (".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".md", ".markdown", ".xlsx", ".docx")
JOIN = "、"
BOM = "\ufeff"


class RenderError(Exception):
    """A format that cannot be written (xlsx to a terminal, xlsxwriter missing ...)."""


def check_format(fmt: str | None) -> str | None:
    """Normalise a --format value; None stays None (choose by destination)."""
    if fmt is None:
        return None
    f = str(fmt).strip().lower()
    f = {"md": "markdown", "ndjson": "jsonl", "excel": "xlsx", "text": "table", "word": "docx"}.get(f, f)
    if f not in FORMATS:
        from whodoes.db import UsageError

        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {str(fmt)[:40]!r}")
    return f


def choose_format(fmt: str | None, output: str | None = None, stream=None) -> str:
    """The format to write: --format, else by -o FILE's extension, else table on a
    terminal and csv otherwise.  --format and an extension that names another format
    (``--format csv -o x.xlsx``) is a UsageError."""
    f = check_format(fmt)
    ext = os.path.splitext(output)[1].lower() if output else ""
    if f:
        if ext in STRICT_EXTENSIONS and EXTENSIONS[ext] != f and f != "table":
            from whodoes.db import UsageError

            raise UsageError(f"--format {f} and -o {output} disagree: the file's extension says {EXTENSIONS[ext]}; "
                             f"drop --format, or name the file .{ 'md' if f == 'markdown' else f}")
        return f
    if output:
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


def json_default(value):
    """``default=`` of json.dump: binary data (a BLOB where the schema has text: a crafted or
    damaged database) is a one-line DataError, not a TypeError."""
    from whodoes.db import REBUILD_HINT, DataError

    if isinstance(value, (bytes, bytearray, memoryview)):
        raise DataError(f"the database holds binary data (a BLOB of {len(bytes(value))} bytes) where text belongs; {REBUILD_HINT}")
    raise DataError(f"the database holds a value json cannot write ({type(value).__name__}); {REBUILD_HINT}")


def write_json(rows, out, *, keys=None, bom=False):
    import json

    if bom:
        out.write(BOM)
    data = [{k: r.get(k) for k in keys} if keys else r for r in rows]
    out.write(json.dumps(data, ensure_ascii=False, indent=2, default=json_default))  # whole, or nothing on an error
    out.write("\n")


def write_jsonl(rows, out, *, keys=None, bom=False):
    import json

    if bom:
        out.write(BOM)
    for r in rows:
        out.write(json.dumps({k: r.get(k) for k in keys} if keys else r, ensure_ascii=False, default=json_default) + "\n")


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
        from whodoes.xlsx import write_xlsx

        write_xlsx(rows, columns, path, headers=headers, title=heading)
    elif fmt == "table":
        from whodoes.termtable import write_table

        write_table(rows, columns, out, headers=headers, heading=heading, table=table)
    else:  # pragma: no cover - check_format guards
        raise RenderError(f"unknown format {fmt!r}")


def detail_items(rec) -> list[tuple[str, str]]:
    """The fields of ``whodoes show`` as (label, text) pairs, for table and markdown."""
    items = [
        ("uid", rec.get("uid") or ""),
        ("id", _("{id} (numeric: changes when plans are added; cite the uid)").format(id=rec["id"])),
        ("document", f"{rec['document_title']} [{rec['document']}]"),
        ("jurisdiction", rec.get("jurisdiction") or ""),
        ("period", rec.get("period") or ""),
        ("section", rec.get("section") or ""),
        ("category", rec.get("category") or ""),
        ("title", rec.get("title") or ""),
        ("no.", rec.get("seq") or ""),
        ("level", (rec.get("level") or "") + (_(" of {project}").format(project=rec["project"]) if rec.get("project") else "")),
        ("task", rec.get("text") or ""),
    ]
    if rec.get("detail"):
        items.append(("detail", rec["detail"]))
    for year, target in (rec.get("targets") or {}).items():
        items.append((f"target {year}", target))
    if rec.get("deadline"):
        items.append(("deadline", rec["deadline"]))
    if rec.get("due_kind") not in (None, "none"):
        due = rec.get("due") or _("no single date")
        items.append(("due", _("{due} ({kind}; as written: {text})").format(due=due, kind=rec["due_kind"],
                                                                           text=rec.get("deadline_text") or "")))
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
                text += _(" [inherited from the row above]")
            parts.append(text)
        name = role + (f" ({label})" if label else "")
        items.append((name, "; ".join(parts) if parts else "-"))
    if rec.get("inherited"):
        items.append(("inherited", JOIN.join(rec["inherited"])))
    if rec.get("commanders"):
        items.append(("commanders", JOIN.join(rec["commanders"])))
    if rec.get("status") or rec.get("status_date"):  # the latest progress record (whodoes.records)
        items.append(("status", f"{rec.get('status') or _('no status')} ({rec.get('status_date')})"))
    line = str(rec.get("line") or "")
    if rec.get("line_end") and rec.get("line_end") != rec.get("line"):
        line += f"-{rec['line_end']}"
    source = f"{rec.get('source_file') or ''}:{line}"
    if rec.get("location") and rec["location"] != f"line {rec.get('line')}":
        source += f" ({rec['location']})"  # the place in a Word, PDF or spreadsheet file
    items.append(("source", source))
    return items
