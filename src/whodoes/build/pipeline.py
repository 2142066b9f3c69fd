"""Build the database from a folder of sources: the pipeline, one document at a time.

sources -> cleanup -> parse -> units (split, resolve) -> store.  Used by
``scripts/build_db.py`` and ``whodoes build``.

Failure policy (what ``BuildError`` is for).  The database is all-or-nothing:
a source that cannot be read (empty, not text in UTF-8, UTF-16 or
GB18030/GBK, UTF-8 with damaged bytes, unreadable) FAILS the build with a
one-line message naming the file, rather than being skipped with a warning:
a database silently missing a plan would give incomplete answers that look
complete.  So do two files with the same id (stem), a bad metadata.toml or
units file, and a target that cannot be written.  A failed, interrupted
(Ctrl-C) or killed (kill -9) build leaves the previous database byte for byte
as it was (``store.Writer`` writes a temporary file beside it and renames it
into place only after an integrity check).

Warnings (the build goes on): a source that yields no task rows, a document
whose jurisdiction is unknown.  Notes: a source not in UTF-8 (its encoding is
also kept in ``documents.encoding`` and shown by ``whodoes docs --verbose``).

Memory: one document at a time; what is kept across documents is small and
bounded (per-document counts, the set of characters seen, the unit ids).
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from whodoes.build.cleanup import CJK, to_simplified
from whodoes.build.document.load import read_plan
from whodoes.build.infer import infer_metadata
from whodoes.build.parse.document import parse_document
from whodoes.build.sources import load_metadata, parse_period, source_files, SourceError
from whodoes.build.store import StoreError, Writer

META_KEYS = ("title", "issuer", "jurisdiction", "doc_number", "date", "period_note", "original")
MAX_SIZE = 50 * 1024 * 1024  # bytes a source may have (--max-size): a plan is a few hundred KB


class BuildError(Exception):
    """A build that cannot go on; the message names the file and the problem, and says
    that the previous database is unchanged (or that none was written)."""


@dataclass
class DocReport:
    id: str
    rows: int
    encoding: str
    traditional: bool
    layouts: list[str]
    inferred: bool


@dataclass
class BuildReport:
    out: Path
    documents: list[DocReport] = field(default_factory=list)
    rows: int = 0
    bytes: int = 0
    units: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "x.txt: read as gb18030"
    interrupted: BaseException | None = None  # whodoes add: Ctrl-C/SIGTERM that came during its commit


def _unknown_units(name: str, rows, catalog, jurisdiction: str) -> list[str]:
    """One warning for the rows whose unit names the catalogue knows none of (groups such as
    相关部门 aside): a person should check them (a misread cell, or units to add to data/units.toml)."""
    from whodoes.build.units.catalog import is_collective

    unknown = []
    for r in rows:
        names = [n for n in r.lead + r.support if not is_collective(n)]
        if names and all(catalog.lookup(n, jurisdiction) is None for n in names):
            unknown.append(r)
    if not unknown:
        return []
    first = unknown[0]
    return [f"{name}: {len(unknown)} rows name only units the unit catalogue does not know "
            f"(first at line {first.line}: {'、'.join(first.lead + first.support)})"]


def default_units_file(sources: Path) -> Path | None:
    """data/units.toml beside the sources folder (data/sources -> data/units.toml)."""
    for candidate in (Path(sources) / "units.toml", Path(sources).parent / "units.toml"):
        if candidate.is_file():
            return candidate
    from whodoes.paths import checkout_root

    root = checkout_root()
    if root and (root / "data" / "units.toml").is_file():
        return root / "data" / "units.toml"
    return None


def build(
    sources: Path,
    out: Path,
    units_file: Path | None = None,
    on_document: Callable[[str, int, int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    shipped: Path | None = None,
    *,
    force: bool = False,
    max_size: int = MAX_SIZE,
    on_wait: Callable[[str], None] | None = None,
    staged: Path | None = None,
    before_install: Callable[[Path], None] | None = None,
) -> BuildReport:
    """Build ``out`` from the plan files of ``sources``; returns what was done.

    ``shipped``: a second folder of plans built in too (the user's database: the shipped
    plans plus their own, see whodoes.paths); its documents' digest is kept in
    ``build_info`` (``base_digest``) so that a changed shipped folder can be noticed.

    ``on_start(n_files)`` and ``on_document(doc_id, rows, index)`` report progress.
    Raises ``BuildError`` (one line, naming the file) when the build cannot be done; then,
    as on KeyboardInterrupt, the previous ``out`` is unchanged (see the module docstring).
    ``out`` must be a whodoes database or new (``check_out``; ``force`` replaces any
    regular file); a source over ``max_size`` bytes fails the build.  The build holds the
    sources folder's lock (``whodoes.build.transaction``; ``on_wait(message)`` when it waits for
    another add or build), and completes or undoes what an interrupted ``add`` left.
    ``staged`` and ``before_install`` are ``whodoes add``'s: plan files and metadata.toml
    read over those of ``sources``, and a call just before the new database is renamed.
    """
    from whodoes.build.transaction import LockError, locked

    out = Path(out)
    sources = Path(sources)
    check_out(out, force)
    steps = (on_document, on_start, shipped, max_size, staged, before_install)
    try:
        if not sources.is_dir():  # said by _build
            return _build(sources, out, units_file, *steps, notes=[])
        with locked(sources, on_wait=on_wait, required=False) as notes:
            return _build(sources, out, units_file, *steps, notes=notes)
    except LockError as e:
        raise BuildError(f"{e}; {unchanged(out)}") from None
    except BuildError as e:
        raise BuildError(f"{e}; {unchanged(out)}") from None
    except StoreError as e:
        raise BuildError(f"{e}; {unchanged(out)}") from None
    except sqlite3.Error as e:
        raise BuildError(f"cannot write the new database beside {out}: {e}; {unchanged(out)}") from None
    except OSError as e:
        where = f" {e.filename}" if e.filename else ""
        raise BuildError(f"cannot write{where}: {e.strerror or e}; {unchanged(out)}") from None


def unchanged(out: Path) -> str:
    """What a failed build leaves: 'the previous database is unchanged' or 'no database was written'."""
    return f"the previous database {out} is unchanged" if os.path.isfile(out) else "no database was written"


def check_out(out: Path, force: bool = False) -> None:
    """BuildError unless ``out`` is new, empty, or a whodoes database (``force``: any regular
    file).  Never a folder, FIFO or device.  Symlinks are followed (the file they name is
    the one replaced)."""
    from whodoes.paths import special_kind

    real = os.path.realpath(out)
    try:
        info = os.stat(real)
    except OSError:
        return  # new (a missing folder is made by the store, an impossible path said there)
    if stat.S_ISDIR(info.st_mode):
        raise BuildError(f"{out} is a folder; give the path of the .sqlite file to write")
    if not stat.S_ISREG(info.st_mode):
        raise BuildError(f"{out} is {special_kind(info.st_mode)}; give the path of the .sqlite file to write")
    if force or info.st_size == 0:
        return
    what = _database_kind(real)
    if what is not None:
        shown = f"{out} (-> {real})" if real != os.path.abspath(out) else str(out)
        raise BuildError(f"{shown} exists and is {what}, not a whodoes database; not overwriting it "
                         "(choose another path, or give --force to replace it)")


def _database_kind(path: str) -> str | None:
    """None for a whodoes database (or an SQLite file too damaged to tell), else what the
    file is instead."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as e:
        return f"unreadable ({e.strerror})"
    if head != b"SQLite format 3\x00":
        return "not an SQLite database"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        finally:
            conn.close()
    except (sqlite3.Error, UnicodeDecodeError):
        return None  # a damaged database (ours, most likely: "rebuild it" is what whodoes says of it)
    return None if {"documents", "tasks"} <= names else "another application's SQLite database"


def _refuse_special(folder: Path) -> None:
    """A FIFO, device or socket named as a plan fails the build (reading it would block or
    never end)."""
    from whodoes.paths import special_kind
    from whodoes.build.sources import SOURCE_SUFFIXES

    if not folder.is_dir():
        return  # source_files says so
    try:
        for p in folder.iterdir():
            if p.suffix.lower() in SOURCE_SUFFIXES and not p.name.startswith("."):
                mode = os.stat(p).st_mode if p.exists() else 0
                if mode and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
                    raise BuildError(f"{p.name} in {folder} is {special_kind(mode)}, not a plan file; remove it")
    except OSError as e:
        raise BuildError(f"{folder}: cannot list the folder: {e.strerror}") from None


def _plan_files(folders: list[Path], staged: Path | None = None) -> tuple[list[Path], dict[Path, dict]]:
    """The plan files of the folders, in name order, and each file's metadata.toml entry.
    ``staged`` (whodoes add's) lies over the last folder: its files and its metadata.toml
    are read instead of that folder's."""
    files: list[Path] = []
    metadata: dict[Path, dict] = {}
    try:
        for folder in folders:
            _refuse_special(folder)
            over = staged if staged is not None and folder == folders[-1] else None
            meta_from = over if over is not None and (over / "metadata.toml").exists() else folder
            entries = load_metadata(meta_from)
            found = source_files(folder)
            if over is not None:
                extra = source_files(over)
                names = {p.name for p in extra}
                found = [p for p in found if p.name not in names] + extra
            for path in found:
                files.append(path)
                if path.name in entries:
                    metadata[path] = entries[path.name]
    except SourceError as e:
        raise BuildError(str(e)) from None
    files.sort(key=lambda p: (p.name, str(p)))
    by_id: dict[str, Path] = {}
    for path in files:
        if path.stem in by_id:
            raise BuildError(f"{by_id[path.stem]} and {path} would both be document {path.stem!r}; rename one")
        by_id[path.stem] = path
    return files, metadata


def folder_label(folder: Path, out: Path) -> str:
    """Where a document's file is, as kept in ``documents.folder``: relative to the database's
    folder when under it ("sources"), else absolute (the shipped plans, seen from the user's
    database)."""
    folder = Path(os.path.realpath(folder))
    base = Path(os.path.realpath(out)).parent
    try:
        return folder.relative_to(base).as_posix()
    except ValueError:
        return str(folder)


def digest(docs: list[tuple[str, str]], units_file: Path | None) -> str:
    """What a set of plans is: every (file, sha256) and the units file's sha256, and that of
    the bodies.toml beside it (not the
    version of whodoes, kept apart in ``build_info.whodoes``).  The user's database keeps
    the digest of the shipped plans it was built with; whodoes.build.userdata compares it with
    the shipped database's own."""
    import hashlib

    h = hashlib.sha256()
    for name, sha in sorted(docs):
        h.update(f"{name} {sha}\n".encode())
    if units_file is not None and Path(units_file).is_file():
        h.update(hashlib.sha256(Path(units_file).read_bytes()).hexdigest().encode())
        bodies = Path(units_file).parent / "bodies.toml"  # the general catalogue read beside it
        if bodies.is_file():
            h.update(hashlib.sha256(bodies.read_bytes()).hexdigest().encode())
    return h.hexdigest()


def annotate(rows: list, first_year: int | None, document_id: str) -> list[dict]:
    """Per row: level, project (the uid of its key project), due, due_kind, deadline_text."""
    from whodoes.build.deadlines import deadline_of
    from whodoes.build.levels import project_links, row_levels
    from whodoes.build.store import task_uid

    levels = row_levels(rows)
    links = project_links(rows, levels)
    out = []
    for r, level, link in zip(rows, levels, links):
        d = deadline_of(r.deadline, r.text, first_year)
        out.append({"level": level, "project": task_uid(document_id, link + 1) if link is not None else None,
                    "due": d.due, "due_kind": d.kind, "deadline_text": d.text})
    return out


def _build(sources: Path, out: Path, units_file, on_document, on_start, shipped=None, max_size=MAX_SIZE,
           staged=None, before_install=None, notes=()) -> BuildReport:
    from whodoes.build.units.catalog import Catalog, CatalogError, pinyin_keys

    started = time.perf_counter()
    folders = [Path(shipped), sources] if shipped is not None else [sources]
    files, metadata = _plan_files(folders, staged)
    if not files:
        raise BuildError(f"{sources}: no plan files (.txt, .md, .docx, .pdf, .html, .xlsx ...) to build from")
    if os.path.isdir(out):
        raise BuildError(f"{out} is a folder; give the path of the .sqlite file to write")
    units_file = units_file or default_units_file(folders[0])
    try:
        catalog = Catalog.load(units_file) if units_file else Catalog(jurisdictions={}, units=[])
    except CatalogError as e:
        raise BuildError(str(e)) from None

    report = BuildReport(out=out)
    report.notes.extend(notes)
    base_docs: list[tuple[str, str]] = []
    seen_chars: set[str] = set()
    unit_ids: dict[str, int] = {}

    def resolve(name: str, jurisdiction: str | None) -> int:
        unit = catalog.resolve(name, jurisdiction or "")
        if unit.key not in unit_ids:
            unit_ids[unit.key] = len(unit_ids) + 1
        return unit_ids[unit.key]

    if on_start:
        on_start(len(files))
    with Writer(out) as writer:
        for index, path in enumerate(files, 1):
            check_size(path, max_size)
            home = sources if staged is not None and path.parent == Path(staged) else path.parent
            try:
                plan = read_plan(path, metadata.get(path))
            except SourceError as e:
                raise BuildError(str(e)) from None
            src, lines, traditional = plan.source, plan.prepared.lines, plan.prepared.traditional
            parsed = parse_document(lines, plan.prepared.tables)
            for r in parsed.rows:
                r.location = plan.prepared.locations.get(r.line)
            meta = infer_metadata(lines, {**plan.document.metadata, **src.meta})
            inferred = path not in metadata
            if not meta.get("jurisdiction"):
                report.warnings.append(f"{path.name}: jurisdiction unknown; give it in metadata.toml or with whodoes add --jurisdiction")
            start, end = parse_period(meta.get("period"))
            doc = {k: meta.get(k) for k in META_KEYS}
            doc.update(
                id=src.id, file=path.name, sha256=src.sha256, period_start=start, period_end=end,
                encoding=src.encoding or src.format, layouts=parsed.layouts, folder=folder_label(home, out),
            )
            if home == folders[0]:
                base_docs.append((path.name, src.sha256))
            if traditional:
                doc["layouts"] = ["traditional Chinese, converted to simplified"] + parsed.layouts
            report.warnings += [f"{path.name}: {w}" for w in parsed.warnings]
            report.warnings += _unknown_units(path.name, parsed.rows, catalog, meta.get("jurisdiction") or "")
            first_year = start or (int(meta["date"][:4]) if str(meta.get("date") or "")[:4].isdigit() else None)
            own_spans(parsed.rows)
            writer.add_document(doc, parsed.rows, resolve, annotate(parsed.rows, first_year, src.id))
            for r in parsed.rows:
                seen_chars.update(r.text)
                for n in r.lead + r.support:
                    seen_chars.update(n)
            if traditional:
                seen_chars.update(c for ln in lines for c in ln.raw if "\u3400" <= c <= "\u9fff")
            report.documents.append(
                DocReport(src.id, len(parsed.rows), src.encoding, traditional, doc["layouts"], inferred)
            )
            if src.encoding not in ("utf-8", ""):
                report.notes.append(f"{path.name}: read as {src.encoding}")
            if not parsed.rows:
                report.warnings.append(f"{path.name}: no task rows found ({'; '.join(parsed.layouts)})")
            report.rows += len(parsed.rows)
            report.bytes += len(src.data)
            if on_document:
                on_document(src.id, len(parsed.rows), index)

        units, names = [], []
        for unit in catalog.units():
            if unit.key not in unit_ids:
                unit_ids[unit.key] = len(unit_ids) + 1
            uid = unit_ids[unit.key]
            units.append(
                {"id": uid, "key": unit.key, "name": unit.name, "jurisdiction": unit.jurisdiction,
                 "kind": unit.kind, "type": unit.type, "curated": int(unit.curated), "note": unit.note}
            )
            for entry in unit.names:
                full, initials = pinyin_keys(entry.name)
                names.append(
                    {"name": entry.name, "unit_id": uid, "jurisdiction": unit.jurisdiction, "how": entry.how,
                     "year": entry.year, "change": entry.change, "reason": entry.reason,
                     "pinyin": full, "initials": initials}
                )
                seen_chars.update(entry.name)
        units.sort(key=lambda u: u["id"])
        writer.add_units(units, names)
        writer.add_bodies(*_bodies_rows(catalog))
        seen_chars.update(c for n in catalog.bodies.type_names() for c in n.name)
        writer.add_chars(_traditional_forms(seen_chars))
        from whodoes import __version__

        writer.add_info({"whodoes": __version__, "base_digest": digest(base_docs, units_file),
                         "base_folder": folder_label(folders[0], out)})
        report.units = len(units)
        writer.commit(before_install)
    report.seconds = time.perf_counter() - started
    return report


def _bodies_rows(catalog) -> tuple[list[dict], list[dict], list[dict]]:
    """The rows of body_types, type_names and places for the general catalogue; a place's
    prefixes as data/units.toml gives them where it does (they override)."""
    bodies = catalog.bodies

    types = [{"type": t.type, "full": t.full, "kind": t.kind, "reason": t.reason, "source": t.source}
             for t in bodies.types.values()]
    names = [{"name": n.name, "type": n.type, "how": n.how, "year": n.year, "change": n.change, "reason": n.reason}
             for n in bodies.type_names()]
    places = [{"name": p.name, "kind": p.kind, "parent": p.parent,
               "prefixes": "".join(catalog.jurisdictions.get(p.name, p.prefixes)),
               "short": " ".join(p.short), "reason": p.reason}
              for p in bodies.places.values()]
    places += [{"name": j, "kind": None, "parent": None, "prefixes": "".join(prefixes), "short": "",
                "reason": "a [[jurisdiction]] of data/units.toml"}
               for j, prefixes in catalog.jurisdictions.items() if j not in bodies.places]
    return types, names, places


def _traditional_forms(chars: set[str]) -> dict[str, str]:
    """traditional character -> simplified, for every character of the corpus that has one.

    Stored in the database so that queries typed in traditional characters can be
    converted at query time without OpenCC.
    """
    import opencc

    s2t = opencc.OpenCC("s2t")
    cjk = sorted(c for c in chars if re.match(f"[{CJK}]", c))
    pairs: dict[str, str] = {}
    if not cjk:
        return pairs
    trad = s2t.convert("\n".join(cjk)).split("\n")
    for simp, t in zip(cjk, trad):
        if t != simp and len(t) == 1:
            pairs[t] = simp
    # characters written in traditional form in a source map back by t2s
    for c in cjk:
        s = to_simplified(c)
        if s != c and len(s) == 1:
            pairs[c] = s
    return pairs


def megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.3g} MB"


def check_size(path: Path, max_size: int) -> None:
    """BuildError for a source larger than ``max_size`` bytes (a plan is a few hundred KB;
    a huge file would take minutes and gigabytes, and is most likely not a plan)."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return  # read_source says what is wrong
    if size > max_size:
        raise BuildError(f"{path.name} is {megabytes(size)}, more than the {megabytes(max_size)} a source may have "
                         "(--max-size sets the limit)")


SPAN_SLACK = 24  # characters kept beyond a row's own text and units (labels, brackets, its number)


def own_spans(rows) -> None:
    """Each row's ``source_text`` cut to the row's own part of its line or paragraph.

    The reader gives every row of a paragraph the whole paragraph's raw text; a plan whose
    tasks all stand on one line would store that line once per task (a 1 MB line of 3,000
    tasks: gigabytes).  Here a row keeps its source text when it is at most about twice its
    own text and units (a paragraph and its unit line); else the part from just before
    where its text starts (searched near where the previous row of the same text was
    found, so the whole is linear) to the end of its text and units plus ``SPAN_SLACK``,
    with … where the line goes on."""
    cursor: dict[int, int] = {}
    kept = []  # the original texts stay alive, so that their ids stay theirs
    for r in rows:
        source = r.source_text or ""
        own = _own_length(r)
        limit = 2 * own + 4 * SPAN_SLACK
        if len(source) <= limit:
            continue
        kept.append(source)
        start = cursor.get(id(source), 0)
        key = (r.text or "")[:12]
        found = source.find(key, start, start + limit + len(key)) if key else -1
        if found < 0:  # not found near (the text was cleaned): where the previous row ended
            found = start
            cursor[id(source)] = start + own
        else:
            cursor[id(source)] = found + max(1, len(key))
        end = min(len(source), found + own + SPAN_SLACK)
        begin = max(0, found - SPAN_SLACK // 2)
        r.source_text = ("…" if begin else "") + source[begin:end] + ("…" if end < len(source) else "")


def _own_length(row) -> int:
    """Characters of what a row says: its texts, units, targets, deadline, commanders."""
    texts = [row.text, row.detail, row.title, row.category, row.seq, row.lead_raw, row.support_raw, row.deadline]
    n = sum(len(t) for t in texts if isinstance(t, str))
    n += sum(len(str(v)) + 8 for v in (row.targets or {}).values())
    return n + sum(len(str(c)) for c in (row.commanders or ()))
