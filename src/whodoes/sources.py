"""Sources: read a plan's bytes, detect its encoding, and know what it is.

Each source file in the sources folder is kept byte for byte; its sha256 goes
into the database.  ``metadata.toml`` beside the files says what each one is
(title, issuing body, jurisdiction, number, date, plan period).  Files it
does not describe get metadata inferred from their text (see ``infer``).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

METADATA_FILE = "metadata.toml"
SOURCE_SUFFIXES = {".txt", ".md", ".text"}


class SourceError(Exception):
    """A source that cannot be used; the message names the file."""


@dataclass
class Source:
    id: str  # the file stem: the document's id in the database
    path: Path
    data: bytes
    text: str
    encoding: str
    sha256: str
    meta: dict = field(default_factory=dict)


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes of a plan; return (text, encoding name).

    BOMs first (UTF-8, UTF-16), then strict UTF-8, then UTF-16 without BOM
    (many NUL bytes), then GB18030 (a superset of GBK and GB2312, the usual
    encodings of files saved by Chinese office software on Windows).
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data.count(b"\x00") > len(data) // 4:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text, enc
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as e:
        raise SourceError(f"not UTF-8, UTF-16 or GB18030 text (byte {e.start})") from None


def read_source(path: Path, meta: dict | None = None) -> Source:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SourceError(f"{path}: cannot read: {e.strerror}") from None
    if not data.strip():
        raise SourceError(f"{path.name}: empty file")
    try:
        text, encoding = decode(data)
    except SourceError as e:
        raise SourceError(f"{path.name}: {e}") from None
    if "\x00" in text:
        raise SourceError(f"{path.name}: binary data, not a text file")
    return Source(
        id=path.stem,
        path=path,
        data=data,
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        meta=dict(meta or {}),
    )


def load_metadata(folder: Path) -> dict[str, dict]:
    """Read ``metadata.toml`` of a sources folder: file name -> metadata dict."""
    import tomllib  # build path only

    path = Path(folder) / METADATA_FILE
    if not path.exists():
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SourceError(f"{path}: not valid TOML: {e}") from None
    out: dict[str, dict] = {}
    for entry in doc.get("document", []):
        if "file" not in entry:
            raise SourceError(f"{path}: a [[document]] entry has no 'file'")
        out[entry["file"]] = entry
    return out


def source_files(folder: Path) -> list[Path]:
    """The plan files of a folder, in name order (the order of the database)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder")
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES and not p.name.startswith(".")
    )


def parse_period(value: str | None) -> tuple[int | None, int | None]:
    """'2018-2020', '2019—2022年', '2025' -> (start, end)."""
    if not value:
        return None, None
    years = [int(y) for y in re.findall(r"(?:19|20)\d\d", str(value))]
    if not years:
        return None, None
    return years[0], years[-1]
