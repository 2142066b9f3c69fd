"""The general catalogue of government bodies: data/bodies.toml -> body types and places.

Build path only.  data/bodies.toml says which *types* of body any Chongqing jurisdiction has
(发展改革委, 生态环境局 ...), their full names, short forms and the names they had before the
2018-2019 reform, and which jurisdictions there are and how their documents prefix their own
bodies (区, 县, 市).  This module loads and validates it and answers two questions:

* ``type_of(name)``: which body type a name (without its prefix) denotes, and how
  (canonical, full, short, predecessor, ending);
* ``strip(name, jurisdiction)``: the name without what a document of that jurisdiction writes
  in front of its bodies (区, 区委, 武隆区, 武隆), longest first.

The facts of one jurisdiction (data/units.toml) are applied by whodoes.build.units.catalog and
override what is generic here.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

BODY_KINDS = ("government", "party", "other")
PLACE_KINDS = ("市", "区", "县", "自治县", "新区", "开发区", "高新区")
CHANGES = ("renamed", "merged")
NAME_HOWS = ("canonical", "full", "short", "predecessor")
MIN_PLACE_CHARS = 2  # an ending (街道, 镇) needs at least this many characters of place name before it

_PLACES_KEYS = {
    "names": True,
    "kind": True,
    "prefixes": True,
    "reason": True,
    "source": True,
    "short": False,
    "parent": False,
    "generic": False,
    "numbers": False,
}
_BODY_KEYS = {
    "type": True,
    "full": True,
    "kind": True,
    "short": True,
    "reason": True,
    "source": True,
    "predecessors": False,
    "endings": False,
}
_PREDECESSOR_KEYS = {"name": True, "year": True, "change": True, "reason": True}


def normalize(name: str) -> str:
    """The form names are compared in: NFKC (full-width brackets -> ASCII), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


class BodiesError(Exception):
    """A problem with the bodies file; the message is one line naming the file."""


@dataclass
class TypeName:
    """One name of a body type: ``how`` canonical | full | short | predecessor."""

    name: str
    type: str
    how: str
    year: int | None = None
    change: str | None = None
    reason: str = ""


@dataclass
class BodyType:
    type: str
    full: str
    kind: str  # government | party | other
    reason: str
    source: str
    names: list[TypeName] = field(default_factory=list)
    endings: list[str] = field(default_factory=list)


@dataclass
class Place:
    name: str
    kind: str
    prefixes: list[str]
    short: list[str]
    parent: str | None
    reason: str
    generic: list[str] = field(default_factory=list)  # short forms that are also common nouns (经开区)
    numbers: list[str] = field(default_factory=list)  # what its document numbers start with (渝府办发)


_BRANCH_IN_PLACE = re.compile(r"(.{2,12}?局)([\u4e00-\u9fff]{2,8}?)分局")


def default_short_forms(name: str, kind: str) -> list[str]:
    """武隆区 -> [武隆]; 石柱土家族自治县 -> [石柱县, 石柱]; 忠县 -> [] (one character left)."""
    if kind == "自治县":
        return [name[:2] + "县", name[:2]]
    for suffix in ("区", "县", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return [name[: -len(suffix)]]
    return []


def _guessed_prefixes(jurisdiction: str) -> list[str]:
    """The prefixes of a jurisdiction neither catalogue lists: 区 for a district (北京市大兴区),
    县 for a county, 市 for a city, by its name's ending (also 省 for a province); all four when it is unknown ("")."""
    if not jurisdiction:
        return ["区", "县", "市", "省"]
    return [jurisdiction[-1]] if jurisdiction[-1] in "区县市省" else []


class Bodies:
    """The body types and places of data/bodies.toml, with the lookups the build needs."""

    def __init__(self, types: list[BodyType], places: list[Place]):
        self.types = {t.type: t for t in types}
        self.places = {p.name: p for p in places}
        self._names: dict[str, TypeName] = {}
        for t in types:
            for n in t.names:
                self._names.setdefault(normalize(n.name), n)
        # endings, longest first: 街道办事处 before 街道
        self._endings = sorted(((e, t.type) for t in types for e in t.endings), key=lambda x: -len(x[0]))
        self._forms: dict[str, str] = {}  # a place's name or short form -> the place
        for p in places:
            for form in (p.name, *p.short):
                self._forms.setdefault(form, p.name)

    @classmethod
    def empty(cls) -> Bodies:
        return cls([], [])

    # -- lookups --------------------------------------------------------------
    def type_of(self, name: str, endings: bool = True) -> TypeName | None:
        """The body type ``name`` (already without its prefix) denotes, or None.

        A name of a type (canonical, full, short or former) first; then a 分局 (branch) of a
        type's 局 (区交通分局 -> 交通局, 国土分局 -> 规划自然资源局 through 国土局); else an ending
        such as 街道 after at least two characters (蔡家岗街道 -> 街道办事处, how "ending").
        """
        n = normalize(name)
        found = self._names.get(n) or self._branch_of(n)
        if found is not None or not endings:
            return found
        for ending, type_ in self._endings:
            if n.endswith(ending) and len(n) - len(ending) >= MIN_PLACE_CHARS:
                return TypeName(n, type_, "ending")
        return None

    def _branch_of(self, n: str) -> TypeName | None:
        """A 分局 of a type that is a 局: the city's bureau keeps a branch (分局) in each district,
        which is the district's body of that type (区交通分局, 区规划分局, 工商分局)."""
        if n.endswith("分局") and len(n) >= 3:
            return self._names.get(n[:-2] + "局")
        return None

    def branch_in_place(self, n: str) -> tuple[str, TypeName] | None:
        """(place as written, type) for a bureau's branch named by its place: 生态环境局咸安分局,
        规划自然资源局大足区分局 (a city bureau's office in one district, which is that district's
        body of the type); None when the part before the place is not a type's 局."""
        m = _BRANCH_IN_PLACE.fullmatch(normalize(n))
        if m is None:
            return None
        bureau = m.group(1)
        found = self._names.get(bureau) or (self._names.get(bureau[1:]) if bureau[0] in "市省" else None)
        return (m.group(2), found) if found is not None else None

    def place_of(self, form: str) -> str | None:
        """The place a name or short form denotes (武隆 -> 武隆区), or None."""
        return self._forms.get(form)

    def place_forms(self) -> dict[str, str]:
        """Every name and short form of a place -> the place."""
        return dict(self._forms)

    def prefixes(self, jurisdiction: str, own: list[str] | None = None) -> list[str]:
        """What documents of ``jurisdiction`` write before their bodies, longest first:
        the place's name and short forms, its prefixes (``own``: those data/units.toml gives,
        which override), and the party-committee forms of the prefixes (区委, 县委)."""
        place = self.places.get(jurisdiction)
        prefixes = list(own) if own is not None else (place.prefixes if place else _guessed_prefixes(jurisdiction))
        forms = [jurisdiction, *(place.short if place else [])]
        forms += [p + "委" for p in prefixes] + list(prefixes)
        return sorted(dict.fromkeys(f for f in forms if f), key=len, reverse=True)

    def places_in_front(self, name: str, jurisdiction: str) -> list[tuple[str, str]]:
        """(place, rest) for another place written in front of ``name`` (重庆市生态环境局 in a
        武隆区 plan -> 重庆市), longest first; a bare 市 stands for the parent of ``jurisdiction``
        when that jurisdiction's own documents do not write 市.  A place's generic short form
        (经开区, 高新区: many districts have one) names it only in documents of its parent."""
        out = []
        for form in sorted(self._forms, key=len, reverse=True):
            place = self._forms[form]
            if place == jurisdiction or not name.startswith(form) or len(name) - len(form) < 2:
                continue
            if form in self.places[place].generic and jurisdiction != self.places[place].parent:
                continue
            out.append((place, name[len(form) :]))
        own = self.places.get(jurisdiction)
        if own is not None and own.parent and "市" not in own.prefixes and name.startswith("市") and len(name) > 2:
            out.append((own.parent, name[1:]))
        return out

    def type_names(self) -> list[TypeName]:
        return [n for t in self.types.values() for n in t.names]

    # -- loading --------------------------------------------------------------
    @classmethod
    def load(cls, path) -> Bodies:
        path = Path(path)
        data = read_toml(path, BodiesError)
        try:
            return cls(_types(data), _places(data))
        except _Invalid as e:
            raise BodiesError(" ".join(f"{path}: {e}".split())) from None


# -- validation -----------------------------------------------------------------


def read_toml(path: Path, error: type[Exception]) -> dict:
    """A curated data file as a dict; ``error`` (one line naming the file) when it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise error(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise error(" ".join(f"{path}: invalid TOML: {e}".split())) from None


class _Invalid(Exception):
    pass


def _check_keys(table, keys: dict[str, bool], where: str) -> None:
    if not isinstance(table, dict):
        raise _Invalid(f"{where}: must be a table")
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise _Invalid(f"{where}: unknown key {unknown[0]!r} (expected one of {', '.join(keys)})")
    missing = [k for k, required in keys.items() if required and k not in table]
    if missing:
        raise _Invalid(f"{where}: missing {missing[0]!r}")


def _text(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _texts(table: dict, key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Invalid(f"{where}: {key} must be a list of non-empty strings")
    return [v.strip() for v in value]


def _choice(table: dict, key: str, allowed: tuple[str, ...], where: str) -> str:
    value = table.get(key)
    if value not in allowed:
        raise _Invalid(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
    return value


def _places(data: dict) -> list[Place]:
    out: list[Place] = []
    for i, group in enumerate(data.get("places", []), 1):
        where = f"places #{i}"
        _check_keys(group, _PLACES_KEYS, where)
        kind = _choice(group, "kind", PLACE_KINDS, where)
        reason = _text(group, "reason", where)
        _text(group, "source", where)
        prefixes = _texts(group, "prefixes", where)
        parent = group.get("parent")
        generic = _texts(group, "generic", where)
        numbers = _texts(group, "numbers", where)
        for name in _texts(group, "names", where):
            short = _texts(group, "short", where) if "short" in group else default_short_forms(name, kind)
            if not set(generic) <= set(short):
                raise _Invalid(
                    f"{where}: generic {sorted(set(generic) - set(short))[0]!r} is not one of its short forms"
                )
            out.append(Place(name, kind, prefixes, short, parent, reason, generic, numbers))
    names = [p.name for p in out]
    for p in out:
        if names.count(p.name) > 1:
            raise _Invalid(f"place {p.name!r} is listed twice")
        if p.parent is not None and p.parent not in names:
            raise _Invalid(f"place {p.name!r}: parent {p.parent!r} is not a place")
    return out


def _types(data: dict) -> list[BodyType]:
    _check_keys(data, {"places": False, "body": False}, "top level")
    out: list[BodyType] = []
    seen: dict[str, str] = {}  # normalized name -> its type
    for i, b in enumerate(data.get("body", []), 1):
        _check_keys(b, _BODY_KEYS, f"body #{i}")
        type_ = _text(b, "type", f"body #{i}")
        where = f"body {type_!r}"
        t = BodyType(
            type_,
            _text(b, "full", where),
            _choice(b, "kind", BODY_KINDS, where),
            _text(b, "reason", where),
            _text(b, "source", where),
            endings=_texts(b, "endings", where),
        )
        # the type's own reason is stored once, in body_types; a former name keeps its own
        t.names.append(TypeName(type_, type_, "canonical"))
        if t.full != type_:
            t.names.append(TypeName(t.full, type_, "full"))
        for short in _texts(b, "short", where):
            t.names.append(TypeName(short, type_, "short"))
        for j, p in enumerate(b.get("predecessors", []), 1):
            _check_keys(p, _PREDECESSOR_KEYS, f"{where} predecessor #{j}")
            old = _text(p, "name", f"{where} predecessor #{j}")
            w = f"{where} predecessor {old!r}"
            year = p["year"]
            if not isinstance(year, int) or isinstance(year, bool):
                raise _Invalid(f"{w}: year must be an integer")
            t.names.append(
                TypeName(old, type_, "predecessor", year, _choice(p, "change", CHANGES, w), _text(p, "reason", w))
            )
        unique = []
        for n in t.names:
            key = normalize(n.name)
            if key in seen and seen[key] != type_:
                raise _Invalid(f"{where}: name {n.name!r} is already a name of {seen[key]!r}")
            if key not in seen:
                unique.append(n)
            seen[key] = type_
        t.names = unique
        out.append(t)
    return out
