"""Property-based tests (hypothesis) of the parts that meet arbitrary input: the query entry
points, source decoding, the unit splitter, the text clean-up, opening a database.

The query functions may raise ``whodoes.query.db.UsageError`` or ``DataError`` (the CLI turns
them into a one-line message, exit 2) and nothing else, whatever text or filter values
they get.  Decoding gives the text back exactly, for every encoding the builder accepts, or
raises ``SourceError``.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from whodoes.build.cleanup import clean_lines, clean_text, remove_debris
from whodoes.build.parse.split import split_units
from whodoes.build.sources import SourceError, decode, read_source
from whodoes.errors import DataError, UsageError
from whodoes.query import api as query
from whodoes.query import db as wdb

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "plans.sqlite"

needs_db = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# ----------------------------------------------------------------------------------------------
# strategies

# pieces that mean something somewhere: FTS5 and SQL syntax, names and words in the plans,
# pinyin, white space and control characters
FRAGMENTS = [
    '"',
    "'",
    "%",
    "_",
    "*",
    "(",
    ")",
    "^",
    ":",
    "-",
    "+",
    "{",
    "}",
    ",",
    ";",
    "--",
    "/*",
    "\\",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(",
    "MATCH",
    "SELECT",
    "DROP TABLE tasks",
    "' OR 1=1 --",
    "城管局",
    "城市管理局",
    "河长制",
    "河長制",
    "生态环境分局",
    "环保分局",
    "海绵城市",
    "两江",
    "武隆区",
    "水",
    "chengguanju",
    "cgj",
    "hbfj",
    "Cheng Guan",
    "ＣＧＪ",
    " ",
    "\t",
    "\n",
    "\r",
    "\u00a0",
    "\u3000",
    "\u200b",
    "\ufeff",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "🙂",
    "👨\u200d👩\u200d👧",
    "Ελληνικά",
    "Кириллица",
    "العربية",
    "𠀀",
    "\ue000",
    "e\u0301",
]
ANY_CHAR = st.characters(exclude_categories=())  # every code point, lone surrogates included
WORDS = [
    "城管局",
    "城市管理局",
    "河长制",
    "河長制",
    "生态环境分局",
    "环保分局",
    "海绵城市",
    "水质",
    "cgj",
    "chengguanju",
    "hbfj",
    "规划分局",
    "各街道",
    "相关部门",
    "水",
    "绿色发展",
]
QUERY_TEXT = st.one_of(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(["", " ", "\t", "\x07", "\u3000", "🙂", '"', "*", "%", "("])).map(
        lambda t: t[1] + t[0] + t[1]
    ),
    st.text(max_size=60),
    st.text(alphabet=ANY_CHAR, max_size=30),
    st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=6).map(" ".join),
    st.integers(1, 400).map(lambda n: "河" * n),
)
FILTER_TEXT = st.one_of(
    st.none(), st.text(max_size=12), st.text(alphabet=ANY_CHAR, max_size=6), st.sampled_from(FRAGMENTS)
)
YEARS = st.one_of(
    FILTER_TEXT,
    st.integers(-(10**20), 10**20),
    st.integers(2015, 2040),
    st.sampled_from(["2020", " 2020 ", "２０２０", "2020.0", "+2020", "-1", "0x7e4", "1e3"]),
)
ROLES = st.one_of(FILTER_TEXT, st.sampled_from(["lead", "support", "any", "LEAD", " support "]))
WHERES = st.one_of(FILTER_TEXT, st.sampled_from(["两江", "武隆区", "兩江新區", "武隆,云阳", ",", "两江,北京"]))
DOCS = st.one_of(FILTER_TEXT, st.sampled_from(["2018", "liangjiang", "%", "_"]))
LIMITS = st.one_of(st.none(), st.integers(-5, 10**30), st.text(max_size=5), st.sampled_from(["1", "0", "-1", "1e3"]))
ALLOWED = (UsageError, DataError)


def _unit_or_task(conn, unit: bool, q, exact: bool, **filters):
    """``tasks_for_unit`` or ``search_tasks`` (with ``exact``) under the same filters."""
    if unit:
        return query.tasks_for_unit(conn, q, **filters)
    return query.search_tasks(conn, q, exact=exact, **filters)


def _results_are_consistent(res, limit_given: bool):
    assert isinstance(res.rows, list)
    assert isinstance(res.description, str) and "\n" not in res.description
    if not limit_given:
        assert res.total == len(res.rows)
    for row in res.rows:
        assert isinstance(row["id"], int)


# ----------------------------------------------------------------------------------------------
# the query entry points


@needs_db
@SETTINGS
@given(q=QUERY_TEXT)
@example(q="")
@example(q="\ud800")
@example(q="河" * 10000)
@example(q='"河长制" NEAR/2 "水"')
def test_search_tasks_any_text(conn, q):
    try:
        res = query.search_tasks(conn, q)
    except ALLOWED as e:
        assert "\n" not in str(e) and str(e)
        return
    _results_are_consistent(res, False)
    for row in res.rows:
        assert row["match"] in ("exact", "fuzzy", "pinyin")


@needs_db
@SETTINGS
@given(q=QUERY_TEXT)
@example(q="")
@example(q="\udcff")
@example(q="chengguanju" * 50)
def test_tasks_for_unit_any_text(conn, q):
    try:
        res = query.tasks_for_unit(conn, q)
    except ALLOWED as e:
        assert "\n" not in str(e) and str(e)
        return
    _results_are_consistent(res, False)
    for row in res.rows:
        assert row["role"] in ("lead", "support")


@needs_db
@SETTINGS
@given(
    q=QUERY_TEXT, year=YEARS, role=ROLES, where=WHERES, doc=DOCS, limit=LIMITS, exact=st.booleans(), unit=st.booleans()
)
def test_query_entry_points_with_any_filters(conn, q, year, role, where, doc, limit, exact, unit):
    try:
        res = _unit_or_task(conn, unit, q, exact, year=year, role=role, where=where, doc=doc, limit=limit)
    except ALLOWED as e:
        assert "\n" not in str(e) and str(e)
        return
    _results_are_consistent(res, limit is not None)
    if limit is not None:
        assert len(res.rows) <= int(str(limit).strip())


GOOD_YEARS = st.one_of(st.none(), st.integers(2018, 2035), st.sampled_from(["2020", " 2019 "]))
GOOD_ROLES = st.sampled_from([None, "lead", "support", "any"])
GOOD_WHERES = st.sampled_from([None, "两江", "武隆区", "云阳县", "重庆市", "兩江新區", "武隆,云阳"])
GOOD_DOCS = st.sampled_from([None, "2018", "liangjiang", "wulong"])
GOOD_LIMITS = st.one_of(st.none(), st.integers(1, 500))


@needs_db
@SETTINGS
@given(
    q=QUERY_TEXT,
    year=GOOD_YEARS,
    role=GOOD_ROLES,
    where=GOOD_WHERES,
    doc=GOOD_DOCS,
    limit=GOOD_LIMITS,
    exact=st.booleans(),
    unit=st.booleans(),
)
def test_query_entry_points_any_text_with_valid_filters(conn, q, year, role, where, doc, limit, exact, unit):
    """Valid filters, so that the query itself is what varies and runs to the end."""
    try:
        res = _unit_or_task(conn, unit, q, exact, year=year, role=role, where=where, doc=doc, limit=limit)
    except ALLOWED as e:
        event(f"{type(e).__name__}: {str(e)[:12]}")
        assert "\n" not in str(e) and str(e)
        return
    event("rows" if res.rows else "no rows")
    _results_are_consistent(res, limit is not None)
    if year is not None:
        assert all(r["year"] == int(str(year)) for r in res.rows)


@needs_db
@SETTINGS
@given(year=YEARS, role=ROLES, where=WHERES, doc=DOCS, limit=LIMITS)
def test_other_entry_points_with_any_values(conn, year, role, where, doc, limit):
    for call in (
        lambda: query.check_filters(conn, year=year, role=role, where=where, doc=doc, limit=limit),
        lambda: query.export_tasks(conn, year=year, role=role, where=where, doc=doc, limit=limit),
        lambda: query.list_units(conn, where=where),
        lambda: query.get_task(conn, doc if doc is not None else ""),
        lambda: query.get_task(conn, limit if limit is not None else 0),
    ):
        try:
            call()
        except ALLOWED as e:
            assert "\n" not in str(e)


@needs_db
def test_query_entry_points_never_write(conn):
    """The connection is read-only: even a write attempted through it fails."""
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM tasks")


# ----------------------------------------------------------------------------------------------
# decoding sources

PLAN_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),  # CJK (GBK has them all)
        st.sampled_from(list("，。、；：（）《》“”！？—…【】\n\t 0123456789abcXYZ()-.,")),
    ),
    min_size=1,
    max_size=300,
).filter(lambda t: t.strip())


@SETTINGS
@given(text=PLAN_TEXT, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk"]))
@example(text="两江新区城市管理局牵头\n", encoding="gbk")
def test_decode_gives_the_text_back(text, encoding):
    data = text.encode(encoding)
    got, name = decode(data)
    if encoding in ("gb18030", "gbk") and name == "utf-8":
        # a few GBK characters can also be valid UTF-8 (乾 = C7 AC = Ǭ); a whole plan is not
        assert got == data.decode("utf-8") and len(text) < 40
        return
    assert got == text
    assert name == {"gbk": "gb18030"}.get(encoding, encoding)


PLAN_LINES = st.lists(
    st.tuples(
        st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), max_size=12),
        st.text(alphabet=st.sampled_from(list("0123456789abc ()-.,\t")), min_size=1, max_size=6),
    ).map("".join),
    min_size=1,
    max_size=20,
).map("\n".join)


@SETTINGS
@given(text=PLAN_LINES, encoding=st.sampled_from(["utf-16-le", "utf-16-be"]))
@example(text="第一章 总则\n一、二、三\n(2018-2020)", encoding="utf-16-le")
def test_decode_utf16_without_bom(text, encoding):
    # The evidence is the NUL byte of every ASCII character (line breaks, digits, ...), on one
    # side; characters U+xx00 (一 U+4E00) put one on the other side.  A plan has plenty of the
    # former; a text made mostly of the latter is not recognised (and fails the build).
    ascii_count = sum(1 for c in text if c.isascii())
    zero_low = sum(1 for c in text if not c.isascii() and ord(c) & 0xFF == 0)
    assume("\n" in text and ascii_count >= 3 * zero_low + 1)
    got, name = decode(text.encode(encoding))
    assert (got, name) == (text, encoding)


@settings(max_examples=500, deadline=None)
@given(data=st.binary(max_size=400))
@example(data=b"\xef\xbb\xbf\xff")
@example(data=b"\xff\xfe\x00")
@example(data=b"\xfe\xff\xd8\x00")
@example(data=b"\x00\x01\x02abc")
def test_decode_any_bytes_is_text_or_a_source_error(data):
    try:
        text, name = decode(data)
    except SourceError as e:
        assert "\n" not in str(e) and str(e)
        return
    assert isinstance(text, str)
    assert name in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030")
    assert not any("\ud800" <= c <= "\udfff" for c in text)  # what the clean-up gets is encodable


def test_decode_does_not_read_damaged_utf8_as_gb18030():
    text = (ROOT / "data" / "sources").glob("*.txt")
    sample = next(iter(sorted(text))).read_bytes()
    damaged = bytearray(sample)
    damaged[len(damaged) // 2] = 0xFF
    with pytest.raises(SourceError, match=r"UTF-8 with an invalid byte at byte \d+ \(line \d+\)"):
        decode(bytes(damaged))


def test_read_source_names_the_file(tmp_path):
    for name, data, words in [
        ("a.txt", b"", "empty file"),
        ("b.txt", b"\xef\xbb\xbf \n", "empty file"),
        ("c.txt", b"\x80\x80\xff\xff", "not text"),
        ("d.txt", "行\x00".encode() * 10, "not"),
    ]:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(SourceError) as e:
            read_source(tmp_path / name)
        assert str(e.value).startswith(f"{name}: ") and words in str(e.value), str(e.value)


# ----------------------------------------------------------------------------------------------
# the unit splitter and the text clean-up, on any text

UNIT_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(), st.sampled_from(list("局委办、,，;；。.等相关部门各有关/／-—无()（）[]【】\n\t\u00a0\u3000"))
    ),
    max_size=60,
)


@settings(max_examples=500, deadline=None)
@given(cell=st.one_of(st.none(), UNIT_TEXT))
def test_split_units_on_any_text(cell):
    from whodoes.build.parse.markers import SEPARATORS

    pieces = split_units(cell)
    assert isinstance(pieces, list)
    for piece in pieces:
        assert isinstance(piece, str) and piece and piece == piece.strip()
        assert "\n" not in piece
        assert piece not in {"/", "／", "-", "—", "——", "无"}
        assert not piece.endswith(("。", "."))
        if not any(b in piece for b in "(（[【"):
            assert not any(s in piece for s in SEPARATORS), piece
        assert split_units(piece) == [piece]  # a piece is one unit


@settings(max_examples=500, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=200),
        st.lists(st.sampled_from(FRAGMENTS + WORDS + ["關(guān)于", "目????標", "發(fā)展"]), max_size=20).map("".join),
    )
)
def test_cleanup_on_any_text(text):
    """Any text a source can decode to (decode never yields lone surrogates, which OpenCC
    cannot encode; see test_decode_any_bytes_is_text_or_a_source_error)."""
    cleaned = clean_text(text)
    assert isinstance(cleaned, str)
    assert "\u00a0" not in cleaned
    assert clean_text(cleaned) == cleaned  # clean-up is idempotent
    assert remove_debris(remove_debris(text)) == remove_debris(text)
    lines, traditional = clean_lines(text)
    assert len(lines) == len(text.split("\n")) and isinstance(traditional, bool)
    assert [ln.number for ln in lines] == list(range(1, len(lines) + 1))


# ----------------------------------------------------------------------------------------------
# opening a database: DataError for anything that is not a whodoes database


@needs_db
@settings(max_examples=60, deadline=None)
@given(
    cut=st.integers(0, 1_700_000), seed=st.integers(0, 2**32), mode=st.sampled_from(["truncate", "scribble", "header"])
)
@example(cut=0, seed=6552645, mode="scribble")  # scribbles sqlite_master: text that is not UTF-8
@example(cut=0, seed=633, mode="scribble")  # a NULL id from a damaged page: TypeError in the query code
def test_connect_to_a_damaged_copy(tmp_path_factory, cut, seed, mode):
    data = bytearray(SHIPPED.read_bytes())
    rnd = random.Random(seed)
    cut = cut % len(data)
    if mode == "truncate":
        data = data[:cut]
    elif mode == "scribble":
        for _ in range(64):
            i = rnd.randrange(len(data))
            data[i] = rnd.randrange(256)
    else:
        data[cut % 100] = rnd.randrange(256)
    path = tmp_path_factory.mktemp("damaged") / "plans.sqlite"
    path.write_bytes(bytes(data))
    wdb._opened.clear()
    try:
        c = wdb.connect(path)
    except DataError as e:
        assert "\n" not in str(e)
        return
    try:  # it opened: a query gives rows or an sqlite3 error (the CLI makes that a DataError, exit 2)
        query.search_tasks(c, "河长制")
        query.tasks_for_unit(c, "城管局")
        query.list_documents(c)
    except ALLOWED:
        pass
    except (sqlite3.DatabaseError, UnicodeDecodeError) as e:  # both are caught by the CLI
        assert "\n" not in str(wdb.database_error(e))
    except Exception:  # noqa: BLE001 - data that breaks the query code: the CLI asks quick_check
        damaged = wdb.diagnose()
        assert damaged is not None, "an error on a database that quick_check finds sound"
        assert "database is damaged" in str(damaged) and "\n" not in str(damaged)
    finally:
        c.close()
        wdb._opened.clear()
        shutil.rmtree(path.parent, ignore_errors=True)


def test_connect_never_uses_immutable_and_opens_read_only():
    uri = wdb._uri("/tmp/x #1?.sqlite")
    assert uri.endswith("?mode=ro") and "immutable" not in uri
    assert "%23" in uri and "%3f" in uri


@needs_db
def test_connect_does_not_create_files(tmp_path):
    db = tmp_path / "plans.sqlite"
    shutil.copy(SHIPPED, db)
    c = wdb.connect(db)
    query.search_tasks(c, "河长制")
    c.close()
    assert os.listdir(tmp_path) == ["plans.sqlite"]
