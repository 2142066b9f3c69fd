"""A source -> its Document: the backend of its format, imported only when one is built."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from whodoes.build.document.lines import Prepared, prepare_document
from whodoes.build.document.model import Document
from whodoes.build.sources import Source, SourceError, read_source


@dataclass
class Plan:
    """A plan file read for the layout reader: its bytes, its document, its cleaned lines."""

    source: Source
    document: Document
    prepared: Prepared


def read_plan(path: Path, meta: dict | None = None) -> Plan:
    """Read a plan file of any supported format; SourceError (one line) when it cannot be."""
    src = read_source(path, meta)
    doc = load_document(src)
    if doc.encoding:
        src.encoding = doc.encoding
    prepared = prepare_document(doc)
    if not any(ln.text for ln in prepared.lines):
        raise SourceError(f"{src.path.name}: no text in the file")
    return Plan(src, doc, prepared)


def load_document(src: Source) -> Document:
    """Read ``src`` into the document model; SourceError (one line naming the file) when it
    cannot be read: damaged, password-protected, a scan without text, a converter missing."""
    name = src.path.name
    kind = src.format
    data = src.data
    if kind in ("doc", "wps", "et"):
        from whodoes.build.document.office import convert

        data, kind = convert(src.data, name, kind)
    if kind == "text":
        from whodoes.build.document.text import text_document

        return text_document(src.text)
    if kind == "docx":
        from whodoes.build.document.docx import read_docx

        return read_docx(data, name)
    if kind == "pdf":
        from whodoes.build.document.pdf import read_pdf

        return read_pdf(data, name)
    if kind == "html":
        from whodoes.build.document.html import read_html

        return read_html(data, name)
    if kind in ("xlsx", "xls"):
        from whodoes.build.document.sheet import read_sheets

        return read_sheets(data, name, kind)
    raise SourceError(f"{name}: no reader for {kind} files")
