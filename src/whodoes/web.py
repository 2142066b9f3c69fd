"""``whodoes serve``: the database in Datasette, read-only, on 127.0.0.1 by default.

Datasette is an optional extra (``pip install 'whodoes[web]'``).  The metadata comes
from ``data/datasette-metadata.json`` (titles, descriptions, Chinese column labels,
facets, full-text search on the flat views, canned queries); at serve time it gets
the source of every document from the ``documents`` table (title, issuer, file,
sha256, where the copy came from) and is keyed by the database's name (the file's
stem), then handed to ``datasette serve -i DB --metadata FILE``.  ``-i`` opens the
database immutable: Datasette never writes it.

The same metadata works with plain Datasette::

    datasette -i data/plans.sqlite --metadata data/datasette-metadata.json
"""

from __future__ import annotations

import html
import json
import os
import sys
import tempfile

from whodoes.db import DataError, UsageError

METADATA_NAME = "datasette-metadata.json"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
SHIPPED_NAME = "plans"  # the database's name in data/datasette-metadata.json

# keys that Datasette 1.0 reads from its configuration file instead of the metadata
CONFIG_KEYS = ("facets", "fts_table", "fts_pk", "label_column", "hidden", "sort", "sort_desc", "searchmode")


def metadata_file() -> str | None:
    """data/datasette-metadata.json of the checkout or of the install, if there is one."""
    from whodoes.paths import data_dir

    data = data_dir()
    if data is None:
        return None
    path = os.path.join(data, METADATA_NAME)
    return path if os.path.isfile(path) else None


def load_metadata(path: str | None) -> dict:
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            if path.endswith((".yaml", ".yml")):
                import yaml

                data = yaml.safe_load(f)
            else:
                data = json.load(f)
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}") from None
    except ValueError as e:
        raise UsageError(f"{path}: not valid JSON/YAML: {' '.join(str(e).split())[:120]}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: the metadata must be a JSON object")
    return data


def documents(conn) -> list[dict]:
    """Every document with what says where it comes from."""
    original = "original" if _has_column(conn, "documents", "original") else "NULL AS original"
    rows = conn.execute(
        "SELECT id, title, issuer, jurisdiction, doc_number, date, period_start, period_end, file, sha256, "
        f"{original}, task_count FROM documents ORDER BY ordinal, id"
    ).fetchall()
    return [dict(r) for r in rows]


def _has_column(conn, table: str, column: str) -> bool:
    return any(r[1] == column for r in conn.execute(f"PRAGMA table_info({table})"))


def sources_html(docs: list[dict], db_name: str) -> str:
    """An HTML list of the documents with their sources, for the database and documents pages."""
    e = html.escape
    items = []
    for d in docs:
        period = f"{d['period_start']}-{d['period_end']}" if d.get("period_start") else ""
        bits = [x for x in (d.get("issuer"), d.get("doc_number"), d.get("date"), period) if x]
        src = f"<code>{e(d['file'] or '')}</code> sha256 <code>{e((d['sha256'] or '')[:16])}…</code>"
        if d.get("original"):
            src += f", copied from <code>{e(d['original'])}</code>"
        items.append(
            f"<li><a href=\"/{e(db_name)}/task_rows?document={e(d['id'])}\">{e(d['title'] or d['id'])}</a>"
            f" ({e(d.get('jurisdiction') or '')}; {e(' · '.join(str(b) for b in bits))}; {d.get('task_count') or 0} tasks)"
            f"<br>source: {src}</li>"
        )
    return "<p>The documents and their sources:</p><ul>" + "".join(items) + "</ul>"


def build_metadata(static: dict, conn, db_name: str) -> dict:
    """The metadata Datasette gets: the static file, keyed by ``db_name``, with every
    document's source added to the database's and the documents table's description."""
    meta = json.loads(json.dumps(static))  # a deep copy
    dbs = meta.setdefault("databases", {})
    db_meta = dbs.pop(SHIPPED_NAME, None) if db_name not in dbs else dbs.pop(db_name)
    db_meta = db_meta or {}
    dbs[db_name] = db_meta
    docs = documents(conn)
    listing = sources_html(docs, db_name)
    desc = html.escape(db_meta.get("description") or "")
    db_meta["description_html"] = (f"<p>{desc}</p>" if desc else "") + listing
    tables = db_meta.setdefault("tables", {})
    doc_meta = tables.setdefault("documents", {})
    doc_desc = html.escape(doc_meta.get("description") or "")
    doc_meta["description_html"] = (f"<p>{doc_desc}</p>" if doc_desc else "") + listing
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    for name in list(tables):
        if name not in names:
            del tables[name]  # e.g. task_units_flat in a database built before it existed
    return meta


def split_config(meta: dict) -> tuple[dict, dict]:
    """Datasette 1.0: (metadata, configuration) with facets, search and labels in the latter."""
    meta = json.loads(json.dumps(meta))
    config: dict = {"databases": {}}
    for db_name, db_meta in (meta.get("databases") or {}).items():
        db_conf: dict = {}
        if "queries" in db_meta:
            db_conf["queries"] = db_meta.pop("queries")
        for table, t_meta in (db_meta.get("tables") or {}).items():
            moved = {k: t_meta.pop(k) for k in CONFIG_KEYS if k in t_meta}
            if moved:
                db_conf.setdefault("tables", {})[table] = moved
        config["databases"][db_name] = db_conf
    return meta, config


def datasette_version() -> str | None:
    try:
        from datasette.version import __version__
    except ImportError:
        return None
    return __version__


def serve_args(db: str, metadata_path: str, *, host: str, port: int, get: str | None = None,
               open_browser: bool = False, config_path: str | None = None) -> list[str]:
    """The ``datasette`` command line (without the program name)."""
    args = ["serve", "-i", db, "--metadata", metadata_path, "-h", host, "-p", str(port)]
    if config_path:
        args += ["--config", config_path]
    if get:
        args += ["--get", get]
    if open_browser:
        args.append("--open")
    return args


def _port(port) -> int:
    if port is None:
        return DEFAULT_PORT
    text = str(port).strip()
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise UsageError(f"--port must be a port number 0-65535 (0: any free port), not {text[:40]!r}")
    return int(text)


def serve(*, db: str | None = None, host: str | None = None, port=None, get: str | None = None,
          metadata: str | None = None, open_browser: bool = False) -> int:
    """Start Datasette on the database (or, with ``get``, fetch one page and print it)."""
    from whodoes import db as _db
    from whodoes.paths import default_db

    if datasette_version() is None:
        raise UsageError("whodoes serve needs Datasette: pip install 'whodoes[web]' (or pip install datasette)")
    port_n = _port(port)
    host = (host or DEFAULT_HOST).strip() or DEFAULT_HOST
    path = os.path.abspath(os.path.expanduser(db)) if db and db.strip() else default_db()
    conn = _db.connect(path)  # the usual checks: a whodoes database of the right schema
    try:
        static = load_metadata(metadata if metadata else metadata_file())
        db_name = os.path.splitext(os.path.basename(path))[0]
        meta = build_metadata(static, conn, db_name)
    finally:
        conn.close()
    version = datasette_version() or "0"
    config = None
    if version.split(".")[0].isdigit() and int(version.split(".")[0]) >= 1:
        meta, config = split_config(meta)
    tmpdir = tempfile.mkdtemp(prefix="whodoes-serve-")
    meta_path = os.path.join(tmpdir, "metadata.json")
    config_path = os.path.join(tmpdir, "datasette.json") if config is not None else None
    try:
        with open(meta_path, "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False, indent=2)
        if config_path:
            with open(config_path, "w", encoding="utf-8") as f:
                json.dump(config, f, ensure_ascii=False, indent=2)
        args = serve_args(path, meta_path, host=host, port=port_n, get=get, open_browser=open_browser,
                          config_path=config_path)
        if not get:
            sys.stderr.write(f"whodoes: serving {path} read-only with Datasette {version} at http://{host}:{port_n}/ "
                             "(Ctrl-C stops)\n")
            sys.stderr.flush()
        return _run_datasette(args)
    finally:
        for p in (meta_path, config_path):
            if p:
                try:
                    os.unlink(p)
                except OSError:
                    pass
        try:
            os.rmdir(tmpdir)
        except OSError:
            pass


def _terminated(signum, frame):
    raise SystemExit(128 + signum)


def _run_datasette(args: list[str]) -> int:
    import signal

    from datasette.cli import cli as datasette_cli

    # uvicorn re-raises a SIGTERM it caught once it has shut down; as SystemExit, so that
    # the temporary metadata file is removed (the default action would kill us first)
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        datasette_cli.main(args=args, prog_name="datasette", standalone_mode=True)
    except SystemExit as e:
        code = e.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        raise DataError(f"datasette: {' '.join(str(code).split())[:200]}") from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
