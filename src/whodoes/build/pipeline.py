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
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from whodoes.build.cleanup import CJK, to_simplified
from whodoes.build.parsed import META_KEYS, annotate, own_spans  # noqa: F401  (also whodoes.build.own_spans ...)
from whodoes.build.sources import SourceError, load_metadata, source_files
from whodoes.build.store import StoreError, Writer

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
    parsed: int = 0  # documents parsed (the others came from the parse cache)
    workers: set[int] = field(default_factory=set)  # the worker processes that parsed them (none: this one)
    patched: bool = False  # whodoes add: the new documents were added in place (whodoes.build.incremental)


def _unknown_units(name: str, rows, knows, jurisdiction: str) -> list[str]:
    """One warning for the rows whose unit names the catalogue knows none of (groups such as
    相关部门 aside): a person should check them (a misread cell, or units to add to data/units.toml).
    ``knows(name, jurisdiction)``: UnitIds.knows."""
    from whodoes.build.units.catalog import is_collective

    answers: dict[str, bool | None] = {}  # within the document (a later one may know a name met here)

    def known(n: str) -> bool | None:
        """None for a group (相关部门), else whether the catalogue knows the name."""
        if n not in answers:
            answers[n] = None if is_collective(n) else knows(n, jurisdiction)
        return answers[n]

    unknown = []
    for r in rows:
        found = [k for n in r.lead + r.support if (k := known(n)) is not None]
        if found and not any(found):
            unknown.append(r)
    if not unknown:
        return []
    first = unknown[0]
    return [
        f"{name}: {len(unknown)} rows name only units the unit catalogue does not know "
        f"(first at line {first.line}: {'、'.join(first.lead + first.support)})"
    ]


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
    jobs: int | None = None,
    cache: bool = True,
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
    ``jobs``: worker processes that parse (default: one per core; whodoes.build.parsepool).
    ``cache``: keep parsed documents beside ``out`` and parse only what changed
    (whodoes.build.parsestore); the database is written whole either way.
    """
    from whodoes.build.transaction import LockError, locked

    out = Path(out)
    sources = Path(sources)
    check_out(out, force)
    steps = (on_document, on_start, shipped, max_size, staged, before_install)
    try:
        if not sources.is_dir():  # said by _build
            return _build(sources, out, units_file, *steps, notes=[], jobs=jobs, cache=cache)
        with locked(sources, on_wait=on_wait, required=False) as notes:
            return _build(sources, out, units_file, *steps, notes=notes, jobs=jobs, cache=cache)
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
        raise BuildError(
            f"{shown} exists and is {what}, not a whodoes database; not overwriting it "
            "(choose another path, or give --force to replace it)"
        )


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
    from whodoes.build.sources import SOURCE_SUFFIXES
    from whodoes.paths import special_kind

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


@dataclass
class PlanFile:
    """A plan file to build: the file, its metadata.toml entry (None: none), the folder it
    belongs to (a file staged by ``whodoes add``: the sources folder) and its key."""

    path: Path
    meta: dict | None
    home: Path
    key: str = ""


class UnitIds:
    """Unit ids in the order units are first met: the documents' units, then the rest of the
    catalogue."""

    def __init__(self, catalog, memo=None):
        self.catalog = catalog
        self.memo = memo  # a PinyinMemo (whodoes.build.pinyinmemo), else pinyin computed each time
        self.ids: dict[str, int] = {}
        self.resolved: dict[tuple[str, str | None], int] = {}  # (written, jurisdiction) -> id
        self.known: set[tuple[str, str]] = set()  # (name, jurisdiction) the catalogue knows (never unlearned)
        self.pinyin: dict[str, list] = {}  # name -> [pinyin, initials], as the documents' parses computed them

    def id_of(self, key: str) -> int:
        if key not in self.ids:
            self.ids[key] = len(self.ids) + 1
        return self.ids[key]

    def resolve(self, name: str, jurisdiction: str | None) -> int:
        """The id of the unit ``name`` denotes in ``jurisdiction`` (the catalogue's answer for a
        name is the same every time after the first, which records it: kept here)."""
        key = (name, jurisdiction)
        if key not in self.resolved:
            self.resolved[key] = self.id_of(self.catalog.resolve(name, jurisdiction or "").key)
        return self.resolved[key]

    def knows(self, name: str, jurisdiction: str) -> bool:
        if (name, jurisdiction) in self.known:
            return True
        if self.catalog.lookup(name, jurisdiction) is None:
            return False
        self.known.add((name, jurisdiction))
        return True

    def pinyin_of(self, name: str) -> tuple[str, str]:
        from whodoes.build.units.catalog import pinyin_keys

        if name in self.pinyin:
            full, initials = self.pinyin[name]
            return full, initials
        return self.memo.keys(name) if self.memo is not None else pinyin_keys(name)


def load_catalog(units_file: Path | None):
    """The unit catalogue of ``units_file`` (and the bodies.toml beside it); BuildError when
    it cannot be read."""
    from whodoes.build.units.catalog import Catalog, CatalogError

    try:
        return Catalog.load(units_file) if units_file else Catalog(jurisdictions={}, units=[])
    except CatalogError as e:
        raise BuildError(str(e)) from None


def _build(
    sources: Path,
    out: Path,
    units_file,
    on_document,
    on_start,
    shipped=None,
    max_size=MAX_SIZE,
    staged=None,
    before_install=None,
    notes=(),
    jobs=None,
    cache=True,
) -> BuildReport:
    """build() under the folder's lock: plan files -> keys -> parsed (cached, in workers) -> database."""
    started = time.perf_counter()
    folders = [Path(shipped), sources] if shipped is not None else [sources]
    files, metadata = _plan_files(folders, staged)
    if not files:
        raise BuildError(f"{sources}: no plan files (.txt, .md, .docx, .pdf, .html, .xlsx ...) to build from")
    if os.path.isdir(out):
        raise BuildError(f"{out} is a folder; give the path of the .sqlite file to write")
    plans = [
        PlanFile(p, metadata.get(p), sources if staged is not None and p.parent == Path(staged) else p.parent)
        for p in files
    ]
    units_file = units_file or default_units_file(folders[0])
    catalog = load_catalog(units_file)
    report = BuildReport(out=out)
    report.notes.extend(notes)
    store = open_cache(out, report) if cache else None
    try:
        key_plans(plans, store, units_file, max_size)
        if on_start:
            on_start(len(plans))
        base = os.path.realpath(folders[0])
        with closing(
            _parsed(plans, store, jobs, report, bodies_file(units_file))
        ) as docs:  # closed: its worker processes stop now
            write_database(
                out,
                docs,
                catalog,
                units_file,
                report,
                is_base=lambda d: d.folder == base,
                base_folder=folders[0],
                on_document=on_document,
                before_install=before_install,
            )
        if store is not None:
            store.prune({p.key for p in plans}, {os.path.realpath(p.path) for p in plans})
    finally:
        if store is not None:
            store.close()
    report.seconds = time.perf_counter() - started
    return report


def bodies_file(units_file: Path | None) -> str:
    """The general catalogue beside the units file (as whodoes.build.units.catalog reads it), or ""."""
    if units_file is None:
        return ""
    path = Path(units_file).parent / "bodies.toml"
    return str(path) if path.is_file() else ""


def open_cache(out: Path, report: BuildReport):
    """The parse cache of ``out`` (whodoes.build.parsestore), or None with a note when it cannot be
    opened; a damaged one is replaced."""
    from whodoes.build.parsestore import ParseStore, ParseStoreError, cache_path, remove_stale_caches

    path = cache_path(out)
    for attempt in (1, 2):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_caches(path.parent, keep=path)
            return ParseStore(path)
        except ParseStoreError as e:
            if attempt == 2 or not path.is_file():
                report.notes.append(f"building without a parse cache: {e}")
                return None
            path.unlink(missing_ok=True)  # a damaged cache: it is only a cache
        except OSError as e:
            report.notes.append(f"building without a parse cache: {path}: {e.strerror or e}")
            return None
    return None


def key_plans(plans: list[PlanFile], store, units_file: Path | None, max_size: int) -> None:
    """Each plan's key (whodoes.build.parsestore): its name, bytes, metadata entry, the data files
    and the reader.  BuildError for a file over ``max_size`` or one that cannot be read."""
    from whodoes.build.parsed import meta_text, reader_version
    from whodoes.build.parsestore import data_digest, doc_key, file_sha256

    data, reader = data_digest(units_file), reader_version()
    for plan in plans:
        check_size(plan.path, max_size)
        try:
            sha = store.sha256_of(plan.path) if store is not None else file_sha256(plan.path)
        except OSError as e:
            raise BuildError(f"{plan.path}: cannot read: {e.strerror or e}") from None
        plan.key = doc_key(plan.path.name, sha, meta_text(plan.meta), data, reader)


def _parsed(plans: list[PlanFile], store, jobs: int | None, report: BuildReport, bodies: str = ""):
    """The plans parsed, in order, as ParsedDoc (from the cache, else parsed: parsepool)."""
    from whodoes.build.parsed import ParsedDoc
    from whodoes.build.parsepool import ParseFailed, ParseTask, parsed_in_order

    tasks = [ParseTask(p.key, str(p.path), p.meta, str(p.home), p.path.stem, p.path.name, bodies) for p in plans]

    def counted(task, pid: int) -> None:
        report.parsed += 1
        if pid != os.getpid():
            report.workers.add(pid)

    try:
        for task, blob in parsed_in_order(tasks, store, jobs, on_parsed=counted):
            doc = ParsedDoc.from_bytes(blob)
            doc.folder = os.path.realpath(task.folder)  # a cached parse may come from elsewhere
            doc.key = task.key
            yield doc
    except ParseFailed as e:
        raise BuildError(str(e)) from None


def write_database(
    out: Path,
    docs,
    catalog,
    units_file: Path | None,
    report: BuildReport,
    *,
    is_base,
    base_folder: Path,
    on_document=None,
    before_install=None,
) -> None:
    """Write ``out`` (store.Writer: a new file renamed into place) from ParsedDocs in order:
    their rows with units resolved, then the catalogue, the characters and build_info."""
    from whodoes.build.phrasebook import PhraseCounter, char_pinyin_rows
    from whodoes.build.pinyinmemo import shared_memo

    memo = shared_memo()
    ids = UnitIds(catalog, memo)
    seen_chars: set[str] = set()
    base_docs: list[tuple[str, str]] = []
    phrases = PhraseCounter()  # the phrases of every task (whodoes.build.phrasebook), as each parse counted them
    with Writer(out) as writer:
        for index, d in enumerate(docs, 1):
            _write_document(writer, d, catalog, ids, report, out)
            writer.add_key(d.id, d.key)
            if is_base(d):
                base_docs.append((d.file, d.sha256))
            if index == 1:
                warm_pinyin(memo, catalog)
            for key in d.phrase_counts():
                if key not in phrases.counts:
                    memo.keys(key[1:])  # now, while the workers parse, rather than after the last document
            phrases.merge(d.phrase_counts())
            seen_chars.update(document_chars(d))
            if on_document:
                on_document(d.id, len(d.rows), index)
        report.units = _write_catalog(writer, catalog, ids, seen_chars)
        writer.add_phrases(phrases.rows(memo.keys), char_pinyin_rows(seen_chars, memo.readings), phrases.entries())
        memo.save()
        from whodoes import __version__

        writer.add_info(
            {
                "whodoes": __version__,
                "base_digest": digest(base_docs, units_file),
                "base_folder": folder_label(base_folder, out),
                "parse_context": parse_context(units_file),
            }
        )
        writer.commit(before_install)


def warm_pinyin(memo, catalog) -> None:
    """The pinyin the end of a build needs that is known from the start (the catalogue's unit
    names, the characters of GB2312), computed while the workers parse the first documents:
    after the last one, only the writer works (a memo that has them makes this nothing)."""
    from whodoes.build.phrasebook import common_characters

    for unit in catalog.units():
        for entry in unit.names:
            memo.keys(entry.name)
    for ch in common_characters():
        memo.readings(ch)


def document_chars(d) -> set[str]:
    """The characters of a parsed document that the character tables cover: its task texts,
    its unit names and the raw characters of a traditional-Chinese source."""
    chars = set(d.chars)
    for r in d.rows:
        chars.update(r.text)
        for n in r.lead + r.support:
            chars.update(n)
    return chars


def parse_context(units_file: Path | None) -> str:
    """What every document's parse key shares (the reader and the curated data): kept in
    build_info, so that ``whodoes add`` patches a database only when it matches."""
    from whodoes.build.parsed import reader_version
    from whodoes.build.parsestore import data_digest

    return f"{reader_version()} {data_digest(units_file)}"


def _write_document(writer, d, catalog, ids: UnitIds, report: BuildReport, out: Path) -> None:
    """One parsed document into the database, and into the report."""
    doc = dict(d.doc, id=d.id, file=d.file, folder=folder_label(Path(d.folder), out))
    report.warnings += d.warnings
    report.warnings += _unknown_units(d.file, d.rows, ids.knows, d.doc.get("jurisdiction") or "")
    writer.add_document(doc, d.rows, ids.resolve, d.extras, d.grams)
    ids.pinyin.update(d.pinyin)
    report.documents.append(
        DocReport(d.id, len(d.rows), d.source_encoding, d.traditional, d.doc["layouts"], d.inferred)
    )
    if d.source_encoding not in ("utf-8", ""):
        report.notes.append(f"{d.file}: read as {d.source_encoding}")
    if not d.rows:
        layouts = d.doc["layouts"][1:] if d.traditional else d.doc["layouts"]
        report.warnings.append(f"{d.file}: no task rows found ({'; '.join(layouts)})")
    report.rows += len(d.rows)
    report.bytes += d.bytes


def unit_rows(units, ids: UnitIds, seen_chars: set[str]) -> tuple[list[dict], list[dict]]:
    """The rows of ``units`` and of their names (with pinyin), units in id order; every
    character of the names into ``seen_chars``.  Shared by a build and an add in place."""
    unit_list, names = [], []
    for unit in units:
        uid = ids.ids[unit.key]
        unit_list.append(
            {
                "id": uid,
                "key": unit.key,
                "name": unit.name,
                "jurisdiction": unit.jurisdiction,
                "kind": unit.kind,
                "type": unit.type,
                "curated": int(unit.curated),
                "note": unit.note,
            }
        )
        for entry in unit.names:
            full, initials = ids.pinyin_of(entry.name)
            names.append(
                {
                    "name": entry.name,
                    "unit_id": uid,
                    "jurisdiction": unit.jurisdiction,
                    "how": entry.how,
                    "year": entry.year,
                    "change": entry.change,
                    "reason": entry.reason,
                    "pinyin": full,
                    "initials": initials,
                }
            )
            seen_chars.update(entry.name)
    unit_list.sort(key=lambda u: u["id"])
    return unit_list, names


def _write_catalog(writer, catalog, ids: UnitIds, seen_chars: set[str]) -> int:
    """The units (those of the documents first), their names, the body types and places, and
    the traditional forms of every character seen; returns the number of units."""
    for unit in catalog.units():
        ids.id_of(unit.key)  # the units of no document get ids after those of the documents
    units, names = unit_rows(catalog.units(), ids, seen_chars)
    writer.add_units(units, names)
    writer.add_bodies(*_bodies_rows(catalog))
    seen_chars.update(c for n in catalog.bodies.type_names() for c in n.name)
    writer.add_chars(_traditional_forms(seen_chars))
    return len(units)


def _bodies_rows(catalog) -> tuple[list[dict], list[dict], list[dict]]:
    """The rows of body_types, type_names and places for the general catalogue; a place's
    prefixes as data/units.toml gives them where it does (they override)."""
    bodies = catalog.bodies

    types = [
        {"type": t.type, "full": t.full, "kind": t.kind, "reason": t.reason, "source": t.source}
        for t in bodies.types.values()
    ]
    names = [
        {"name": n.name, "type": n.type, "how": n.how, "year": n.year, "change": n.change, "reason": n.reason}
        for n in bodies.type_names()
    ]
    places = [
        {
            "name": p.name,
            "kind": p.kind,
            "parent": p.parent,
            "prefixes": "".join(catalog.jurisdictions.get(p.name, p.prefixes)),
            "short": " ".join(p.short),
            "reason": p.reason,
        }
        for p in bodies.places.values()
    ]
    places += [
        {
            "name": j,
            "kind": None,
            "parent": None,
            "prefixes": "".join(prefixes),
            "short": "",
            "reason": "a [[jurisdiction]] of data/units.toml",
        }
        for j, prefixes in catalog.jurisdictions.items()
        if j not in bodies.places
    ]
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
        raise BuildError(
            f"{path.name} is {megabytes(size)}, more than the {megabytes(max_size)} a source may have "
            "(--max-size sets the limit)"
        )
