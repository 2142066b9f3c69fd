"""The unit catalog: data/units.toml + data/bodies.toml -> canonical units, their names, types.

Build path only. The curated knowledge lives in two reviewed files, each entry with its reason:
data/units.toml holds the facts of single jurisdictions (which written names denote which of
its bodies, renames, the sources' own typos); data/bodies.toml the general catalogue of body
types (发展改革委, 生态环境局 ...) with their short forms and former names, and Chongqing's
jurisdictions with the prefixes their documents write (whodoes.build.units.bodies).  This module
loads, validates and applies them. There are no per-unit rules here.

A written name is always resolved *in the jurisdiction of its document*: 城管局 in a 两江新区
plan and 区城管局 in the 武隆区 plan are two different bodies.  In order: a name data/units.toml
gives that jurisdiction (or one already met there), with or without the jurisdiction's prefix;
then a body type of data/bodies.toml (区发改委 in a 北碚区 plan -> 北碚区's 发展改革委, the
jurisdiction's curated unit of that type if it has one); then a type with another place written
in front (市生态环境局 in a district plan -> 重庆市's).  A name nothing knows becomes a unit of
its own in the document's jurisdiction (``curated=False``, ``type=None``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from whodoes.build.units.bodies import Bodies, BodiesError, TypeName, normalize, read_toml

UNIT_KINDS = ("body", "collective")
ALIAS_KINDS = ("short", "variant", "typo")
CHANGES = ("renamed", "merged")

_JURISDICTION_KEYS = {"name": True, "prefixes": True, "reason": True}  # key -> required
_UNIT_KEYS = {
    "name": True,
    "jurisdiction": True,
    "kind": True,
    "reason": True,
    "note": False,
    "aliases": False,
    "predecessors": False,
    "type": False,
}
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
    type: str | None = None  # the body type of data/bodies.toml (生态环境局), None when unknown


# is_collective: a written name denotes a group rather than one body when it starts with a
# quantifier or a scope word (相关部门, 有关国有企业, 各街道, 其他单位, 市级有关部门, 委机关有关部门,
# 全区经济运行各专班; 区县 = the districts and counties, as a class: 区县指挥中心 is each one's)
# or ends with a generic noun for departments/units (普查成员单位, 有关部门), or with a plural of
# place bodies (镇街 = towns and sub-districts: 沿河镇街; 乡镇: 沿江各乡镇). Generic words that are
# collective without such a marker (bare 街道, 集团, 园区公司, 乡镇人民政府) are marked in
# data/units.toml instead.
_COLLECTIVE_START = (
    "相关",
    "有关",
    "各",
    "其他",
    "其它",
    "所有",
    "委机关",
    "市级",
    "区级",
    "县级",
    "全区",
    "全市",
    "全县",
    "区县",
)
_COLLECTIVE_END = ("部门", "单位", "镇街", "街镇", "乡镇", "镇乡")


def is_collective(name: str) -> bool:
    """True when the written name, by its wording alone, names a group of units (also with
    a short scope word before 各: 区属各重点国企, 沿江各乡镇)."""
    n = normalize(name)
    return n.startswith(_COLLECTIVE_START) or n.endswith(_COLLECTIVE_END) or "各" in n[1:4]


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
        other = re.sub(r"[^a-z0-9]", "", name[pos : m.start()].lower())
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

    def __init__(self, jurisdictions: dict[str, list[str]], units: list[Unit], bodies: Bodies | None = None):
        self.jurisdictions = jurisdictions  # name -> prefixes its documents write (["区"]), data/units.toml
        self.bodies = bodies or Bodies.empty()
        self._units: list[Unit] = []
        self._index: dict[tuple[str, str], Unit] = {}  # (jurisdiction, normalized name) -> unit
        self._keys: dict[str, Unit] = {}
        self._typed: dict[tuple[str, str], list[Unit]] = {}  # (jurisdiction, type) -> units of that type
        for unit in units:
            if unit.type is None and unit.kind == "body":  # a group is of no type
                unit.type = self._type_of_name(unit.name, unit.jurisdiction)
            self._add(unit)

    def _add(self, unit: Unit) -> None:
        self._units.append(unit)
        self._keys.setdefault(unit.key, unit)
        if unit.type:
            self._typed.setdefault((unit.jurisdiction, unit.type), []).append(unit)
        for entry in unit.names:
            self._index.setdefault((unit.jurisdiction, normalize(entry.name)), unit)

    # -- loading --------------------------------------------------------------
    @classmethod
    def load(cls, path, bodies_path=None) -> Catalog:
        """data/units.toml at ``path``; the general catalogue from ``bodies_path``, by default
        the bodies.toml beside it (none there: no general catalogue)."""
        path = Path(path)
        if bodies_path is None and (path.parent / "bodies.toml").is_file():
            bodies_path = path.parent / "bodies.toml"
        try:
            bodies = Bodies.load(bodies_path) if bodies_path else Bodies.empty()
        except BodiesError as e:
            raise CatalogError(str(e)) from None
        data = read_toml(path, CatalogError)
        try:
            return cls._from_data(data, bodies)
        except _Invalid as e:
            raise CatalogError(_one_line(f"{path}: {e}")) from None

    @classmethod
    def _from_data(cls, data: dict, bodies: Bodies | None = None) -> Catalog:
        bodies = bodies or Bodies.empty()
        _check_keys(data, {"jurisdiction": False, "unit": False}, "top level")
        jurisdictions = _jurisdictions(data)
        units: list[Unit] = []
        seen: dict[tuple[str, str], str] = {}  # (jurisdiction, normalized name) -> unit key
        for i, u in enumerate(_tables(data, "unit", "top level"), 1):
            unit = _unit(u, i, jurisdictions, bodies)
            for entry in unit.names:
                n = normalize(entry.name)
                if (unit.jurisdiction, n) in seen:
                    other = seen[unit.jurisdiction, n]
                    raise _Invalid(
                        f"unit {unit.key}: name {entry.name!r} is already used in {unit.jurisdiction} by {other}"
                    )
                seen[unit.jurisdiction, n] = unit.key
            units.append(unit)
        return cls(jurisdictions, units, bodies)

    # -- resolving ------------------------------------------------------------
    def prefixes(self, jurisdiction: str) -> list[str]:
        """What documents of ``jurisdiction`` write before its bodies, longest first (武隆区,
        武隆, 区委, 区); data/units.toml's prefixes override data/bodies.toml's."""
        own = self.jurisdictions.get(jurisdiction)
        return self.bodies.prefixes(jurisdiction, own)

    def _stripped(self, n: str, jurisdiction: str) -> list[str]:
        """``n`` and ``n`` without each prefix of the jurisdiction it starts with; then the
        same without a closing bracketed part (区城市管理局(区整违办) -> 区城市管理局)."""
        forms = [n] + [n[len(p) :] for p in self.prefixes(jurisdiction) if n.startswith(p) and len(n) - len(p) >= 2]
        bare = _BRACKETED_END.sub("", n)
        if bare != n and len(bare) >= 2:
            forms += self._stripped(bare, jurisdiction)
        return forms

    def lookup(self, written: str, jurisdiction: str) -> Unit | None:
        """The unit data/units.toml (or a name already met) gives a written name in
        `jurisdiction`, with or without one of its prefixes, or None; no side effects.

        Tried in order: the name itself (canonical name, alias, predecessor or a form already
        met); then the name without one of the jurisdiction's prefixes, or without the
        jurisdiction's own name (区城管局 -> 城管局 in 武隆区, 重庆市生态环境局 -> 生态环境局).
        """
        for form in self._stripped(normalize(written), jurisdiction):
            unit = self._index.get((jurisdiction, form))
            if unit is not None:
                return unit
        return None

    def _type_of_name(self, name: str, jurisdiction: str) -> str | None:
        """The body type of a curated unit's name (区委宣传部 in 武隆区 -> 宣传部)."""
        for form in self._stripped(normalize(name), jurisdiction):
            found = self.bodies.type_of(form)
            if found is not None:
                return found.type
        return None

    def typed(self, written: str, jurisdiction: str) -> Unit | None:
        """The unit of a body type the written name denotes through data/bodies.toml, in its
        jurisdiction or in a place written in front of it; created when new; else None.

        Names of groups (相关部门, 各街道) are never a body type."""
        n = normalize(written)
        if is_collective(n):
            return None
        found = self._type_match(self._stripped(n, jurisdiction))
        if found is not None:
            return self._unit_of_type(jurisdiction, found)
        for place, rest in self.bodies.places_in_front(n, jurisdiction):
            unit = self.lookup(rest, place)
            if unit is not None:
                return unit
            found = self._type_match([rest])
            if found is not None:
                return self._unit_of_type(place, found)
        return self._branch_in_place(n, jurisdiction)

    def _branch_in_place(self, n: str, jurisdiction: str) -> Unit | None:
        """A city bureau's branch named by its place (市生态环境局咸安分局): the body of that type
        of the place, when the place is known or is the plan's own jurisdiction; else None."""
        for form in self._stripped(n, jurisdiction):
            branch = self.bodies.branch_in_place(form)
            if branch is None:
                continue
            written, found = branch
            place = (
                self.bodies.place_of(written)
                or self.bodies.place_of(written + "区")
                or self.bodies.place_of(written + "县")
            )
            if place is None and jurisdiction and written in jurisdiction:
                place = jurisdiction
            return self._unit_of_type(place, found) if place else None
        return None

    def _type_match(self, forms: list[str]) -> TypeName | None:
        """The type of the first form that is a type's name (市公路处 -> 公路处 -> 公路局); only
        then the first form with a type's ending (区征收中心: a 中心 named by itself)."""
        for form in forms:
            found = self.bodies.type_of(form, endings=False)
            if found is not None:
                return found
        for form in forms:
            found = self.bodies.type_of(form)
            if found is not None and not any(w in form for w in _NOT_ONE_PLACE):
                return found  # not 沿江各乡镇, 有关镇街: more than one place
        return None

    def _unit_of_type(self, jurisdiction: str, found: TypeName) -> Unit:
        """The jurisdiction's unit of a type: its curated one (named as data/units.toml names
        it), or the one met before, or a new one named by the type (or, for a type named by
        its place such as 街道办事处, by the written name: 蔡家岗街道)."""
        name = found.name if found.how == "ending" else found.type
        if found.how != "ending":
            units = self._typed.get((jurisdiction, found.type), [])
            if units:
                return next((u for u in units if u.name == found.type), units[0])
        key = f"{jurisdiction}/{name}"
        unit = self._keys.get(key)
        if unit is None:
            unit = Unit(
                key,
                name,
                jurisdiction,
                "body",
                False,
                "a body type of data/bodies.toml",
                [
                    NameEntry(
                        name,
                        "canonical",
                        reason=f"the {found.type} of {jurisdiction or 'an unknown jurisdiction'} (data/bodies.toml)",
                    )
                ],
                type=found.type,
            )
            self._add(unit)
        return unit

    def resolve(self, written: str, jurisdiction: str | None, where: str | None = None) -> Unit:
        """The unit a name written in a document of `jurisdiction` denotes (ValueError only for an empty name).

        Known names give their unit (``lookup``), then body types (``typed``); a form not yet
        listed for the unit (区生态环境局) is recorded with how="written". Unknown names become
        a new non-curated unit, key "JUR/name", kind from is_collective(); later calls return
        that same unit. `where` (e.g. the document id) goes into the reason of recorded forms.
        """
        jurisdiction = jurisdiction or ""
        n = normalize(written)
        if not n:
            raise ValueError("empty unit name")
        reason = f"written so in {where or 'a document of ' + (jurisdiction or 'unknown jurisdiction')}"
        unit = self.lookup(n, jurisdiction) or self.typed(n, jurisdiction)
        if unit is None:
            kind = "collective" if is_collective(n) else "body"
            unit = Unit(
                f"{jurisdiction}/{n}",
                n,
                jurisdiction,
                kind,
                False,
                "not in data/units.toml",
                [NameEntry(n, "written", reason=reason)],
            )
            self._add(unit)
        elif (jurisdiction, n) not in self._index:
            if not any(e.name == n for e in unit.names):
                unit.names.append(NameEntry(n, "written", reason=reason))
            self._index[jurisdiction, n] = unit
        return unit

    def units(self) -> list[Unit]:
        """All units: curated ones in file order, then implicit ones in order of creation."""
        return list(self._units)


_BRACKETED_END = re.compile(r"\([^()]*\)$")

# a name holding one of these names several places (沿江各乡镇), not one named by its place
_NOT_ONE_PLACE = ("各", "相关", "有关", "等", "及", "和")


def _jurisdictions(data: dict) -> dict[str, list[str]]:
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
    return jurisdictions


def _unit(u: dict, i: int, jurisdictions: dict[str, list[str]], bodies: Bodies) -> Unit:
    """One [[unit]] of data/units.toml, checked."""
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
    type_ = None
    if "type" in u:
        type_ = _text(u, "type", where)
        if bodies.types and type_ not in bodies.types:
            raise _Invalid(f"{where}: type {type_!r} is not a body type of data/bodies.toml")
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
    return Unit(f"{jurisdiction}/{name}", name, jurisdiction, kind, True, note, names, type=type_)


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
