"""The unit catalog: data/units.toml -> canonical units, their names, and jurisdictions.

Build path only. The curated knowledge (which written names denote which body, renames and
mergers across reforms, the sources' own typos) lives in data/units.toml, each entry with its
reason; this module only loads, validates and applies it. There are no per-unit rules here.

A written name is always resolved *in the jurisdiction of its document*: 城管局 in a 两江新区
plan and 区城管局 in the 武隆区 plan are two different bodies, and a name the catalog does not
know becomes a unit of its own in that jurisdiction (``curated=False``).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

UNIT_KINDS = ("body", "collective")
ALIAS_KINDS = ("short", "variant", "typo")
CHANGES = ("renamed", "merged")

_JURISDICTION_KEYS = {"name": True, "prefixes": True, "reason": True}  # key -> required
_UNIT_KEYS = {"name": True, "jurisdiction": True, "kind": True, "reason": True,
              "note": False, "aliases": False, "predecessors": False}
_ALIAS_KEYS = {"name": True, "kind": True, "reason": True}
_PREDECESSOR_KEYS = {"name": True, "year": True, "change": True, "reason": True}


class CatalogError(Exception):
    """A problem with the catalog file; the message is one line naming the file."""


@dataclass
class NameEntry:
    """One name of a unit. ``how``: canonical | short | variant | typo | predecessor | written."""

    name: str
    how: str
    year: int | None = None
    change: str | None = None  # renamed | merged, for predecessors
    reason: str = ""


@dataclass
class Unit:
    key: str  # "两江新区/城市管理局"
    name: str
    jurisdiction: str
    kind: str  # body | collective
    curated: bool
    note: str
    names: list[NameEntry] = field(default_factory=list)


def normalize(name: str) -> str:
    """The form names are compared in: NFKC (full-width brackets -> ASCII), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


# is_collective: a written name denotes a group rather than one body when it starts with a
# quantifier or a scope word (相关部门, 有关国有企业, 各街道, 其他单位, 市级有关部门, 委机关有关部门)
# or ends with a generic noun for departments/units (普查成员单位, 有关部门). Generic words that are
# collective without such a marker (bare 街道, 集团, 园区公司, 乡镇人民政府) are marked in
# data/units.toml instead.
_COLLECTIVE_START = ("相关", "有关", "各", "其他", "其它", "所有", "委机关", "市级", "区级", "县级")
_COLLECTIVE_END = ("部门", "单位")


def is_collective(name: str) -> bool:
    """True when the written name, by its wording alone, names a group of units."""
    n = normalize(name)
    return n.startswith(_COLLECTIVE_START) or n.endswith(_COLLECTIVE_END)


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def pinyin_keys(name: str) -> tuple[str, str]:
    """("chengguanju", "cgj") for 城管局: toneless pinyin and initials, lowercase ASCII (ü -> v).

    Chinese runs are converted as phrases (so 重庆 is "chongqing", not "zhongqing"); ASCII
    letters and digits elsewhere are kept whole in both keys; everything else is dropped.
    """
    from pypinyin import Style, lazy_pinyin  # build path only, and only when needed

    full, initials = [], []
    pos = 0
    for m in _CJK_RUN.finditer(name):
        other = re.sub(r"[^a-z0-9]", "", name[pos:m.start()].lower())
        full.append(other)
        initials.append(other)
        for syllable in lazy_pinyin(m.group(), style=Style.NORMAL):
            syllable = re.sub(r"[^a-z0-9]", "", syllable.lower().replace("ü", "v"))
            full.append(syllable)
            initials.append(syllable[:1])
        pos = m.end()
    other = re.sub(r"[^a-z0-9]", "", name[pos:].lower())
    full.append(other)
    initials.append(other)
    return "".join(full), "".join(initials)


class Catalog:
    """Curated units plus the units met while resolving written names."""

    def __init__(self, jurisdictions: dict[str, list[str]], units: list[Unit]):
        self.jurisdictions = jurisdictions  # name -> prefixes its documents write (["区"])
        self._units: list[Unit] = []
        self._index: dict[tuple[str, str], Unit] = {}  # (jurisdiction, normalized name) -> unit
        for unit in units:
            self._add(unit)

    def _add(self, unit: Unit) -> None:
        self._units.append(unit)
        for entry in unit.names:
            self._index.setdefault((unit.jurisdiction, normalize(entry.name)), unit)

    # -- loading --------------------------------------------------------------
    @classmethod
    def load(cls, path) -> "Catalog":
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise CatalogError(f"{path}: cannot read: {e.strerror or e}") from None
        except UnicodeDecodeError:
            raise CatalogError(f"{path}: not UTF-8") from None
        except tomllib.TOMLDecodeError as e:
            raise CatalogError(_one_line(f"{path}: invalid TOML: {e}")) from None
        try:
            return cls._from_data(data)
        except _Invalid as e:
            raise CatalogError(_one_line(f"{path}: {e}")) from None

    @classmethod
    def _from_data(cls, data: dict) -> "Catalog":
        _check_keys(data, {"jurisdiction": False, "unit": False}, "top level")
        jurisdictions: dict[str, list[str]] = {}
        for i, j in enumerate(_tables(data, "jurisdiction", "top level"), 1):
            where = f"jurisdiction #{i}"
            _check_keys(j, _JURISDICTION_KEYS, where)
            name = _text(j, "name", where)
            where = f"jurisdiction {name!r}"
            _text(j, "reason", where)
            prefixes = j["prefixes"]
            if not isinstance(prefixes, list) or not all(isinstance(p, str) and p for p in prefixes):
                raise _Invalid(f"{where}: prefixes must be a list of non-empty strings")
            if name in jurisdictions:
                raise _Invalid(f"{where} is listed twice")
            jurisdictions[name] = list(prefixes)

        units: list[Unit] = []
        seen: dict[tuple[str, str], str] = {}  # (jurisdiction, normalized name) -> unit key
        for i, u in enumerate(_tables(data, "unit", "top level"), 1):
            where = f"unit #{i}"
            _check_keys(u, _UNIT_KEYS, where)
            name = _text(u, "name", where)
            jurisdiction = _text(u, "jurisdiction", where)
            where = f"unit {jurisdiction}/{name}"
            if jurisdiction not in jurisdictions:
                raise _Invalid(f"{where}: unknown jurisdiction {jurisdiction!r} (not a [[jurisdiction]])")
            kind = _choice(u, "kind", UNIT_KINDS, where)
            note = u.get("note", "")
            if not isinstance(note, str):
                raise _Invalid(f"{where}: note must be a string")
            names = [NameEntry(name, "canonical", reason=_text(u, "reason", where))]
            for a in _tables(u, "aliases", where):
                _check_keys(a, _ALIAS_KEYS, f"{where} alias")
                alias = _text(a, "name", f"{where} alias")
                w = f"{where} alias {alias!r}"
                how = _choice(a, "kind", ALIAS_KINDS, w)
                names.append(NameEntry(alias, how, reason=_text(a, "reason", w)))
            for p in _tables(u, "predecessors", where):
                _check_keys(p, _PREDECESSOR_KEYS, f"{where} predecessor")
                old = _text(p, "name", f"{where} predecessor")
                w = f"{where} predecessor {old!r}"
                year = p["year"]
                if not isinstance(year, int) or isinstance(year, bool):
                    raise _Invalid(f"{w}: year must be an integer")
                change = _choice(p, "change", CHANGES, w)
                names.append(NameEntry(old, "predecessor", year, change, _text(p, "reason", w)))
            key = f"{jurisdiction}/{name}"
            for entry in names:
                n = normalize(entry.name)
                if (jurisdiction, n) in seen:
                    other = seen[jurisdiction, n]
                    raise _Invalid(f"{where}: name {entry.name!r} is already used in {jurisdiction} by {other}")
                seen[jurisdiction, n] = key
            units.append(Unit(key, name, jurisdiction, kind, True, note, names))
        return cls(jurisdictions, units)

    # -- resolving ------------------------------------------------------------
    def lookup(self, written: str, jurisdiction: str) -> Unit | None:
        """The unit a written name denotes in `jurisdiction`, or None; no side effects.

        Tried in order: the name itself (canonical name, alias, predecessor or a form already
        met); then the name without one of the jurisdiction's prefixes, or without the
        jurisdiction's own name (区城管局 -> 城管局 in 武隆区, 重庆市生态环境局 -> 生态环境局).
        """
        n = normalize(written)
        unit = self._index.get((jurisdiction, n))
        if unit is not None:
            return unit
        prefixes = [jurisdiction, *self.jurisdictions.get(jurisdiction, [])]
        for prefix in sorted(prefixes, key=len, reverse=True):
            if prefix and n.startswith(prefix) and len(n) > len(prefix):
                unit = self._index.get((jurisdiction, n[len(prefix):]))
                if unit is not None:
                    return unit
        return None

    def resolve(self, written: str, jurisdiction: str | None, where: str | None = None) -> Unit:
        """The unit a name written in a document of `jurisdiction` denotes (ValueError only for an empty name).

        Known names give their unit, and a form not yet listed for it (区生态环境局) is recorded
        with how="written". Unknown names become a new non-curated unit, key "JUR/name", kind
        from is_collective(); later calls return that same unit. A name is never looked up in
        another jurisdiction. `where` (e.g. the document id) goes into the reason of recorded forms.
        """
        jurisdiction = jurisdiction or ""
        n = normalize(written)
        if not n:
            raise ValueError("empty unit name")
        reason = f"written so in {where or 'a document of ' + (jurisdiction or 'unknown jurisdiction')}"
        unit = self.lookup(n, jurisdiction)
        if unit is None:
            kind = "collective" if is_collective(n) else "body"
            unit = Unit(f"{jurisdiction}/{n}", n, jurisdiction, kind, False, "not in data/units.toml",
                        [NameEntry(n, "written", reason=reason)])
            self._add(unit)
        elif (jurisdiction, n) not in self._index:
            unit.names.append(NameEntry(n, "written", reason=reason))
            self._index[jurisdiction, n] = unit
        return unit

    def units(self) -> list[Unit]:
        """All units: curated ones in file order, then implicit ones in order of creation."""
        return list(self._units)


# -- validation helpers ---------------------------------------------------------

class _Invalid(Exception):
    pass


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _check_keys(table: dict, keys: dict[str, bool], where: str) -> None:
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise _Invalid(f"{where}: unknown key {unknown[0]!r} (expected one of {', '.join(keys)})")
    missing = [k for k, required in keys.items() if required and k not in table]
    if missing:
        raise _Invalid(f"{where}: missing {missing[0]!r}")


def _tables(table: dict, key: str, where: str) -> list[dict]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _Invalid(f"{where}: {key} must be a list of tables")
    return value


def _text(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _choice(table: dict, key: str, allowed: tuple[str, ...], where: str) -> str:
    value = table.get(key)
    if value not in allowed:
        raise _Invalid(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
    return value
