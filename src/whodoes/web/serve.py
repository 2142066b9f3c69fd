"""``whodoes serve``: the database in Datasette, read-only, on 127.0.0.1 by default.

Datasette is an optional extra (``pip install 'whodoes[web]'``).  Datasette is customised
through its own means only:

* metadata, ``data/datasette-metadata.json``: titles, descriptions, Chinese column labels
  (the text before " · " of a column's description), facets, full-text search on the task
  views, the canned queries ``unit`` (a unit's page) and ``task`` (a task's page); at serve
  time it gets every plan's publication (title, issuer, 文号, date, web address) from the
  ``documents`` table and is keyed by the database's name (the file's stem);
* templates, ``templates/`` beside this module (``--template-dir``): the home page with
  its search of tasks and units, the task view, the unit and task pages;
* a plugin, ``plugins/whodoes_site.py`` (``--plugins-dir``), on Datasette's public hooks;
* a stylesheet, ``static/`` (``--static whodoes-static:...``).

``-i`` opens the database immutable: Datasette never writes it.  Plain Datasette works the
same with those options (README, "Serving it with Datasette").
"""

from __future__ import annotations

import html
import json
import os
import sys
import tempfile

from whodoes.errors import DataError, UsageError

METADATA_NAME = "datasette-metadata.json"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
SHIPPED_NAME = "plans"  # the database's name in data/datasette-metadata.json

# keys that Datasette 1.0 reads from its configuration file instead of the metadata
# the site's templates, plugin and stylesheet: templates/, plugins/, static/ beside this module
SITE_DIR = os.path.dirname(os.path.abspath(__file__))
STATIC_MOUNT = "whodoes-static"  # the plugin's extra_css_urls names /whodoes-static/whodoes.css

CONFIG_KEYS = ("facets", "fts_table", "fts_pk", "label_column", "hidden", "sort", "sort_desc", "searchmode")


def metadata_file() -> str | None:
    """data/datasette-metadata.json of the checkout or of the install, if there is one."""
    from whodoes.paths import data_dir

    data = data_dir()
    if data is None:
        return None
    path = os.path.join(data, METADATA_NAME)
    return path if os.path.isfile(path) else None


METADATA_MAX = 10 * 1024 * 1024  # bytes: the shipped file is a few KB


def load_metadata(path: str | None) -> dict:
    """The Datasette metadata file: a regular JSON (or YAML) file of at most 10 MB holding
    an object of the shape Datasette reads (``check_shape``); else one-line UsageError."""
    import stat

    from whodoes.query.db import special_kind

    if path is None:
        return {}
    try:
        info = os.stat(path)
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"--metadata {path} is {special_kind(info.st_mode)}; give a JSON file")
    if info.st_size > METADATA_MAX:
        raise UsageError(f"--metadata {path} is {info.st_size // 1024 // 1024} MB; a metadata file is a few KB")
    try:
        with open(path, encoding="utf-8-sig") as f:
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
    check_shape(data, path)
    return data


def _check_object(value, where: str, path: str) -> dict:
    if not isinstance(value, dict):
        raise UsageError(f"{path}: {where} must be a JSON object, not {type(value).__name__}")
    return value


def check_shape(meta: dict, path: str) -> None:
    """UsageError unless ``meta`` has the shape whodoes and Datasette read: databases ->
    {name: {tables -> {name: {...}}, queries -> {...}}}, descriptions as text."""
    for key in ("title", "description", "description_html", "license", "source", "about"):
        if key in meta and not isinstance(meta[key], str):
            raise UsageError(f"{path}: {key!r} must be text")
    for name, db_meta in _check_object(meta.get("databases", {}), "'databases'", path).items():
        db_meta = _check_object(db_meta, f"databases.{name}", path)
        if "description" in db_meta and not isinstance(db_meta["description"], str):
            raise UsageError(f"{path}: databases.{name}.description must be text")
        _check_object(db_meta.get("queries", {}), f"databases.{name}.queries", path)
        for table, t_meta in _check_object(db_meta.get("tables", {}), f"databases.{name}.tables", path).items():
            t_meta = _check_object(t_meta, f"databases.{name}.tables.{table}", path)
            if "description" in t_meta and not isinstance(t_meta["description"], str):
                raise UsageError(f"{path}: databases.{name}.tables.{table}.description must be text")


def documents(conn) -> list[dict]:
    """Every document with its publication and file."""
    url = "url" if _has_column(conn, "documents", "url") else "NULL AS url"
    rows = conn.execute(
        "SELECT id, title, issuer, jurisdiction, doc_number, date, period_start, period_end, file, sha256, "
        f"{url}, task_count FROM documents ORDER BY ordinal, id"
    ).fetchall()
    return [dict(r) for r in rows]


def _has_column(conn, table: str, column: str) -> bool:
    return any(r[1] == column for r in conn.execute(f"PRAGMA table_info({table})"))


def sources_html(docs: list[dict], db_name: str) -> str:
    """An HTML list of the plans with their publication (title, issuer, 文号, date, web
    address where known), each linked to its tasks in the task view."""
    from urllib.parse import urlencode

    e = html.escape
    items = []
    for d in docs:
        period = f"{d['period_start']}-{d['period_end']}" if d.get("period_start") else ""
        bits = [x for x in (d.get("issuer"), d.get("doc_number"), d.get("date"), d.get("jurisdiction")) if x]
        if period:
            bits.append(f"规划期 {period}")
        title = d["title"] or d["id"]
        link = f"/{e(db_name)}/task_list?{e(urlencode({'plan': title}))}"
        url = f'<br>网址 <a href="{e(d["url"])}">{e(d["url"])}</a>' if d.get("url") else ""
        items.append(
            f'<li><a href="{link}">{e(title)}</a> ({d.get("task_count") or 0} 项任务)'
            f"<br>{e(' · '.join(str(b) for b in bits))}{url}"
            f"<br><small>文件 <code>{e(d['file'] or '')}</code> sha256 <code>{e((d['sha256'] or '')[:16])}…</code></small></li>"
        )
    return '<ul class="whodoes-plans">' + "".join(items) + "</ul>"


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
    meta["description_html"] = listing  # the home page: the plans under the search
    meta.pop("description", None)
    tables = db_meta.setdefault("tables", {})
    doc_meta = tables.setdefault("documents", {})
    doc_desc = html.escape(doc_meta.get("description") or "")
    doc_meta["description_html"] = (f"<p>{doc_desc}</p>" if doc_desc else "") + listing
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    for name in list(tables):
        if name not in names:
            del tables[name]  # e.g. task_units_flat in a database built before it existed
    drop_broken_queries(db_meta, conn)
    return meta


def drop_broken_queries(db_meta: dict, conn) -> None:
    """Leave out the canned queries the database cannot run (one built by an older whodoes,
    without documents.url), rather than pages that answer with an SQL error."""
    import sqlite3

    queries = db_meta.get("queries") or {}
    for name, query in list(queries.items()):
        sql = query.get("sql") if isinstance(query, dict) else query
        try:
            conn.execute("EXPLAIN " + str(sql), {p: "" for p in named_params(str(sql))})
        except sqlite3.Error:
            del queries[name]


def named_params(sql: str) -> set[str]:
    import re

    return set(re.findall(r"(?<!:):([A-Za-z_][A-Za-z0-9_]*)", sql))


def split_config(meta: dict) -> tuple[dict, dict]:
    """Datasette 1.0: (metadata, configuration) with facets, search and labels in the latter."""
    meta = json.loads(json.dumps(meta))
    config: dict = {"databases": {}}
    if "plugins" in meta:
        config["plugins"] = meta.pop("plugins")
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


def serve_args(
    db: str,
    metadata_path: str,
    *,
    host: str,
    port: int,
    get: str | None = None,
    open_browser: bool = False,
    config_path: str | None = None,
) -> list[str]:
    """The ``datasette`` command line (without the program name)."""
    args = ["serve", "-i", db, "--metadata", metadata_path, "-h", host, "-p", str(port)]
    args += site_args()
    if config_path:
        args += ["--config", config_path]
    if get:
        args += ["--get", get]
    if open_browser:
        args.append("--open")
    return args


def site_args() -> list[str]:
    """The Datasette options that load the site: templates, plugin, stylesheet."""
    return [
        "--template-dir",
        os.path.join(SITE_DIR, "templates"),
        "--plugins-dir",
        os.path.join(SITE_DIR, "plugins"),
        "--static",
        f"{STATIC_MOUNT}:{os.path.join(SITE_DIR, 'static')}",
    ]


def _port(port) -> int:
    if port is None:
        return DEFAULT_PORT
    text = str(port).strip()
    if not text.isdigit() or len(text) > 5 or not 0 <= int(text) <= 65535:
        raise UsageError(f"--port must be a port number 0-65535 (0: any free port), not {text[:40]!r}")
    return int(text)


def serve(
    *,
    db: str | None = None,
    host: str | None = None,
    port=None,
    get: str | None = None,
    metadata: str | None = None,
    open_browser: bool = False,
) -> int:
    """Start Datasette on the database (or, with ``get``, fetch one page and print it)."""
    from whodoes.paths import database
    from whodoes.query import db as _db

    if datasette_version() is None:
        raise UsageError("whodoes serve needs Datasette: pip install 'whodoes[web]' (or pip install datasette)")
    port_n = _port(port)
    host = (host or DEFAULT_HOST).strip() or DEFAULT_HOST
    if get is not None and not str(get).startswith("/"):
        raise UsageError(
            f"--get takes a path on the site, starting with /, such as /plans/task_rows.json; not {str(get)[:40]!r}"
        )
    exposed = not get and not is_loopback(host)
    path = database(db)
    conn = _db.connect(path)  # the usual checks: a whodoes database of the right schema
    try:
        static = load_metadata(metadata if metadata else metadata_file())
        db_name = os.path.splitext(os.path.basename(path))[0]
        meta = build_metadata(static, conn, db_name)
    finally:
        conn.close()
    if exposed:
        warn_exposed(meta, host, db_name)
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
        args = serve_args(
            path, meta_path, host=host, port=port_n, get=get, open_browser=open_browser, config_path=config_path
        )
        if not get:
            sys.stderr.write(
                f"whodoes: serving {path} read-only with Datasette {version} at http://{host}:{port_n}/ "
                "(Ctrl-C stops)\n"
            )
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


def is_loopback(host: str) -> bool:
    """Is ``host`` this machine only (127.0.0.0/8, ::1, localhost)?"""
    import ipaddress

    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


EXPOSED = (
    "whodoes serve listens on {host}, not only on this machine: anyone who can reach it can read the whole "
    "database, run read-only SQL on it and see the paths of its files; use --host 127.0.0.1 unless that is meant"
)


def warn_exposed(meta: dict, host: str, db_name: str) -> None:
    """The warning on stderr and at the top of the site's pages (index and database)."""
    text = EXPOSED.format(host=host)
    sys.stderr.write(f"whodoes: warning: {text}\n")
    sys.stderr.flush()
    banner = f'<p style="background:#fee;border:1px solid #c00;padding:0.5em"><strong>Warning:</strong> {html.escape(text)}</p>'
    meta["description_html"] = banner + (meta.get("description_html") or html.escape(meta.get("description") or ""))
    meta.pop("description", None)
    db_meta = meta.setdefault("databases", {}).setdefault(db_name, {})
    db_meta["description_html"] = banner + (db_meta.get("description_html") or "")


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
