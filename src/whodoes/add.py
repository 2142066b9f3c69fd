"""``whodoes add FILE...``: put new plans into the sources folder and rebuild.

For each file:

1. check it: a readable text file (.txt, .md, .text) whose name is not taken by a
   different file in the sources folder (same bytes: already there, nothing to copy);
2. infer what it is (``whodoes.infer.infer_metadata``: title from the heading lines,
   jurisdiction from the title or issuing body, period from the title or the date);
   options given override what is inferred;
3. copy it byte for byte into the sources folder and write (or extend) its entry in
   the folder's metadata.toml, saying which values were inferred;

then rebuild the database (``whodoes.build.build``).  If anything fails, the copied
files are removed again and metadata.toml is restored, so nothing is half-added; the
store keeps the old database when a build fails.

Build path: imports the sources, cleanup, infer and build modules.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from whodoes.db import DataError, UsageError
from whodoes.sources import METADATA_FILE, SOURCE_SUFFIXES, SourceError, load_metadata, parse_period, read_source

# the metadata keys whodoes add writes, in this order (other keys of an entry are kept after them)
KEYS = ("file", "title", "issuer", "jurisdiction", "doc_number", "date", "period", "period_note", "original")
INFERRED_KEYS = ("title", "issuer", "jurisdiction", "doc_number", "date", "period")
HOW = {
    "title": "from the heading lines",
    "issuer": "from the text (issuing body)",
    "jurisdiction": "from the title or issuing body",
    "doc_number": "from the heading lines",
    "date": "from the date of issue printed in the text",
}


@dataclass
class Added:
    """One file of ``whodoes add``: where it went and what is known about it."""

    source: Path  # the file given
    target: Path  # its copy in the sources folder
    sha256: str
    copied: bool  # False: an identical file was already there
    meta: dict  # the metadata.toml entry written
    how: dict = field(default_factory=dict)  # key -> "given" | "metadata.toml" | "inferred ..."
    rows: int | None = None  # task rows found by the build
    existing: bool = False  # metadata.toml already had an entry for the file

    @property
    def id(self) -> str:
        return self.target.stem

    @property
    def inferred(self) -> list[str]:
        return [k for k, v in self.how.items() if v.startswith("inferred")]


# ----------------------------------------------------------------------------------------------
# metadata.toml


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # a TOML basic string: JSON's escapes (\" \\ \n \uXXXX) are TOML's too
    return json.dumps(str(value), ensure_ascii=False)


def entry_text(meta: dict, comment: str | None = None) -> str:
    """One ``[[document]]`` table of metadata.toml."""
    lines = []
    if comment:
        lines += [f"# {line}" for line in comment.splitlines()]
    lines.append("[[document]]")
    keys = [k for k in KEYS if meta.get(k) not in (None, "")]
    keys += [k for k in meta if k not in KEYS and meta[k] not in (None, "") and not isinstance(meta[k], dict)]
    for k in keys:
        lines.append(f"{k} = {_toml_value(meta[k])}")
    return "\n".join(lines) + "\n"


def _blocks(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The lines of metadata.toml and the (start, end) line spans of its [[document]] tables;
    comment and blank lines just above a table belong to it."""
    lines = text.splitlines(keepends=True)
    heads = [i for i, ln in enumerate(lines) if ln.strip() == "[[document]]"]
    spans = []
    for n, h in enumerate(heads):
        start = h
        while start > (heads[n - 1] + 1 if n else 0) and lines[start - 1].strip().startswith("#"):
            start -= 1
        spans.append(start)
    out = []
    for n, start in enumerate(spans):
        end = spans[n + 1] if n + 1 < len(spans) else len(lines)
        out.append((start, end))
    return lines, out


def write_entries(path: Path, entries: list[tuple[dict, str]]) -> None:
    """Add or replace the ``[[document]]`` entries of ``path`` (created when missing): an
    entry whose ``file`` is already there is replaced in place, others are appended."""
    text = path.read_text(encoding="utf-8") if path.exists() else (
        "# What each source plan is: one [[document]] per file of this folder (see whodoes add --help).\n"
    )
    lines, spans = _blocks(text)
    replaced: set[str] = set()
    by_file = {meta["file"]: (meta, comment) for meta, comment in entries}
    pieces: list[str] = []
    pos = 0
    for start, end in spans:
        block = "".join(lines[start:end])
        try:
            doc = tomllib.loads(block)
            name = (doc.get("document") or [{}])[0].get("file")
        except tomllib.TOMLDecodeError:
            name = None
        if name in by_file and name not in replaced:
            pieces.append("".join(lines[pos:start]))
            meta, comment = by_file[name]
            old_comment: list[str] = []  # the comment above the old entry is kept
            for ln in lines[start:end]:
                if ln.strip() == "[[document]]":
                    break
                if ln.strip().startswith("#"):
                    old_comment.append(ln.strip()[1:].strip())
            comment = "\n".join(dict.fromkeys([*old_comment, *([comment] if comment else [])])) or None
            trailing = "\n" if block.endswith("\n\n") else ""
            pieces.append(entry_text(meta, comment) + trailing)
            replaced.add(name)
            pos = end
    pieces.append("".join(lines[pos:]))
    new = "".join(pieces)
    for meta, comment in entries:
        if meta["file"] not in replaced:
            if not new.endswith("\n"):
                new += "\n"
            if not new.endswith("\n\n"):
                new += "\n"
            new += entry_text(meta, comment)
    tomllib.loads(new)  # never write a file the build cannot read
    tmp = path.with_name(f".{path.name}.whodoes-add.tmp")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------------
# checking and inferring


def _period(value: str | None) -> str | None:
    if value is None:
        return None
    start, end = parse_period(value)
    if start is None:
        raise UsageError(f"--period must be years such as 2022-2025, not {str(value)[:40]!r}")
    if end < start:
        raise UsageError(f"--period {value}: the end year comes before the start year")
    return f"{start}-{end}"


def _period_how(note: str | None) -> str:
    for part in (note or "").split("; "):
        if part.startswith("period "):
            return part[len("period "):].replace("inferred: ", "").replace("inferred ", "")
    return "from the text"


def prepare(files: list[str], sources: Path, *, title: str | None = None, jurisdiction: str | None = None,
            period: str | None = None) -> list[Added]:
    """Check the files and infer their metadata; nothing is written yet."""
    from whodoes.cleanup import clean_lines
    from whodoes.infer import infer_metadata

    if not files:
        raise UsageError("give at least one plan file: whodoes add FILE...")
    if not sources.is_dir():
        raise UsageError(f"sources folder not found: {sources}")
    if title is not None and len(files) > 1:
        raise UsageError("--title names one document: add the files one at a time to give each its title")
    given = {k: v.strip() for k, v in (("title", title), ("jurisdiction", jurisdiction)) if v is not None and v.strip()}
    if period is not None:
        given["period"] = _period(period)
    try:
        existing = load_metadata(sources)
    except SourceError as e:
        raise DataError(str(e)) from None
    present = {p.stem: p.name for p in sources.iterdir() if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES}
    out: list[Added] = []
    names: set[str] = set()
    for f in files:
        src = Path(f)
        if not src.is_file():
            raise UsageError(f"{f}: no such file")
        if src.suffix.lower() not in SOURCE_SUFFIXES:
            raise UsageError(f"{src.name}: a plan must be a text file ending {', '.join(sorted(SOURCE_SUFFIXES))}")
        if src.name.startswith("."):
            raise UsageError(f"{src.name}: hidden files are not read by the build; rename it")
        if src.name in names or src.stem in {Path(n).stem for n in names}:
            raise UsageError(f"{src.name}: given twice (or two files with the same name)")
        names.add(src.name)
        target = sources / src.name
        try:
            data = src.read_bytes()
        except OSError as e:
            raise UsageError(f"{f}: cannot read: {e.strerror}") from None
        copied = True
        if target.exists():
            if target.read_bytes() != data:
                raise UsageError(f"{target} exists and differs from {f}: not overwriting it "
                                 "(rename the new file, or remove the old one first)")
            copied = False
        elif src.stem in present:
            raise UsageError(f"{src.name}: the document id {src.stem!r} is taken by {present[src.stem]}; rename the file")
        try:
            source = read_source(src)
        except SourceError as e:
            raise UsageError(str(e)) from None
        lines, _traditional = clean_lines(source.text)
        old = dict(existing.get(src.name, {}))
        known = {**{k: v for k, v in old.items() if v not in (None, "")}, **given}
        meta = infer_metadata(lines, known)
        how = {}
        for k in INFERRED_KEYS:
            if k in given:
                how[k] = "given"
            elif old.get(k) not in (None, ""):
                how[k] = "metadata.toml"
            elif meta.get(k):
                how[k] = "inferred " + (_period_how(meta.get("period_note")) if k == "period" else HOW[k])
        if given and meta.get("period_note"):
            # a value given now replaces an inferred one: drop what the note said about the latter
            parts = [x for x in str(meta["period_note"]).split("; ")
                     if not any(x.startswith(f"{k} inferred") or (k == "period" and x.startswith("period "))
                                for k in given)]
            meta["period_note"] = "; ".join(parts) or None
        meta = {k: v for k, v in meta.items() if v not in (None, "")}
        meta["file"] = src.name
        if "original" not in meta:
            meta["original"] = str(src.resolve())
        out.append(Added(source=src, target=target, sha256=hashlib.sha256(data).hexdigest(), copied=copied,
                         meta=meta, how=how, existing=bool(old)))
    return out


def _comment(item: Added) -> str:
    day = datetime.date.today().isoformat()
    text = f"{'updated' if item.existing else 'added'} with `whodoes add` on {day}"
    given = [k for k, v in item.how.items() if v == "given"]
    if given:
        text += f"; given: {', '.join(given)}"
    if item.inferred:
        text += f"; inferred (check them): {', '.join(item.inferred)}"
    return text


# ----------------------------------------------------------------------------------------------
# adding


def add(files: list[str], sources: Path, db: Path, *, title: str | None = None, jurisdiction: str | None = None,
        period: str | None = None, units: Path | None = None, on_start=None, on_document=None, shipped=None):
    """Copy, describe and rebuild; returns (list[Added], BuildReport).  On any failure
    the sources folder is put back as it was and the old database stays.  ``shipped``: a
    folder of plans built in too (the user's database: the shipped plans plus theirs)."""
    from whodoes.build import BuildError, build

    sources = Path(sources)
    items = prepare(files, sources, title=title, jurisdiction=jurisdiction, period=period)
    meta_path = sources / METADATA_FILE
    before = meta_path.read_bytes() if meta_path.exists() else None
    copied: list[Path] = []
    try:
        for item in items:
            if item.copied:
                tmp = item.target.with_name(f".{item.target.name}.whodoes-add.tmp")
                shutil.copyfile(item.source, tmp)
                if hashlib.sha256(tmp.read_bytes()).hexdigest() != item.sha256:
                    tmp.unlink(missing_ok=True)
                    raise DataError(f"{item.source}: the copy differs from the file (changed while copying?)")
                os.replace(tmp, item.target)
                copied.append(item.target)
        write_entries(meta_path, [(item.meta, _comment(item)) for item in items])
        try:
            report = build(sources, db, units, on_start=on_start, on_document=on_document, shipped=shipped)
        except BuildError as e:
            raise DataError(f"build failed: {e}") from None
    except BaseException as e:
        for path in copied:
            path.unlink(missing_ok=True)
        if before is None:
            meta_path.unlink(missing_ok=True)
        else:
            meta_path.write_bytes(before)
        if isinstance(e, OSError):
            raise DataError(f"cannot add: {e.strerror or e}: {getattr(e, 'filename', '') or ''}".rstrip(": ")) from None
        if isinstance(e, DataError) and copied:
            raise DataError(f"{e}; nothing was added ({', '.join(p.name for p in copied)} removed again)") from None
        raise
    rows = {d.id: d.rows for d in report.documents}
    for item in items:
        item.rows = rows.get(item.id)
    return items, report
