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
TEXT_SUFFIXES = {".txt", ".md", ".text"}
# the published formats, read by whodoes.build.document.load (imported only when one is built)
FORMAT_SUFFIXES = {
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xlsx": "xlsx",
    ".xls": "xls",
    ".doc": "doc",
    ".wps": "wps",
    ".et": "et",
}
SOURCE_SUFFIXES = TEXT_SUFFIXES | set(FORMAT_SUFFIXES)


def format_of(path: Path) -> str:
    """ "text" for plain text, else the format's name ("docx", "pdf", "html", ...)."""
    return FORMAT_SUFFIXES.get(Path(path).suffix.lower(), "text")


class SourceError(Exception):
    """A source that cannot be used; the message names the file."""


@dataclass
class Source:
    id: str  # the file stem: the document's id in the database
    path: Path
    data: bytes
    text: str  # the decoded text of a text file; "" for the other formats
    encoding: str  # of a text file (or of a web page, once read); "" for the other formats
    sha256: str
    meta: dict = field(default_factory=dict)
    format: str = "text"  # see format_of


ENCODINGS = "UTF-8, UTF-16 or GB18030/GBK"

# characters plain text does not hold: C0/C1 controls other than white space, private use,
# lone surrogates, the replacement character.  Many of them mean a wrong guess of encoding.
_IMPLAUSIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd\U000f0000-\U0010ffff]")


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _plausible(text: str, slack: int = 2) -> bool:
    """Text, not bytes of another encoding: at most 0.5 % implausible characters (or ``slack``)."""
    return len(_IMPLAUSIBLE.findall(text)) <= max(slack, len(text) // 200)


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few damaged bytes (not GBK, where nearly every non-ASCII byte is invalid UTF-8)."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return good >= 20 * bad


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes of a plan; return (text, encoding name); SourceError when they are not text.

    BOMs first (UTF-8 -> "utf-8-sig", UTF-16 -> "utf-16"), then strict UTF-8 ("utf-8"),
    then UTF-16 without BOM ("utf-16-le"/"utf-16-be": NUL bytes, which UTF-8 and GB18030
    text never holds, at odd/even offsets), then GB18030 ("gb18030", a superset of GBK
    and GB2312, the usual encodings of files saved by Chinese office software on
    Windows).  Nothing is decoded with replacement characters: UTF-8 with a few damaged
    bytes is an error naming the first one (not mojibake read as GB18030), and a
    decoding that gives text full of control or private-use characters is rejected.
    """
    found = _with_bom(data)
    if found is not None:
        return found
    utf8: str | None = None
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError as e:
        utf8_error = e
    else:
        if "\x00" not in utf8 and _plausible(utf8):
            return utf8, "utf-8"
    found = _utf16_without_bom(data)
    if found is not None:
        return found
    if utf8 is not None:
        raise SourceError("UTF-8, but full of control characters or NUL bytes: not a text file")
    return _gb18030(data, utf8_error)


def _with_bom(data: bytes) -> tuple[str, str] | None:
    """Text that starts with a UTF-8 or UTF-16 byte-order mark; None without one."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as e:
            pos = e.start + len(codecs.BOM_UTF8)
            raise SourceError(
                f"starts with a UTF-8 byte-order mark but is not valid UTF-8 (byte {pos}, line {_line_of(data, pos)})"
            ) from None
        return text, "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise SourceError(
                f"starts with a UTF-16 byte-order mark but is not valid UTF-16 (byte {e.start})"
            ) from None
        if not _plausible(text):
            raise SourceError("starts with a UTF-16 byte-order mark but does not decode to text")
        return text, "utf-16"
    return None


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a byte-order mark: NUL bytes (which UTF-8 and GB18030 text never
    holds) on one side, odd or even offsets; None when the bytes are not that."""
    if b"\x00" not in data or len(data) % 2:  # (UTF-16 of ASCII text is valid UTF-8, full of NULs)
        return None
    odd = data[1::2].count(b"\x00")
    even = data[0::2].count(b"\x00")
    enc = "utf-16-le" if odd >= even else "utf-16-be"
    if 2 * min(odd, even) > max(odd, even):  # ASCII's NULs fall on one side (CJK U+xx00 puts a few on the other)
        return None
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        return None
    return (text, enc) if "\x00" not in text and _plausible(text, slack=0) else None


def _gb18030(data: bytes, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    """Bytes that are not UTF-8 read as GB18030, unless they are UTF-8 with a few damaged bytes."""
    if _mostly_utf8(data):
        pos = utf8_error.start
        raise SourceError(
            f"UTF-8 with an invalid byte at byte {pos} (line {_line_of(data, pos)}); mend the file or save it again as UTF-8"
        )
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise SourceError(
            f"not text in {ENCODINGS} (undecodable byte {e.start}, line {_line_of(data, e.start)})"
        ) from None
    if not _plausible(text):
        raise SourceError(f"not text in {ENCODINGS} (decodes to control or private-use characters)")
    return text, "gb18030"


def read_source(path: Path, meta: dict | None = None) -> Source:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SourceError(f"{path}: cannot read: {e.strerror}") from None
    if not data.strip():
        raise SourceError(f"{path.name}: empty file")
    kind = format_of(path)
    if kind != "text":  # read by its backend (whodoes.build.document.load)
        return Source(
            id=path.stem,
            path=path,
            data=data,
            text="",
            encoding="",
            sha256=hashlib.sha256(data).hexdigest(),
            meta=dict(meta or {}),
            format=kind,
        )
    try:
        text, encoding = decode(data)
    except SourceError as e:
        raise SourceError(f"{path.name}: {e}") from None
    if "\x00" in text:
        raise SourceError(f"{path.name}: binary data, not a text file")
    if not text.strip():
        raise SourceError(f"{path.name}: empty file (no text after the byte-order mark)")
    return Source(
        id=path.stem,
        path=path,
        data=data,
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        meta=dict(meta or {}),
    )


class TomlError(ValueError):
    """Text that is not valid TOML; the message says where."""


def parse_toml(text: str) -> dict:
    """TOML text -> dict (TomlError when it is not TOML).  By rtoml (Rust): a province's
    metadata.toml has 10,000 entries, which tomllib reads in 0.75 s and rtoml in 0.12 s, and
    ``whodoes add`` reads it three times."""
    import rtoml  # build path only

    try:
        return rtoml.loads(text)
    except (rtoml.TomlParsingError, ValueError) as e:
        raise TomlError(" ".join(str(e).split())) from None


def load_metadata(folder: Path) -> dict[str, dict]:
    """Read ``metadata.toml`` of a sources folder: file name -> metadata dict."""
    path = Path(folder) / METADATA_FILE
    if not path.exists():
        return {}
    try:
        doc = parse_toml(path.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise SourceError(f"{path}: cannot read: {e.strerror}") from None
    except (TomlError, UnicodeDecodeError) as e:
        raise SourceError(f"{path}: not valid TOML: {' '.join(str(e).split())}") from None
    entries = doc.get("document", [])
    if not isinstance(entries, list) or not all(isinstance(x, dict) for x in entries):
        raise SourceError(f"{path}: 'document' must be [[document]] tables")
    out: dict[str, dict] = {}
    for entry in entries:
        if not isinstance(entry.get("file"), str):
            raise SourceError(f"{path}: a [[document]] entry has no 'file'")
        out[entry["file"]] = entry
    return out


def source_files(folder: Path) -> list[Path]:
    """The plan files of a folder, in name order (the order of the database)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder")
    try:
        return sorted(
            p
            for p in folder.iterdir()
            if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES and not p.name.startswith(".")
        )
    except OSError as e:
        raise SourceError(f"{folder}: cannot list the folder: {e.strerror}") from None


def parse_period(value: str | None) -> tuple[int | None, int | None]:
    """'2018-2020', '2019—2022年', '2025' -> (start, end)."""
    if not value:
        return None, None
    years = [int(y) for y in re.findall(r"(?:19|20)\d\d", str(value))]
    if not years:
        return None, None
    return years[0], years[-1]
