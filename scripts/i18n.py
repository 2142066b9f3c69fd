"""The gettext catalogue of whodoes' interface (issue 16): extract, compile, check.

    python scripts/i18n.py extract   # the texts of the code -> src/whodoes/locale/zh_CN/LC_MESSAGES/whodoes.po
                                     # (new ones added untranslated, gone ones made obsolete)
    python scripts/i18n.py compile   # whodoes.po -> whodoes.mo (shipped with the package)
    python scripts/i18n.py check     # exit 1 if a text lacks its translation or the .mo is stale

Babel (a test dependency, never imported by whodoes itself) reads and writes the files.
What is extracted:

* calls of ``_``, ``N_``, ``ngettext``, ``pgettext`` (Babel's extractor);
* the help of the command line as declared in whodoes.commandline / whodoes.cli: every
  ``help=`` of a ``Param``, every ``epilog=`` of a ``@command``, and the docstring
  of each command function (as typer shows it, ``inspect.cleandoc``);
* column names (context "column"): the header of every ``(header, key)`` pair of
  string constants, the strings of every ``headers=[...]`` and the argument of every
  ``column("...")`` call.
"""

from __future__ import annotations

import ast
import inspect
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "whodoes"
PO = PACKAGE / "locale" / "zh_CN" / "LC_MESSAGES" / "whodoes.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
COLUMN = "column"


def _strings(node) -> str | None:
    """The value of a string constant (implicit concatenation included), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _declared(tree: ast.AST):
    """(context, msgid, line) of the command line's help and the column names in one module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            for kw in node.keywords:
                text = _strings(kw.value)
                if name in ("Param", "command") and kw.arg in ("help", "epilog") and text:
                    yield None, text, node.lineno
                if kw.arg == "headers" and isinstance(kw.value, (ast.List, ast.Tuple)):
                    for elt in kw.value.elts:
                        if _strings(elt) and _strings(elt).isascii():
                            yield COLUMN, _strings(elt), node.lineno
            if name in ("column", "header_text") and node.args and _strings(node.args[0]):
                yield COLUMN, _strings(node.args[0]), node.lineno
        elif (
            isinstance(node, ast.List)
            and node.elts
            and all(
                isinstance(e, ast.Tuple)
                and len(e.elts) == 2
                and all(_strings(x) is not None for x in e.elts)
                and _strings(e.elts[0]).isascii()
                for e in node.elts
            )
        ):
            for e in node.elts:
                yield COLUMN, _strings(e.elts[0]), node.lineno
        elif isinstance(node, ast.FunctionDef):
            decorated = any(
                isinstance(d, ast.Call) and getattr(d.func, "id", "") == "command" for d in node.decorator_list
            )
            doc = ast.get_docstring(node, clean=False)
            if decorated and doc:
                yield None, inspect.cleandoc(doc), node.lineno


def template():
    """The catalogue of every text of the code (a Babel Catalog, no translations)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract

    catalog = Catalog(project="whodoes", domain="whodoes")
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        source = path.read_bytes()
        for line, message, _comments, context in extract(
            "python", io.BytesIO(source), keywords=KEYWORDS, options={"encoding": "utf-8"}
        ):
            if message:
                catalog.add(message, locations=[(rel, line)], context=context)
        for context, message, line in _declared(ast.parse(source)):
            catalog.add(message, locations=[(rel, line)], context=context)
    return catalog


def read_po():
    from babel.messages.pofile import read_po as _read

    with PO.open("rb") as f:
        return _read(f, locale="zh_CN", domain="whodoes")


def write_po(catalog) -> None:
    from babel.messages.pofile import write_po as _write

    PO.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    _write(buf, catalog, width=0, omit_header=False, sort_output=False, include_previous=False)
    PO.write_bytes(buf.getvalue())


def compiled(catalog=None) -> bytes:
    """The .mo of the .po (or of ``catalog``), as bytes."""
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, catalog if catalog is not None else read_po(), use_fuzzy=False)
    return buf.getvalue()


def missing(catalog=None) -> list[str]:
    """The texts of the code with no translation in the .po (or fuzzy ones)."""
    po = catalog if catalog is not None else read_po()
    out = []
    for message in template():
        if not message.id:
            continue
        got = po.get(message.id, context=message.context)
        text = got.string if got is not None else None
        done = bool(text) if isinstance(text, str) else bool(text) and all(text)
        if got is None or got.fuzzy or not done:
            out.append(
                f"{message.context + ': ' if message.context else ''}{message.id if isinstance(message.id, str) else message.id[0]}"
            )
    return out


def extract_cmd() -> None:
    from babel.messages.catalog import Catalog

    tmpl = template()
    if PO.exists():
        po = read_po()
        po.update(tmpl, no_fuzzy_matching=True)
    else:
        po = Catalog(locale="zh_CN", project="whodoes", domain="whodoes")
        po.update(tmpl, no_fuzzy_matching=True)
    po.fuzzy = False
    po.version = "0.1.0"
    import datetime

    # no churn: the .po changes with its texts only
    po.creation_date = po.revision_date = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    write_po(po)
    left = missing(po)
    print(f"{PO.relative_to(ROOT)}: {len(po)} texts, {len(left)} untranslated")


def compile_cmd() -> None:
    MO.write_bytes(compiled())
    print(f"{MO.relative_to(ROOT)} written")


def check_cmd() -> int:
    left = missing()
    stale = not MO.exists() or MO.read_bytes() != compiled()
    for m in left:
        print(f"untranslated: {m}")
    if stale:
        print(f"{MO.relative_to(ROOT)} is not the compiled {PO.name}: run python scripts/i18n.py compile")
    return 1 if left or stale else 0


if __name__ == "__main__":
    commands = {"extract": extract_cmd, "compile": compile_cmd, "check": check_cmd}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit("usage: python scripts/i18n.py extract|compile|check")
    sys.exit(commands[sys.argv[1]]() or 0)
