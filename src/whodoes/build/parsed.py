"""One plan file parsed: everything the build needs of it before units are resolved.

``parse_plan(path, meta)`` runs the per-document part of the pipeline (read, clean, parse,
infer its metadata, place its rows, cut their source spans, annotate levels and deadlines)
and returns a ``ParsedDoc`` that depends only on the file's name and bytes, its
metadata.toml entry, the curated data files and the reader's code (``READER_VERSION``):
no database, no other document, no catalogue lookup.  That is what makes it

* cacheable (whodoes.build.parsestore keys it by those four things),
* runnable in a worker process (``parse_task``: plain arguments in, bytes out), and
* runnable on another machine (``whodoes parse`` writes it into a shard that
  ``whodoes merge`` turns into a database).

It is stored as zlib-compressed JSON (never pickle: a shard may come from elsewhere).
Build path only.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import signal
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

META_KEYS = ("title", "issuer", "jurisdiction", "doc_number", "date", "period_note", "original", "url")
FORMAT = 2  # of the stored JSON; part of every key

# The code a parse depends on: these modules, and every module of these packages.  Their
# source text, hashed, is the reader's version (a changed reader re-parses everything).
READER_MODULES = (
    "whodoes.build.sources",
    "whodoes.build.cleanup",
    "whodoes.build.infer",
    "whodoes.build.deadlines",
    "whodoes.build.levels",
    "whodoes.build.parse.split",
    "whodoes.build.units.bodies",
    "whodoes.build.units.catalog",
    "whodoes.build.store",
    "whodoes.build.parsed",
    "whodoes.build.phrasebook",
)
# the libraries whose output a parse keeps: their versions are part of the reader's
READER_LIBRARIES = ("rjieba", "pypinyin")
READER_PACKAGES = ("whodoes.build.document", "whodoes.build.parse")


@lru_cache(maxsize=1)
def reader_version() -> str:
    """sha256 of the source of the reader's modules (READER_MODULES, READER_PACKAGES)."""
    from importlib.metadata import version

    files = [_module_file(name) for name in READER_MODULES]
    for name in READER_PACKAGES:
        files += sorted(_module_file(name).parent.glob("*.py"))
    h = hashlib.sha256(f"format {FORMAT}\n".encode())
    for library in READER_LIBRARIES:
        h.update(f"{library} {version(library)}\n".encode())
    for f in files:
        h.update(f"{f.parent.name}/{f.name}\n".encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _module_file(name: str) -> Path:
    """The source file of one of our modules (of a package: its __init__.py)."""
    spec = find_spec(name)
    if spec is None or spec.origin is None:
        raise ImportError(f"{name} is not installed")
    return Path(spec.origin)


@dataclass
class ParsedDoc:
    """A plan file parsed (see the module docstring); ``rows`` are TaskRow objects."""

    id: str
    file: str
    folder: str  # the real path of the folder the file was read from
    sha256: str
    bytes: int
    encoding: str  # as documents.encoding: the text's encoding, else the file format
    source_encoding: str  # the text's encoding ("" for Word, PDF ...), for the build's notes
    traditional: bool
    inferred: bool  # no metadata.toml entry: what it is was inferred from its text
    doc: dict  # the documents row without id, file, folder, ordinal, task_count
    rows: list = field(default_factory=list)
    extras: list[dict] = field(default_factory=list)  # per row: level, project, due, due_kind, deadline_text
    warnings: list[str] = field(default_factory=list)  # before the unit catalogue's (jurisdiction, reader)
    chars: str = ""  # CJK characters of the raw text of a traditional-Chinese source
    key: str = ""  # its parse key (whodoes.build.parsestore), set when it is taken from a store
    grams: list[str] = field(default_factory=list)  # per row: the bigrams of its searchable text (task_grams)
    pinyin: dict = field(default_factory=dict)  # unit name as the catalogue keeps it -> [pinyin, initials]
    phrases: dict | None = None  # the phrase tallies of its rows (phrasebook.task_phrases); None: not yet

    def phrase_counts(self) -> dict:
        """The phrase counts of its rows (counted now if its stored form has none)."""
        if self.phrases is None:
            from whodoes.build.phrasebook import task_phrases

            self.phrases = task_phrases(self.rows)
        return self.phrases

    def to_bytes(self) -> builtins.bytes:  # (the field ``bytes`` shadows the type in the class)
        data = dict(self.__dict__, rows=[dict(r.__dict__) for r in self.rows])  # asdict() is 10x slower
        return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), 1)

    @classmethod
    def from_bytes(cls, blob: builtins.bytes) -> ParsedDoc:
        from whodoes.build.parse.model import TaskRow

        data = json.loads(zlib.decompress(blob))
        data["rows"] = [TaskRow(**r) for r in data["rows"]]
        return cls(**data)


def meta_text(meta: dict | None) -> str:
    """A metadata.toml entry as canonical text (part of a document's key)."""
    return json.dumps(meta or {}, ensure_ascii=False, sort_keys=True, default=str)


def parse_plan(path: Path, meta: dict | None, folder: Path | None = None, places: dict | None = None) -> ParsedDoc:
    """Read and parse one plan file (SourceError when it cannot be read); ``meta`` is its
    metadata.toml entry (None: none, so what it is gets inferred); ``folder``: the folder it
    belongs to (default: its own; ``whodoes add`` reads a staged copy); ``places``: the known places
    (``places_of``) that name a plan's jurisdiction from its markers."""
    from whodoes.build.document.load import read_plan
    from whodoes.build.infer import infer_metadata
    from whodoes.build.parse.document import parse_document
    from whodoes.build.phrasebook import task_phrases
    from whodoes.build.sources import parse_period

    path = Path(path)
    plan = read_plan(path, meta)
    src, lines, traditional = plan.source, plan.prepared.lines, plan.prepared.traditional
    parsed = parse_document(lines, plan.prepared.tables)
    for r in parsed.rows:
        r.location = plan.prepared.locations.get(r.line)
    info = infer_metadata(
        lines,
        {**plan.document.metadata, **src.meta},
        places or {},
        [n for r in parsed.rows for n in r.lead + r.support],
    )
    start, end = parse_period(info.get("period"))
    doc = {k: info.get(k) for k in META_KEYS}
    layouts = (["traditional Chinese, converted to simplified"] if traditional else []) + parsed.layouts
    doc.update(
        sha256=src.sha256, period_start=start, period_end=end, encoding=src.encoding or src.format, layouts=layouts
    )
    warnings = []
    if not info.get("jurisdiction"):
        warnings.append(
            f"{path.name}: jurisdiction unknown; give it in metadata.toml or with whodoes add --jurisdiction"
        )
    warnings += [f"{path.name}: {w}" for w in parsed.warnings]
    first_year = start or (int(info["date"][:4]) if str(info.get("date") or "")[:4].isdigit() else None)
    own_spans(parsed.rows)
    chars = ""
    if traditional:
        chars = "".join(sorted({c for ln in lines for c in ln.raw if "\u3400" <= c <= "\u9fff"}))
    grams, pinyin = search_keys(parsed.rows)
    return ParsedDoc(
        grams=grams,
        pinyin=pinyin,
        phrases=task_phrases(parsed.rows),
        id=src.id,
        file=path.name,
        folder=os.path.realpath(folder or path.parent),
        sha256=src.sha256,
        bytes=len(src.data),
        encoding=src.encoding or src.format,
        source_encoding=src.encoding,
        traditional=traditional,
        inferred=meta is None,
        doc=doc,
        rows=parsed.rows,
        extras=annotate(parsed.rows, first_year, src.id),
        warnings=warnings,
        chars=chars,
    )


@lru_cache(maxsize=4)
def places_of(bodies: str) -> dict:
    """Every name and short form of a jurisdiction of a bodies.toml -> its KnownPlace, for reading
    a plan's jurisdiction from its markers (whodoes.build.infer); generic short forms (经开区) are
    left out: they name no one place.  Read once per process."""
    if not bodies:
        return {}
    from whodoes.build.infer import KnownPlace
    from whodoes.build.units.bodies import Bodies

    catalogue = Bodies.load(Path(bodies))
    places = {}
    for form, name in catalogue.place_forms().items():
        p = catalogue.places[name]
        if form not in p.generic:
            places[form] = KnownPlace(p.name, p.kind, p.parent, tuple(p.numbers))
    return places


def search_keys(rows: list) -> tuple[list[str], dict]:
    """What the writer would otherwise compute one document after another: each row's
    bigrams (task_grams) and the pinyin keys of the unit names the rows write."""
    from whodoes.build.pinyinmemo import shared_memo
    from whodoes.build.store import bigrams
    from whodoes.build.units.bodies import normalize

    grams = [bigrams(" ".join(x for x in (r.category, r.title, r.text, r.detail) if x)) for r in rows]
    names = {n for r in rows for w in r.lead + r.support if (n := normalize(w))}
    memo = shared_memo()
    pinyin = {n: list(memo.keys(n)) for n in sorted(names)}
    memo.save()
    return grams, pinyin


def parse_task(
    key: str, path: str, meta: dict | None, folder: str, bodies: str = ""
) -> tuple[str, bytes | None, str | None, int]:
    """``parse_plan`` for a worker process: (key, the stored form, None, pid), or (key, None,
    the one-line reason it cannot be read, pid)."""
    from whodoes.build.sources import SourceError

    try:
        return key, parse_plan(Path(path), meta, Path(folder), places_of(bodies)).to_bytes(), None, os.getpid()
    except SourceError as e:
        return key, None, str(e), os.getpid()


def quiet_worker(build_pid: int) -> None:
    """A worker leaves Ctrl-C and SIGTERM to the build (which stops the pool and says so
    once), and exits when the build is gone (killed: nobody would stop it)."""
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with, args=(build_pid,), daemon=True).start()


def _exit_with(build_pid: int, every: float = 0.5) -> None:
    """Exit this process once ``build_pid`` has exited (or is a zombie)."""
    import time

    from whodoes.build.store import _alive

    while os.getppid() == build_pid and _alive(build_pid):
        time.sleep(every)
    os._exit(1)


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
        out.append(
            {
                "level": level,
                "project": task_uid(document_id, link + 1) if link is not None else None,
                "due": d.due,
                "due_kind": d.kind,
                "deadline_text": d.text,
            }
        )
    return out


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
