"""``whodoes add FILE...``: put new plans into the sources folder and rebuild.

For each file:

1. check it: a readable plan file (text, Word, PDF, web page, spreadsheet: ``sources.SOURCE_SUFFIXES``)
   whose name is not taken by a
   different file in the sources folder (same bytes: already there, nothing to copy);
2. infer what it is (``whodoes.build.infer.infer_metadata``: title from the heading lines,
   jurisdiction from the title or issuing body, period from the title or the date);
   options given override what is inferred;
3. copy it byte for byte into the sources folder and write (or extend) its entry in
   the folder's metadata.toml, saying which values were inferred;

then rebuild the database (``whodoes.build.pipeline.build``; a big one is patched in place
instead, ``whodoes.build.incremental``, when only new documents change it).  The whole is a transaction on the
sources folder (``whodoes.build.transaction``): under the folder's lock (a second add or build
waits), the files and the new metadata.toml are staged in a hidden folder, the new
database is built from the folder with them, and only then are the files, metadata.toml
and the database put in place, with a journal that the next add or build completes if
this one is killed half-way.  A failure or Ctrl-C/SIGTERM before that point leaves the
folder and the database as they were (the staged files go; nothing else was touched).

What ``add`` refuses, each with one line: a folder, FIFO or device given as a plan; a
file over ``--max-size``; a file name or --title/--jurisdiction that is not UTF-8 text or
holds control characters; ``--db`` naming an existing file that is not a whodoes
database (unless ``--force``).  A symbolic link is followed: its target's bytes are
copied, and the report says that the file was a link and to what.

Build path: imports the sources, cleanup, infer and build modules.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from whodoes.build.sources import (
    METADATA_FILE,
    SOURCE_SUFFIXES,
    SourceError,
    TomlError,
    load_metadata,
    parse_period,
    parse_toml,
)
from whodoes.errors import DataError, UsageError

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
    link: str | None = None  # the file given was a symbolic link to this file

    @property
    def id(self) -> str:
        return self.target.stem

    @property
    def inferred(self) -> list[str]:
        return [k for k, v in self.how.items() if v.startswith("inferred")]


# ----------------------------------------------------------------------------------------------
# metadata.toml


_TOML_CONTROLS = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}  # DEL and C1: JSON leaves them raw, TOML may not


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # a TOML basic string: JSON's escapes (\" \\ \n \uXXXX) are TOML's too
    return json.dumps(str(value), ensure_ascii=False).translate(_TOML_CONTROLS)


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


def _blocks(text: str) -> tuple[list[str], list[tuple[int, int]]]:
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


# a ``file = "..."`` line whose string holds no escape: its text is the value (TOML basic and literal strings)
_PLAIN_FILE = re.compile(r"""^[ \t]*file[ \t]*=[ \t]*(?:"([^"\\\n]*)"|'([^'\n]*)')[ \t]*(?:#.*)?$""", re.M)


_OTHER_TABLE = re.compile(r"^[ \t]*\[(?!\[document\]\])", re.M)  # a table header other than [[document]]


def _file_of(block: str) -> str | None:
    """The ``file`` of one [[document]] table's text (None: it has none, or is not TOML)."""
    found = _PLAIN_FILE.findall(block)
    if len(found) == 1 and not _OTHER_TABLE.search(block):  # the common case, without parsing (10,000 blocks: 4 s)
        return found[0][0] or found[0][1]
    try:
        doc = parse_toml(block)
    except TomlError:
        return None
    name = (doc.get("document") or [{}])[0].get("file")
    return name if isinstance(name, str) else None


def write_entries(path: Path, entries: list[tuple[dict, str | None]], dest: Path | None = None) -> None:
    """Add or replace the ``[[document]]`` entries of ``path`` (created when missing): an
    entry whose ``file`` is already there is replaced in place, others are appended.
    Written to ``dest`` (default: ``path`` itself, through a temporary file).  A byte-order
    mark is read as the build reads it, and not written back."""
    try:
        text = (
            path.read_text(encoding="utf-8-sig")
            if path.exists()
            else ("# What each source plan is: one [[document]] per file of this folder (see whodoes add --help).\n")
        )
    except UnicodeDecodeError:
        raise DataError(f"{path} is not UTF-8 text; save it as UTF-8 and add again") from None
    lines, spans = _blocks(text)
    replaced: set[str] = set()
    by_file = {meta["file"]: (meta, comment) for meta, comment in entries}
    pieces: list[str] = []
    pos = 0
    for start, end in spans:
        block = "".join(lines[start:end])
        name = _file_of(block)
        if name is not None and name in by_file and name not in replaced:
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
    try:
        parse_toml(new)  # never write a file the build cannot read
    except TomlError as e:
        raise DataError(f"{path}: cannot add the entries: {e}") from None
    if dest is not None:
        dest.write_text(new, encoding="utf-8")
        return
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
    if end is not None and end < start:
        raise UsageError(f"--period {value}: the end year comes before the start year")
    return f"{start}-{end}"


def _period_how(note: str | None) -> str:
    for part in (note or "").split("; "):
        if part.startswith("period "):
            return part[len("period ") :].replace("inferred: ", "").replace("inferred ", "")
    return "from the text"


def _plain_text(value: str, what: str) -> str:
    """``value`` when it is UTF-8 text without control characters, else UsageError."""
    from whodoes.textsafe import has_control, one_line

    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise UsageError(
            f"{what} {shown[:80]!r} is not valid UTF-8 text (a terminal or file name in another "
            "encoding?); give it in UTF-8"
        ) from None
    if has_control(value):
        raise UsageError(f"{what} {one_line(value)[:80]!r} holds a control character; give plain text")
    return value


def check_plan_file(given: str, max_size: int) -> str | None:
    """UsageError unless ``given`` names a plan file that can be read (a regular file, through
    a symbolic link too, of at most ``max_size`` bytes); returns a link's target, else None."""
    from whodoes.build.pipeline import megabytes
    from whodoes.paths import special_kind

    _plain_text(Path(given).name, "the file name")
    try:
        info = os.stat(given)
    except FileNotFoundError:
        gone = os.path.islink(given)
        raise UsageError(f"{given}: {'a symbolic link to a missing file' if gone else 'no such file'}") from None
    except OSError as e:
        raise UsageError(f"{given}: cannot read: {e.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{given} is a folder; give the plan files in it (whodoes add {given.rstrip('/')}/*.txt)")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{given} is {special_kind(info.st_mode)}, not a plan file")
    if info.st_size > max_size:
        raise UsageError(
            f"{given} is {megabytes(info.st_size)}, more than the {megabytes(max_size)} a source may have "
            "(--max-size sets the limit)"
        )
    return os.path.realpath(given) if os.path.islink(given) else None


def _checked_new_file(f: str, sources: Path, names: set[str], present: dict[str, str], max_size: int):
    """One file given to ``add``, checked before anything is written: (link, target in the
    sources, its bytes, whether it is copied); UsageError naming what is wrong."""
    src = Path(f)
    link = check_plan_file(f, max_size)
    if src.suffix.lower() not in SOURCE_SUFFIXES:
        raise UsageError(f"{src.name}: a plan must be a file ending {', '.join(sorted(SOURCE_SUFFIXES))}")
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
            raise UsageError(
                f"{target} exists and differs from {f}: not overwriting it "
                "(rename the new file, or remove the old one first)"
            )
        copied = False
    elif src.stem in present:
        raise UsageError(f"{src.name}: the document id {src.stem!r} is taken by {present[src.stem]}; rename the file")
    return link, target, data, copied


def prepare(
    files: list[str],
    sources: Path,
    *,
    title: str | None = None,
    jurisdiction: str | None = None,
    period: str | None = None,
    max_size: int | None = None,
    units: Path | None = None,
) -> list[Added]:
    """Check the files and infer their metadata as the build will; nothing is written yet."""
    from whodoes.build.document.load import read_plan
    from whodoes.build.pipeline import MAX_SIZE

    max_size = MAX_SIZE if max_size is None else max_size
    if not files:
        raise UsageError("give at least one plan file: whodoes add FILE...")
    if not sources.is_dir():
        raise UsageError(f"sources folder not found: {sources}")
    if title is not None and len(files) > 1:
        raise UsageError("--title names one document: add the files one at a time to give each its title")
    given: dict[str, str | None] = {
        k: _plain_text(v, f"--{k}").strip()
        for k, v in (("title", title), ("jurisdiction", jurisdiction))
        if v is not None and v.strip()
    }
    if period is not None:
        given["period"] = _period(period)
    try:
        existing = load_metadata(sources)
    except SourceError as e:
        raise DataError(str(e)) from None
    present = {p.stem: p.name for p in sources.iterdir() if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES}
    out: list[Added] = []
    names: set[str] = set()
    places = _known_places(sources, units)
    for f in files:
        src = Path(f)
        link, target, data, copied = _checked_new_file(f, sources, names, present, max_size)
        try:
            plan = read_plan(src)
        except SourceError as e:
            raise UsageError(str(e)) from None
        old = dict(existing.get(src.name, {}))
        known = {**plan.document.metadata, **{k: v for k, v in old.items() if v not in (None, "")}, **given}
        meta = _infer(plan, known, places)
        how = {}
        for k in INFERRED_KEYS:
            if k in given:
                how[k] = "given"
            elif old.get(k) not in (None, ""):
                how[k] = "metadata.toml"
            elif plan.document.metadata.get(k):
                how[k] = "inferred from the file's own metadata"
            elif meta.get(k):
                how[k] = "inferred " + (
                    _period_how(meta.get("period_note"))
                    if k == "period"
                    else _jurisdiction_how(meta.get("period_note"))
                    if k == "jurisdiction"
                    else HOW[k]
                )
        if given and meta.get("period_note"):
            # a value given now replaces an inferred one: drop what the note said about the latter
            parts = [
                x
                for x in str(meta["period_note"]).split("; ")
                if not any(x.startswith(f"{k} inferred") or (k == "period" and x.startswith("period ")) for k in given)
            ]
            meta["period_note"] = "; ".join(parts) or None
        meta = {k: v for k, v in meta.items() if v not in (None, "")}
        meta["file"] = src.name
        if "original" not in meta:
            meta["original"] = str(src.resolve())
        out.append(
            Added(
                source=src,
                target=target,
                sha256=hashlib.sha256(data).hexdigest(),
                copied=copied,
                meta=meta,
                how=how,
                existing=bool(old),
                link=link,
            )
        )
    return out


def _known_places(sources: Path, units: Path | None) -> dict | None:
    """The jurisdictions of data/bodies.toml, to read a plan's jurisdiction from its markers as
    the build does (None when the catalogue cannot be read: the build says why)."""
    from whodoes.build.parsed import places_of
    from whodoes.build.pipeline import bodies_file, default_units_file
    from whodoes.build.units.bodies import BodiesError

    try:
        return places_of(bodies_file(units or default_units_file(sources))) or None
    except BodiesError:
        return None


def _infer(plan, known: dict, places: dict | None) -> dict:
    """The plan's metadata inferred as the build infers it (with the unit names it writes,
    read only when the jurisdiction is still to be found)."""
    from whodoes.build.infer import infer_metadata
    from whodoes.build.parse.document import parse_document

    lines = plan.prepared.lines
    names = None
    if places and not known.get("jurisdiction"):
        rows = parse_document(lines, plan.prepared.tables).rows
        names = [n for r in rows for n in r.lead + r.support]
    return infer_metadata(lines, known, places, names)


def _jurisdiction_how(note: str | None) -> str:
    """How the jurisdiction was found when a marker gave it (the note infer_metadata leaves:
    from the document number ...), else from the title or issuing body."""
    found = [x for x in str(note or "").split("; ") if x.startswith("jurisdiction inferred ")]
    marker = found[0].removeprefix("jurisdiction inferred ") if found else ""
    return marker if marker and "issuer or the title" not in marker else HOW["jurisdiction"]


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


def add(
    files: list[str],
    sources: Path,
    db: Path,
    *,
    title: str | None = None,
    jurisdiction: str | None = None,
    period: str | None = None,
    units: Path | None = None,
    on_start=None,
    on_document=None,
    shipped=None,
    on_wait=None,
    force: bool = False,
    max_size: int | None = None,
):
    """Copy, describe and rebuild, as one transaction (see the module docstring); returns
    (list[Added], BuildReport).  On any failure before the commit the sources folder and
    the database stay as they were.  A Ctrl-C or SIGTERM during the commit waits for it:
    the plan is added and the interrupt is in ``report.interrupted`` (the CLI exits 130/143).
    ``shipped``: a folder of plans built in too (the user's database: the shipped plans
    plus theirs)."""
    from whodoes.build import transaction
    from whodoes.build.pipeline import BuildError, check_out

    sources = Path(sources)
    try:
        check_out(Path(db), force)
    except BuildError as e:
        raise UsageError(str(e).replace("--force", "--force (whodoes add --force)")) from None
    if not sources.is_dir():
        raise UsageError(f"sources folder not found: {sources}")
    try:
        with transaction.locked(sources, on_wait=on_wait) as notes:
            items = prepare(
                files, sources, title=title, jurisdiction=jurisdiction, period=period, max_size=max_size, units=units
            )
            report = _add_locked(items, sources, Path(db), units, on_start, on_document, max_size, shipped)
    except transaction.LockError as e:
        raise DataError(str(e)) from None
    report.notes[:0] = notes
    rows = {d.id: d.rows for d in report.documents}
    for item in items:
        item.rows = rows.get(item.id)
    return items, report


def _stage(items: list[Added], sources: Path, staging: Path) -> None:
    """The new files and the new metadata.toml, into the staging folder."""
    for item in items:
        if not item.copied:
            continue
        staged = staging / item.target.name
        try:
            shutil.copyfile(item.source, staged)
        except OSError as e:
            raise DataError(f"cannot copy {item.source} into {sources}: {e.strerror or e}") from None
        if hashlib.sha256(staged.read_bytes()).hexdigest() != item.sha256:
            raise DataError(f"{item.source}: the copy differs from the file (changed while copying?)")
    try:
        write_entries(
            sources / METADATA_FILE, [(item.meta, _comment(item)) for item in items], dest=staging / METADATA_FILE
        )
    except OSError as e:
        raise DataError(f"cannot write the new {METADATA_FILE} into {sources}: {e.strerror or e}") from None


def _add_locked(items: list[Added], sources: Path, db: Path, units, on_start, on_document, max_size, shipped=None):
    """Stage, build, commit (the caller holds the folder's lock)."""
    from whodoes.build import transaction
    from whodoes.build.incremental import patch
    from whodoes.build.pipeline import MAX_SIZE, BuildError, build

    names = [item.target.name for item in items if item.copied]
    hold = transaction.SignalHold()

    def before_install(db_tmp: Path) -> None:
        hold.hold()  # from here on the add completes; an interrupt waits for it
        transaction.commit(sources, names, db, db_tmp)

    def before_commit(token: str) -> None:  # an add in place (whodoes.build.incremental)
        hold.hold()
        transaction.journal_in_place(sources, names, db, token)

    staging = transaction.staging_dir(sources)
    limit = MAX_SIZE if max_size is None else max_size
    try:
        _stage(items, sources, staging)
        report = patch(
            sources,
            db,
            units,
            staged=staging,
            shipped=shipped,
            before_commit=before_commit,
            max_size=limit,
            on_start=on_start,
            on_document=on_document,
        )
        if report is not None:
            transaction.roll_forward_files(sources, names)
        else:
            report = build(
                sources,
                db,
                units,
                on_start=on_start,
                on_document=on_document,
                shipped=shipped,
                staged=staging,
                before_install=before_install,
                force=True,
                max_size=limit,
            )
        transaction.finish(sources)
    except BaseException as e:
        began = transaction.committing(sources)  # the journal: the files are (being) put in place
        try:
            if began:
                transaction.recover(sources)  # complete it
            else:
                transaction.abandon(sources)
        finally:
            hold.release()  # never left blocked (a child process would inherit the mask)
        if began:
            if isinstance(e, (BuildError, OSError)):
                raise DataError(
                    f"{e}; the files were added to {sources}, but the database may lack them: run whodoes build"
                ) from None
            raise
        if isinstance(e, BuildError):
            raise DataError(f"build failed: {e}; nothing was added") from None
        if isinstance(e, OSError):
            raise DataError(
                f"cannot add: {e.strerror or e}: {getattr(e, 'filename', '') or ''}".rstrip(": ")
                + "; nothing was added"
            ) from None
        raise
    try:
        hold.release()
    except KeyboardInterrupt as e:  # Ctrl-C or SIGTERM during the commit: delivered now, after it
        report.interrupted = e
    return report
