"""Output formats: which one to write, and the flat ones (csv, tsv, json, jsonl, markdown).

Rows are dicts (whodoes.query.api).  Flat formats (csv, tsv, markdown, xlsx) take a list of
column keys; list values are joined with 、, dict values written as JSON (``cell``).
json/jsonl write the dicts as they are (lists stay lists).  ``write`` hands ``table`` to
whodoes.output.termtable (rich) and ``xlsx`` to whodoes.output.xlsx (xlsxwriter), imported only then.
json is imported only by the formats that need it; csv is written by hand.
"""

from __future__ import annotations

import os
import sys

from whodoes.errors import RenderError
from whodoes.output.cells import JOIN, cell, detail_items, display_width  # noqa: F401  (re-exported)

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
BOM = "\ufeff"


def check_format(fmt: str | None) -> str | None:
    """Normalise a --format value; None stays None (choose by destination)."""
    if fmt is None:
        return None
    f = str(fmt).strip().lower()
    f = {"md": "markdown", "ndjson": "jsonl", "excel": "xlsx", "text": "table", "word": "docx"}.get(f, f)
    if f not in FORMATS:
        from whodoes.errors import UsageError

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
            from whodoes.errors import UsageError

            raise UsageError(
                f"--format {f} and -o {output} disagree: the file's extension says {EXTENSIONS[ext]}; "
                f"drop --format, or name the file .{'md' if f == 'markdown' else f}"
            )
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
    from whodoes.errors import DataError
    from whodoes.query.db import REBUILD_HINT

    if isinstance(value, (bytes, bytearray, memoryview)):
        raise DataError(
            f"the database holds binary data (a BLOB of {len(bytes(value))} bytes) where text belongs; {REBUILD_HINT}"
        )
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
        out.write(
            json.dumps({k: r.get(k) for k in keys} if keys else r, ensure_ascii=False, default=json_default) + "\n"
        )


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
        from whodoes.output.xlsx import write_xlsx

        write_xlsx(rows, columns, path, headers=headers, title=heading)
    elif fmt == "table":
        from whodoes.output.termtable import write_table

        write_table(rows, columns, out, headers=headers, heading=heading, table=table)
    else:  # pragma: no cover - check_format guards
        raise RenderError(f"unknown format {fmt!r}")
