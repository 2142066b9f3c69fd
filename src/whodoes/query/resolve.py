"""Query-time resolution of a unit query (城管局, 環保分局, cgj ...) to units.

The steps, in order; the first step that finds a unit wins and is reported:

1. ``exact``        the canonical name of a unit (units.name or unit_names how=canonical),
                    or its key "两江新区/城市管理局";
   ``alias``        a short form, variant, typo or written form (unit_names.how);
   ``predecessor``  an earlier name of a unit (unit_names how=predecessor: 环保分局 ->
                    生态环境分局); a successor's tasks include those written under its
                    predecessors, since they share the unit.
   All three are one name lookup: a name can be the canonical name of one unit and an
   alias of another (城管局 in 两江新区 and in 武隆区); every such unit is returned.
2. ``traditional``  the query converted character by character with chars_t2s, then 1.
3. ``pinyin``       full pinyin or initials (chengguanju, cgj; unit_names.pinyin/initials).
4. ``fuzzy``        rapidfuzz over every name (whodoes.query.fuzzy, imported only then); only with
                    ``fuzzy=True`` (``--fuzzy``): otherwise a fuzzy guess never answers, it
                    becomes the suggestions ("did you mean ..."), units of the nearest body
                    type first.

Body types (the general catalogue, data/bodies.toml, stored in type_names at build time):
at step 1 the query is also looked up among the names of the body types (canonical, full,
short, former: 发改委, 环保局, 规资局), which gives every unit of that type (units.type).  The
units of a name and those of a type are combined, except when the query is a unit's own
canonical name that is not a type's name (生态环境分局 is 两江新区's office, not every
生态环境局).  Each unit says how it was found (``UnitMatch.matched_by``: exact, short form,
predecessor, traditional, pinyin, fuzzy).

Jurisdiction prefixes: a written 区城管局 in 武隆区 is 城管局 there.  A query 区城管局 also finds
城管局 in the jurisdictions whose documents write their bodies with the prefix 区 (武隆区, not
两江新区; see ``whodoes.query.jurisdictions.prefixed_jurisdictions``), and a query 城管局 also finds a written 区城管局,
县城管局 or 市城管局.  A query led by a jurisdiction (武隆区城管局, 两江城管局) looks only there.
``where`` (a list of jurisdictions) narrows every step.  A query led by a jurisdiction the
database has no plan of (江北区城管局) finds nothing and says so (``Resolution.no_plan``).

Here: the steps (``resolve``), the exact/alias/predecessor and pinyin lookups, the query
text (``clean_query``, ``simplified_by_table``) and ``--where`` (``resolve_where``).
Standard library + sqlite3 only, except rapidfuzz at the fuzzy step.
"""

from __future__ import annotations

import sqlite3

from whodoes.errors import UsageError
from whodoes.i18n import _
from whodoes.query.jurisdictions import (
    PREFIXES,
    document_jurisdictions,
    jurisdiction_order,
    jurisdictions,
    place_forms,
    prefixed_jurisdictions,
    short_jurisdiction,
    split_jurisdiction,
)
from whodoes.query.matching import (  # noqa: F401  (re-exported)
    FUZZY_BAND,
    FUZZY_CUTOFF,
    HOW_RANK,
    HOW_WORDS,
    MATCHED_BY_HOW,
    MATCHED_BY_STEP,
    STEP_OF_HOW,
    UNIT_COLUMNS,
    UnitMatch,
    ascii_letters,
    best_per_unit,
    match_from,
)

MAX_QUERY = 200
PARTY_PREFIXES = ("区委", "县委", "市委")


class Resolution:
    """What a unit query resolved to; ``describe()`` is the line shown above the results."""

    def __init__(self, query: str, cleaned: str, where: list[str] | None = None):
        self.query = query
        self.cleaned = cleaned
        self.where = where
        self.step: str | None = None  # the step that found the units, None when nothing matched
        self.text = cleaned  # the text looked up last (after traditional -> simplified)
        self.units: list[UnitMatch] = []
        self.notes: list[str] = []  # e.g. "traditional characters: 环保分局"
        self.suggestions: list[str] = []  # nearest units when nothing matched
        self.no_plan: str | None = None  # a jurisdiction written in the query that no plan of the database is of

    def __repr__(self) -> str:
        return f"Resolution({self.cleaned!r}, step={self.step!r}, units={self.units!r})"

    def __bool__(self) -> bool:
        return bool(self.units)

    @property
    def unit_ids(self) -> list[int]:
        return [u.unit_id for u in self.units]

    def describe(self) -> str:
        head = self.cleaned
        if self.notes:
            head += _(" ({notes})").format(notes=_("; ").join(self.notes))
        if not self.units:
            if self.no_plan:
                return _("{query}: no plan of {jurisdiction} in the database").format(
                    query=head, jurisdiction=self.no_plan
                )
            return _("{query}: no unit").format(query=head)
        body = _("; ").join(u.describe(self.text) for u in self.units)
        where = _(" [where {jurisdictions}]").format(jurisdictions="、".join(self.where)) if self.where else ""
        return f"{head} -> {body}{where}"


# ----------------------------------------------------------------------------------------------
# query text


def printable(text: str) -> str:
    """Control and other unprintable characters as spaces, white space collapsed."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def clean_query(query: str | None) -> str:
    """Drop control characters and collapse white space; empty -> UsageError."""
    if query is None:
        query = ""
    text = printable(str(query))
    if not text:
        raise UsageError(_("empty query: give a unit (城管局, cgj) or words to search for (河长制)"))
    if len(text) > MAX_QUERY:
        raise UsageError(_("query too long ({n} characters; at most {max})").format(n=len(text), max=MAX_QUERY))
    return text


def simplified_by_table(conn: sqlite3.Connection, text: str) -> str:
    """Traditional -> simplified, character by character, with the chars_t2s table."""
    chars = sorted({ch for ch in text if ord(ch) > 0x2E7F})
    if not chars:
        return text
    marks = ",".join("?" * len(chars))
    table = dict(conn.execute(f"SELECT trad, simp FROM chars_t2s WHERE trad IN ({marks})", chars).fetchall())
    if not table:
        return text
    return "".join(table.get(ch, ch) for ch in text)


# ----------------------------------------------------------------------------------------------
# --where


def resolve_where(conn: sqlite3.Connection, where: str | None) -> list[str] | None:
    """``--where`` text -> the jurisdictions it names (两江 -> 两江新区); unknown -> UsageError."""
    if where is None:
        return None
    text = printable(where)
    if not text:
        raise UsageError(_("--where needs a jurisdiction: one of {names}").format(names="、".join(jurisdictions(conn))))
    documents = document_jurisdictions(conn)
    known: list[str] | None = None  # every jurisdiction, read only when a part needs it
    wanted: list[str] = []
    for part in text.replace("，", ",").replace("、", ",").split(","):
        part = part.strip()
        if not part:
            continue
        simp = simplified_by_table(conn, part)
        if part in documents and simp in documents:  # a document's jurisdiction, as written
            hits = [j for j in documents if j in (part, simp)]
        else:
            known = known or jurisdictions(conn)
            hits = [j for j in known if j in (part, simp)]
        if not hits:
            known = known or jurisdictions(conn)
            hits = [j for j in known if short_jurisdiction(j) in (part, simp) or j.startswith(simp)]
        if not hits:
            raise UsageError(
                _("unknown jurisdiction {name!r} for --where: use one of {names}").format(
                    name=part, names="、".join(known or [])
                )
            )
        wanted.extend(h for h in hits if h not in wanted)
    if not wanted:
        raise UsageError(_("--where needs a jurisdiction: one of {names}").format(names="、".join(jurisdictions(conn))))
    return wanted


# ----------------------------------------------------------------------------------------------
# lookups


def _allowed(
    jurisdiction: str | None, need_prefix: str | None, where: list[str] | None, prefixed: set | None = None
) -> bool:
    if where is not None and jurisdiction not in where:
        return False
    if need_prefix is not None and (jurisdiction, need_prefix) not in (prefixed or set()):
        return False
    return True


def lookup_names(conn: sqlite3.Connection, name: str, where: list[str] | None = None) -> list[UnitMatch]:
    """Units that have ``name`` as canonical name, key, alias, written form or former name.

    Also tries the name with a jurisdiction prefix (区/县/市): added (城管局 finds a written
    区城管局) or removed (区城管局 finds 城管局, only where the documents use that prefix).
    """
    forms: dict[str, str | None] = {name: None}  # form -> prefix the jurisdiction must use
    for p in PREFIXES:
        forms.setdefault(p + name, None)
    if len(name) > 2 and name[0] in PREFIXES:
        forms.setdefault(name[1:], name[0])
    names = list(forms)
    marks = ",".join("?" * len(names))
    scope, scope_args = "", []
    if where is not None:  # the same test as _allowed, in the SQL: a name may be every district's unit
        scope, scope_args = f" AND u.jurisdiction IN ({','.join('?' * len(where))})", list(where)
    rows = conn.execute(
        f"""SELECT {UNIT_COLUMNS}, un.name AS matched, un.how, un.year, un.change
              FROM unit_names un JOIN units u ON u.id = un.unit_id
             WHERE un.name IN ({marks}){scope}
            UNION ALL
            SELECT {UNIT_COLUMNS}, u.name AS matched, 'canonical' AS how, NULL, NULL
              FROM units u WHERE (u.name IN ({marks}) OR u.key = ?){scope}""",
        [*names, *scope_args, *names, name, *scope_args],
    ).fetchall()
    prefixed = None
    out = []
    for row in rows:
        need = None if row["matched"] == row["key"] else forms.get(row["matched"])
        if need is not None and prefixed is None:
            prefixed = prefixed_jurisdictions(conn)
        if _allowed(row["unit_jurisdiction"], need, where, prefixed):
            out.append(match_from(row))
    return best_per_unit(out, name)


def _unprefixed(name: str) -> dict[str, str | None]:
    """``name`` -> None, and the name without a prefix (区, 市委 ...) -> the prefix (区, 市) the
    jurisdiction must write: 市环保局 -> {市环保局: None, 环保局: 市}."""
    forms: dict[str, str | None] = {name: None}
    if len(name) > 3 and name[:2] in PARTY_PREFIXES:
        forms.setdefault(name[2:], name[0])
    if len(name) > 2 and name[0] in PREFIXES:
        forms.setdefault(name[1:], name[0])
    return forms


def lookup_types(conn: sqlite3.Connection, name: str, where: list[str] | None = None) -> list[UnitMatch]:
    """Every unit whose body type has ``name`` as its canonical, full, short or former name
    (type_names, from data/bodies.toml): 发改委 -> every jurisdiction's 发展改革委.  A prefix
    (市环保局) keeps the jurisdictions whose documents write it."""
    forms = _unprefixed(name)
    names = list(forms)
    scope, scope_args = "", []
    if where is not None:
        scope, scope_args = f" AND u.jurisdiction IN ({','.join('?' * len(where))})", list(where)
    rows = conn.execute(
        f"""SELECT {UNIT_COLUMNS}, tn.name AS matched, tn.how, tn.year, tn.change
              FROM type_names tn JOIN units u ON u.type = tn.type
             WHERE tn.name IN ({",".join("?" * len(names))}){scope}""",
        [*names, *scope_args],
    ).fetchall()
    prefixed = None
    out = []
    for row in rows:
        need = forms.get(row["matched"])
        if need is not None and prefixed is None:
            prefixed = prefixed_jurisdictions(conn)
        if _allowed(row["unit_jurisdiction"], need, where, prefixed):
            out.append(match_from(row, by_type=True))
    return best_per_unit(out, name)


def is_type_name(conn: sqlite3.Connection, name: str) -> bool:
    """Is ``name`` (or it without a prefix) the canonical or full name of a body type?"""
    names = list(_unprefixed(name))
    row = conn.execute(
        f"SELECT 1 FROM type_names WHERE name IN ({','.join('?' * len(names))}) AND how IN ('canonical', 'full') LIMIT 1",
        names,
    ).fetchone()
    return row is not None


def lookup_units(conn: sqlite3.Connection, name: str, where: list[str] | None = None) -> list[UnitMatch]:
    """Step 1: the units of a name (``lookup_names``) and of a body type (``lookup_types``).

    The query's own canonical name of a unit answers alone unless it is also a type's name:
    生态环境分局 is 两江新区's office, 生态环境局 every jurisdiction's (两江新区's 分局 too)."""
    named = lookup_names(conn, name, where)
    own = any(m.how == "canonical" and m.matched in (name, m.key) for m in named)
    if own and not is_type_name(conn, name):
        return named
    typed = lookup_types(conn, name, where)
    if not typed:
        return named
    by_unit = {m.unit_id: m for m in typed}
    by_unit.update({m.unit_id: m for m in named})  # a unit's own name says more than its type's
    return list(by_unit.values())


def lookup_pinyin(conn: sqlite3.Connection, letters: str, where: list[str] | None = None) -> list[UnitMatch]:
    """Units one of whose names has this full pinyin or these initials."""
    rows = conn.execute(
        f"""SELECT {UNIT_COLUMNS}, un.name AS matched, un.how, un.year, un.change
              FROM unit_names un JOIN units u ON u.id = un.unit_id
             WHERE un.pinyin = ? OR un.initials = ?""",
        (letters, letters),
    ).fetchall()
    out = [match_from(r, step="pinyin") for r in rows if _allowed(r["unit_jurisdiction"], None, where)]
    return best_per_unit(out)


def suggest(conn: sqlite3.Connection, text: str, where: list[str] | None = None, n: int = 5) -> list[str]:
    """The nearest units to ``text`` as labels ("城市管理局 (两江新区)"), best first, for "did
    you mean" lines: the units of the nearest one's body type first (城管句 -> every
    城市管理局), then the others by score."""
    return [m.label for m in nearest(conn, text, where, n)]


def nearest(conn: sqlite3.Connection, text: str, where: list[str] | None = None, n: int = 5) -> list[UnitMatch]:
    """The units of ``suggest``, as matches (fuzzy scores)."""
    try:
        from whodoes.query.fuzzy import lookup_fuzzy

        found = [m for m in lookup_fuzzy(conn, text, where, cutoff=0.0, band=None, limit=n) if (m.score or 0) > 0]
    except ImportError:  # pragma: no cover - rapidfuzz is a dependency
        return []
    if not found or not found[0].type:
        return found
    best = found[0]
    args = [best.type, *(where or [])]
    scope = f" AND u.jurisdiction IN ({','.join('?' * len(where))})" if where else ""
    rows = conn.execute(
        f"""SELECT {UNIT_COLUMNS}, u.name AS matched, 'canonical' AS how, NULL AS year, NULL AS change
              FROM units u WHERE u.type = ?{scope}""",
        args,
    ).fetchall()
    same = {m.unit_id: m for m in found if m.type == best.type}
    for row in rows:
        same.setdefault(row["unit_id"], match_from(row, step="fuzzy", score=best.score, by_type=True))
    pos = jurisdiction_order(conn)
    ordered = sorted(same.values(), key=lambda m: (-(m.score or 0), pos.get(m.jurisdiction or "", len(pos))))
    ordered += [m for m in found if m.unit_id not in same]
    return ordered[: max(n, len(same))]


# ----------------------------------------------------------------------------------------------
# the resolver


def _order(conn: sqlite3.Connection, matches: list[UnitMatch]) -> list[UnitMatch]:
    pos = jurisdiction_order(conn)
    return sorted(
        matches,
        key=lambda m: (
            -(m.score or 0),
            HOW_RANK.get(m.how, 9),
            m.kind == "collective",
            pos.get(m.jurisdiction or "", len(pos)),
            m.name,
        ),
    )


def resolve(
    conn: sqlite3.Connection, query: str, where: list[str] | str | None = None, *, fuzzy: bool = False
) -> Resolution:
    """Resolve a unit query; see the module docstring for the steps.

    ``where``: jurisdictions to look in (a list from ``resolve_where`` or one name).
    ``fuzzy``: let the fuzzy step answer; without it, what it finds are only suggestions.
    Never raises for odd input except UsageError for an empty or overlong query.
    """
    cleaned = clean_query(query)
    if isinstance(where, str):
        where = resolve_where(conn, where)
    res = Resolution(query=query, cleaned=cleaned, where=where)
    text = cleaned.replace(" ", "")
    found, text = _lookups(conn, res, text, where)
    scope = where
    jur, rest = split_jurisdiction(text, place_forms(conn))
    if jur is not None and (where is None or jur in where):
        scope = [jur]
        if not found and jur not in jurisdictions(conn) and _names_a_body(conn, rest):
            res.no_plan = jur
    if not found and res.no_plan is None and fuzzy:
        from whodoes.query.fuzzy import lookup_fuzzy

        found = lookup_fuzzy(conn, rest if jur is not None else text, scope)
        if found:
            res.step = "fuzzy"
            res.notes.append(_("no exact match; nearest names (a guess)"))
    res.text = text
    res.units = _order(conn, found)
    if not found:
        res.suggestions = suggest(conn, rest if res.no_plan else text, None)
    return res


def _names_a_body(conn: sqlite3.Connection, name: str) -> bool:
    """Does ``name`` name a unit or a type of body somewhere (城管局), so that a place written
    in front of it (江北区城管局) is a jurisdiction asked about, not part of another name?"""
    if lookup_units(conn, name):
        return True
    names = list(_unprefixed(name))
    marks = ",".join("?" * len(names))
    return conn.execute(f"SELECT 1 FROM type_names WHERE name IN ({marks}) LIMIT 1", names).fetchone() is not None


def _lookups(
    conn: sqlite3.Connection, res: Resolution, text: str, where: list[str] | None
) -> tuple[list[UnitMatch], str]:
    """Steps 1-3 (names and body types, traditional characters, pinyin): the units found and
    the text looked up last (simplified)."""
    forms = place_forms(conn)

    def names_step(name: str) -> list[UnitMatch]:
        found = lookup_units(conn, name, where)
        jur, rest = split_jurisdiction(name, forms)
        if not found and jur is not None and (where is None or jur in where):
            found = lookup_units(conn, rest, [jur])
        return found

    found = names_step(text)
    if found:
        res.step = min((m.step for m in found), key=["exact", "alias", "predecessor"].index)
        hows = []
        for m in found:
            word = _(HOW_WORDS[m.how]) if m.how in HOW_WORDS else m.how
            if m.how not in ("canonical", "predecessor") and m.matched == text and word not in hows:
                hows.append(word)
        if hows:
            res.notes.append("/".join(hows))
        return found, text
    simp = simplified_by_table(conn, text)
    if simp != text:
        found = names_step(simp)
        if found:
            res.notes.append(_("traditional characters: {text}").format(text=simp))
            for m in found:
                m.step = "traditional"
            res.step = "traditional"
        text = simp
    if not found:
        letters = ascii_letters(text)
        if letters:
            found = lookup_pinyin(conn, letters, where)
            if found:
                res.step = "pinyin"
                res.notes.append(_("pinyin {letters}").format(letters=letters))
    return found, text
