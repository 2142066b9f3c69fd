"""``whodoes parse FILES... -o SHARD`` and ``whodoes merge SHARDS... -o DB``: the build in two
steps, so that any batch engine (GNU parallel, Slurm, Dask, Spark) can spread the parse
over many processes or machines.

* ``parse_files`` parses plan files into a shard: an SQLite file of parsed documents
  (whodoes.build.parsestore, the format of the build's parse cache).  No shared state: it reads
  the files (and the metadata.toml of their folders, when there is one) and writes only
  the shard.  A document parsed again into the same shard replaces its earlier parse.
* ``merge`` reads the shards' documents in file-name order, resolves their units against
  the curated catalogue and writes the database as ``whodoes build`` does (store.Writer:
  a new file renamed into place).  The same files give the same rows as ``whodoes build``
  (tests/test_shards.py).  Two shards holding different parses of one document id fail
  the merge (exit 2).

Build path only.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from whodoes.build.pipeline import (
    MAX_SIZE,
    BuildError,
    BuildReport,
    PlanFile,
    bodies_file,
    check_out,
    default_units_file,
    key_plans,
    load_catalog,
    unchanged,
    write_database,
)
from whodoes.build.sources import SOURCE_SUFFIXES, SourceError, load_metadata


class ShardError(Exception):
    """A parse or merge that cannot be done (one line naming the file)."""


def _plan_file(given: str, metadata: dict[Path, dict]) -> PlanFile:
    """A file given to ``whodoes parse``, with its folder's metadata.toml entry."""
    path = Path(given)
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        raise ShardError(f"{given}: {e.strerror or 'cannot read'}") from None
    if not stat.S_ISREG(mode) or path.suffix.lower() not in SOURCE_SUFFIXES or path.name.startswith("."):
        raise ShardError(f"{given}: not a plan file ({', '.join(sorted(SOURCE_SUFFIXES))})")
    folder = path.parent
    if folder not in metadata:
        try:
            metadata[folder] = load_metadata(folder)
        except SourceError as e:
            raise ShardError(str(e)) from None
    return PlanFile(path, metadata[folder].get(path.name), folder)


def parse_files(
    files: list[str],
    out: Path,
    *,
    units_file: Path | None = None,
    jobs: int | None = None,
    max_size: int = MAX_SIZE,
    on_document=None,
) -> list[str]:
    """Parse ``files`` into the shard ``out`` (created, or added to); returns their ids.
    ``on_document(doc_id, rows, index)`` after each."""
    from whodoes.build.parsepool import ParseFailed, ParseTask, parsed_in_order
    from whodoes.build.parsestore import ParseStore, ParseStoreError

    if not files:
        raise ShardError("give at least one plan file: whodoes parse FILE... -o SHARD")
    metadata: dict[Path, dict] = {}
    plans = [_plan_file(f, metadata) for f in files]
    seen: dict[str, Path] = {}
    for p in plans:
        if p.path.stem in seen:
            raise ShardError(f"{seen[p.path.stem]} and {p.path} would both be document {p.path.stem!r}; rename one")
        seen[p.path.stem] = p.path
    units_file = units_file or default_units_file(plans[0].home)
    try:
        key_plans(plans, None, units_file, max_size)
        store = ParseStore(Path(out))
    except (BuildError, ParseStoreError) as e:
        raise ShardError(str(e)) from None
    bodies = bodies_file(units_file)
    tasks = [ParseTask(p.key, str(p.path), p.meta, str(p.home), p.path.stem, p.path.name, bodies) for p in plans]
    try:
        for index, (task, _blob) in enumerate(parsed_in_order(tasks, store, jobs, replace_ids=True), 1):
            if on_document:
                on_document(task.id, None, index)
    except ParseFailed as e:
        raise ShardError(str(e)) from None
    finally:
        store.close()
    return [t.id for t in tasks]


def _entries(shards: list[Path]):
    """(file, id, key, store) of every document of the shards, in file-name order; one
    document id in two shards must be the same parse."""
    from whodoes.build.parsestore import ParseStore, ParseStoreError

    stores: list[ParseStore] = []
    found: dict[str, tuple[str, str, str, ParseStore]] = {}
    for path in shards:
        try:
            store = ParseStore(Path(path), create=False)
        except ParseStoreError as e:
            raise ShardError(str(e)) from None
        stores.append(store)
        for key, doc_id, file, _reader, _blob in store.conn.execute("SELECT key, id, file, reader, '' FROM parsed"):
            if doc_id in found and found[doc_id][2] != key:
                raise ShardError(
                    f"document {doc_id!r} is in {found[doc_id][3].path} and {path}, parsed from "
                    "different files or metadata; parse it once"
                )
            found.setdefault(doc_id, (file, doc_id, key, store))
    return stores, sorted(found.values(), key=lambda e: (e[0], e[1]))


def _with_key(doc, key: str):
    doc.key = key
    return doc


def merge(
    shards: list[str],
    out: Path,
    *,
    units_file: Path | None = None,
    force: bool = False,
    on_start=None,
    on_document=None,
) -> BuildReport:
    """Write the database ``out`` from the documents of ``shards`` (see the module docstring)."""
    from whodoes.build.parsed import ParsedDoc, reader_version

    started = time.perf_counter()
    out = Path(out)
    if not shards:
        raise ShardError("give at least one shard: whodoes merge SHARD... -o plans.sqlite")
    try:
        check_out(out, force)
    except BuildError as e:
        raise ShardError(str(e)) from None
    stores, entries = _entries([Path(s) for s in shards])
    try:
        if not entries:
            raise ShardError(f"no documents in {', '.join(map(str, shards))}")
        report = BuildReport(out=out)
        readers = {r for s in stores for (r,) in s.conn.execute("SELECT DISTINCT reader FROM parsed")}
        if readers - {reader_version()}:
            report.notes.append("some documents were parsed by another version of the reader than this one")
        docs = (_with_key(ParsedDoc.from_bytes(store.get(key)), key) for _f, _id, key, store in entries)
        first = ParsedDoc.from_bytes(entries[0][3].get(entries[0][2]))
        units_file = units_file or default_units_file(Path(first.folder))
        if on_start:
            on_start(len(entries))
        write_database(
            out,
            docs,
            load_catalog(units_file),
            units_file,
            report,
            is_base=lambda d: True,
            base_folder=Path(first.folder),
            on_document=on_document,
        )
    except BuildError as e:
        raise ShardError(f"{e}; {unchanged(out)}") from None
    finally:
        for s in stores:
            s.close()
    report.seconds = time.perf_counter() - started
    return report
