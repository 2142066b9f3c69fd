"""whodoes.query.api on the shipped database: the functions the CLI wraps, called directly.

Expected rows are cross-checked against plain SQL on the same database (not hard-coded
counts), so the tests hold while the extraction improves.
"""

import json
import re
import sqlite3
from pathlib import Path

import pytest

from whodoes.errors import DataError, UsageError
from whodoes.query import api as query
from whodoes.query import search

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "plans.sqlite"
DOC_2018 = "liangjiang-2018-green-development-action-plan"
DOC_2021 = "liangjiang-2021-ecological-protection-14th-plan"

pytestmark = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")


def sql(conn, text, *args):
    return conn.execute(text, args).fetchall()


def haystack(r):
    return "\x1f".join(x or "" for x in (r["category"], r["title"], r["text"], r["detail"]))


# ----------------------------------------------------------------------------------------------
# connect


def test_connect_is_read_only(conn):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("CREATE TABLE x (a)")


def test_connect_default_db_is_the_shipped_one(monkeypatch):
    monkeypatch.delenv("WHODOES_DB", raising=False)
    c = query.connect()
    assert c.execute("PRAGMA user_version").fetchone()[0] == 2
    c.close()


# ----------------------------------------------------------------------------------------------
# search_tasks


def test_task_hezhangzhi_every_row_that_mentions_it(conn):
    res = query.search_tasks(conn, "河长制")
    expected = {r["id"] for r in sql(conn, "SELECT * FROM tasks") if "河长制" in haystack(r)}
    exact = {r["id"] for r in res.rows if r["match"] == "exact"}
    assert expected and exact == expected
    for r in res.rows:
        if r["match"] == "exact":
            assert "河长制" in haystack(r)
        leads = [
            x["name"]
            for x in sql(
                conn, "SELECT name FROM task_units WHERE task_id = ? AND role = 'lead' ORDER BY position", r["id"]
            )
        ]
        assert r["lead"] == leads
    # exact matches come first
    matches = [r["match"] for r in res.rows]
    assert matches == sorted(matches, key=lambda m: m != "exact")


def test_task_traditional_query_finds_the_same_rows(conn):
    simp = query.search_tasks(conn, "河长制")
    trad = query.search_tasks(conn, "河長制")
    assert [r["id"] for r in trad.rows] == [r["id"] for r in simp.rows]
    assert trad.searched == "河长制"


@pytest.mark.parametrize("q", ["水质", "河长", "海绵"])
def test_task_two_characters_use_the_bigram_index(conn, q):
    res = query.search_tasks(conn, q)
    expected = {r["id"] for r in sql(conn, "SELECT * FROM tasks") if q in haystack(r)}
    assert {r["id"] for r in res.rows} == expected
    assert "bigram" in res.description


def test_task_one_character_scans(conn):
    res = query.search_tasks(conn, "湖")
    expected = {r["id"] for r in sql(conn, "SELECT * FROM tasks") if "湖" in haystack(r)}
    assert {r["id"] for r in res.rows} == expected


def test_task_several_words_need_all_of_them(conn):
    res = query.search_tasks(conn, "河长制 考核", exact=True)
    for r in res.rows:
        assert "河长制" in haystack(r) and "考核" in haystack(r)
    assert res.rows


def test_task_fuzzy_after_exact(conn):
    res = query.search_tasks(conn, "推进海绵城市建设工作")
    assert res.rows and all(r["match"] == "fuzzy" for r in res.rows)
    assert not query.search_tasks(conn, "推进海绵城市建设工作", exact=True).rows


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "'",
        "%",
        "_",
        "*",
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "a OR b",
        '河长制" OR "水',
        "x*",
        "(",
        ")",
        "^",
        "🙂",
        "河长制\x00",
        "\t河长制\n",
        "-",
        "--",
        "a" * 200,
    ],
)
def test_task_any_text_is_a_query(conn, q):
    """Quotes, wildcards and full-text operators are characters to look for, never syntax:
    the exact matches are the tasks holding every word of the query as written (a plain scan
    here), and the fuzzy matches only come after them."""
    words = " ".join("".join(ch if ch.isprintable() else " " for ch in q).split()).lower().split(" ")
    holding = {
        r["id"]
        for r in conn.execute("SELECT id, category, title, text, detail FROM tasks")
        if all(w in haystack(r).lower() for w in words)
    }
    res = query.search_tasks(conn, q, exact=True)
    assert {r["id"] for r in res.rows} == holding
    assert all(r["match"] == "exact" and all(w in haystack(r).lower() for w in words) for r in res.rows)
    everything = query.search_tasks(conn, q)
    matches = [r["match"] for r in everything.rows]
    assert matches == sorted(matches, key=lambda m: m != "exact")
    assert {r["id"] for r in everything.rows if r["match"] == "exact"} == holding


@pytest.mark.parametrize("q", ["", "   ", "\x00\x01", None, "a" * 201])
def test_task_empty_or_long_query_is_a_usage_error(conn, q):
    with pytest.raises(UsageError):
        query.search_tasks(conn, q)


def test_task_no_match_suggests_parts_that_match(conn):
    text = "管理体制机制创新"
    tasks = [haystack(r) for r in conn.execute("SELECT category, title, text, detail FROM tasks")]
    assert not any(text in t for t in tasks)  # the premise: no task holds it as written
    res = query.search_tasks(conn, text)
    assert not res.rows and res.suggestions
    for suggestion in res.suggestions:  # "体制机制 (3 tasks)": a part of the query, and how many tasks hold it
        part, count = suggestion.rsplit(" (", 1)
        assert part in text and part != text
        assert int(count.split()[0]) == sum(part in t for t in tasks), suggestion


def test_task_filters(conn):
    res = query.search_tasks(conn, "河长制", where="武隆区")
    assert res.rows and {r["jurisdiction"] for r in res.rows} == {"武隆区"}
    res = query.search_tasks(conn, "河长制", doc="2018")
    assert {r["document"] for r in res.rows} == {DOC_2018}
    res = query.search_tasks(conn, "河长制", year=2020)
    for r in res.rows:
        start, end = r["period"].split("-")
        assert int(start) <= 2020 <= int(end)
        assert "target" in r and r["year"] == 2020
    res = query.search_tasks(conn, "河长制", role="support")
    for r in res.rows:
        assert r["support"]
    res = query.search_tasks(conn, "河", limit=3)
    assert len(res.rows) == 3 and res.total > 3


# ----------------------------------------------------------------------------------------------
# tasks_for_unit


def unit_rows(conn, written, doc=None):
    args = [written]
    extra = ""
    if doc:
        extra = " AND t.document_id = ?"
        args.append(doc)
    return {
        (r["task_id"], r["role"])
        for r in sql(
            conn,
            f"SELECT tu.task_id, tu.role FROM task_units tu JOIN tasks t ON t.id = tu.task_id WHERE tu.name = ?{extra}",
            *args,
        )
    }


def test_unit_shengtaihuanjingfenju_2020_is_the_2018_plans_huanbaofenju_rows(conn):
    res = query.tasks_for_unit(conn, "生态环境分局", year=2020)
    got = {(r["id"], r["role"]) for r in res.rows}
    assert got == unit_rows(conn, "环保分局", DOC_2018)
    assert {r["document"] for r in res.rows} == {DOC_2018}
    assert {r["as_written"] for r in res.rows} == {"环保分局"}
    assert {r["jurisdiction"] for r in res.rows} == {"两江新区"}
    assert all(r["year"] == 2020 for r in res.rows)
    # the 2020 target where the table has one
    for r in res.rows:
        t = sql(conn, "SELECT targets FROM tasks WHERE id = ?", r["id"])[0][0]
        if t and '"2020"' in t:
            assert r["target"]
    assert "also written 环保分局" in res.description


def test_unit_rows_grouped_by_document_lead_first(conn):
    res = query.tasks_for_unit(conn, "生态环境分局")
    keys = [(r["unit"], r["document"], r["role"] != "lead") for r in res.rows]
    # every (unit, document) is one run, leads first within it
    seen = set()
    prev = None
    for k in keys:
        if prev is None or k[:2] != prev[:2]:
            assert k[:2] not in seen
            seen.add(k[:2])
        else:
            assert k[2] >= prev[2]  # lead (False) before support (True)
        prev = k
    assert {r["document"] for r in res.rows} == {DOC_2018, DOC_2021}


def test_unit_chengguanju_groups(conn):
    res = query.tasks_for_unit(conn, "城管局")
    units = [u.label for u in res.resolution.units]
    assert set(units) == {"城市管理局 (两江新区)", "城市管理局 (武隆区)", "城市管理局 (重庆市)"}
    assert {r["matched_by"] for r in res.rows} == {"short form"}
    liangjiang = [r for r in res.rows if r["unit"] == "城市管理局 (两江新区)"]
    wulong = [r for r in res.rows if r["unit"] == "城市管理局 (武隆区)"]
    assert {r["document"] for r in liangjiang} == {DOC_2018, DOC_2021}
    assert wulong and {r["as_written"] for r in wulong} == {"区城管局"}
    assert {r["jurisdiction"] for r in wulong} == {"武隆区"}
    # groups do not interleave: all of one unit, then the next
    order = [r["unit"] for r in res.rows]
    assert order == sorted(order, key=units.index)
    assert res.description.startswith("城管局")
    assert "城市管理局 (两江新区), also written 城管局" in res.description


def test_unit_where_narrows(conn):
    res = query.tasks_for_unit(conn, "城管局", where="武隆")
    assert [u.label for u in res.resolution.units] == ["城市管理局 (武隆区)"]
    assert {r["jurisdiction"] for r in res.rows} == {"武隆区"}


@pytest.mark.parametrize("q", ["環保分局", "huanbaofenju", "hbfj", "HBFJ", "huan bao fen ju"])
def test_unit_traditional_and_pinyin_find_the_same_rows(conn, q):
    base = query.tasks_for_unit(conn, "环保分局")
    other = query.tasks_for_unit(conn, q)
    assert [(r["id"], r["role"]) for r in other.rows] == [(r["id"], r["role"]) for r in base.rows]
    assert base.rows


def test_unit_role_filter(conn):
    lead = query.tasks_for_unit(conn, "城管局", role="lead")
    sup = query.tasks_for_unit(conn, "城管局", role="support")
    anyr = query.tasks_for_unit(conn, "城管局")
    assert {r["role"] for r in lead.rows} == {"lead"}
    assert {r["role"] for r in sup.rows} == {"support"}
    assert len(lead.rows) + len(sup.rows) == len(anyr.rows)


def test_unit_no_match(conn):
    res = query.tasks_for_unit(conn, "不存在的单位名称")
    assert not res.rows and not res.resolution
    assert res.suggestions


def test_unit_matched_but_filtered_out_says_where_it_has_tasks(conn):
    res = query.tasks_for_unit(conn, "区城管局", year=2025)  # 武隆区's plan covers 2019-2022
    assert not res.rows and res.resolution
    assert any("wulong" in s for s in res.suggestions)


def test_unit_details(conn):
    res = query.tasks_for_unit(conn, "城管局", limit=2, details=True)
    assert len(res.rows) == 2
    for r in res.rows:
        stored = sql(conn, "SELECT lead_raw, support_raw, targets, inherited FROM tasks WHERE id = ?", r["id"])[0]
        assert r["targets"] == json.loads(stored[2]) and r["inherited"] == json.loads(stored[3])
        # every unit of the task, each from the raw text of its role's cell, the one asked for among them
        assert r["units"] and all(u["role"] in ("lead", "support") for u in r["units"])
        for u in r["units"]:
            assert u["inherited"] or u["name"] in (stored[0] if u["role"] == "lead" else stored[1]), u
        assert any(u["canonical"] == "城市管理局" and u["role"] == r["role"] for u in r["units"])
    lean = query.tasks_for_unit(conn, "城管局", limit=2, details=False)
    assert "targets" not in lean.rows[0]


# ----------------------------------------------------------------------------------------------
# filters


@pytest.mark.parametrize(
    "kw, words",
    [
        ({"year": "abc"}, "--year"),
        ({"year": 1800}, "cover"),
        ({"year": "20 20"}, "--year"),
        ({"role": "boss"}, "lead, support, any"),
        ({"where": "北京"}, "两江新区"),
        ({"where": ""}, "两江新区"),
        ({"doc": "nothing-like-this"}, DOC_2018),
        ({"limit": -1}, "positive"),
        ({"limit": 0}, "positive"),
        ({"limit": "x"}, "positive"),
    ],
)
def test_bad_filter_values_name_the_accepted_ones(conn, kw, words):
    with pytest.raises(UsageError) as e:
        query.check_filters(conn, **kw)
    assert words in str(e.value)
    assert "\n" not in str(e.value)


def test_where_accepts_short_and_traditional_names(conn):
    assert query.check_filters(conn, where="两江").where == ["两江新区"]
    assert query.check_filters(conn, where="兩江新區").where == ["两江新区"]
    assert query.check_filters(conn, where="武隆,云阳").where == ["武隆区", "云阳县"]


def test_doc_accepts_parts_of_ids_and_titles(conn):
    assert query.check_filters(conn, doc="2018").docs == [DOC_2018]
    assert query.check_filters(conn, doc=DOC_2021).docs == [DOC_2021]
    assert set(query.check_filters(conn, doc="liangjiang").docs) == {DOC_2018, DOC_2021}


# ----------------------------------------------------------------------------------------------
# show / docs / units / export


def test_get_task_in_full(conn):
    tid = sql(conn, "SELECT task_id FROM task_units WHERE name = '环保分局' LIMIT 1")[0][0]
    rec = query.get_task(conn, tid)
    for key in (
        "document",
        "section",
        "category",
        "text",
        "targets",
        "lead",
        "support",
        "lead_canonical",
        "support_canonical",
        "inherited",
        "commanders",
        "source_file",
        "line",
        "units",
        "source_text",
    ):
        assert key in rec
    assert any(u["name"] == "环保分局" and u["canonical"] == "生态环境分局" for u in rec["units"])
    assert query.get_task(conn, 10**9) is None
    with pytest.raises(UsageError):
        query.get_task(conn, "abc")


def test_list_documents(conn):
    docs = query.list_documents(conn)
    n = sql(conn, "SELECT count(*) FROM documents")[0][0]
    assert len(docs) == n
    for d in docs:
        assert d["tasks"] == sql(conn, "SELECT count(*) FROM tasks WHERE document_id = ?", d["id"])[0][0]
        assert d["jurisdiction"] and d["period"]
    verbose = query.list_documents(conn, verbose=True)
    assert [d["id"] for d in verbose] == [d["id"] for d in docs]
    for d in verbose:
        # how each layout was read, with its rows: together every task row of the document
        # (indented lines are notes on the layout above them)
        counted = [
            int(n) for line in d["layouts"] if not line.startswith(" ") for n in re.findall(r": (\d+) rows", line)
        ]
        assert counted and sum(counted) == d["tasks"], d["layouts"]


def test_list_units_bodies_first_with_counts(conn):
    units = query.list_units(conn)
    kinds = [u["kind"] for u in units]
    assert kinds == sorted(kinds, key=lambda k: k == "collective")
    cg = next(u for u in units if u["key"] == "两江新区/城市管理局")
    leads = sql(
        conn,
        "SELECT count(DISTINCT task_id) FROM task_units tu JOIN units u ON u.id = tu.unit_id "
        "WHERE u.key = ? AND role = 'lead'",
        "两江新区/城市管理局",
    )[0][0]
    assert cg["leads"] == leads
    two = query.list_units(conn, where="两江新区")
    assert two and {u["jurisdiction"] for u in two} == {"两江新区"}


def test_export_every_row_in_document_order(conn):
    res = query.export_tasks(conn)
    n = sql(conn, "SELECT count(*) FROM tasks")[0][0]
    assert len(res.rows) == n
    order = [
        r["id"]
        for r in sql(
            conn,
            "SELECT t.id FROM tasks t JOIN documents d ON d.id = t.document_id ORDER BY d.ordinal, t.ordinal, t.id",
        )
    ]
    assert [r["id"] for r in res.rows] == order
    keys = {
        "doc_sha256",
        "document",
        "seq",
        "section",
        "category",
        "title",
        "text",
        "targets",
        "lead",
        "support",
        "lead_label",
        "support_label",
        "inherited",
        "line",
        "id",
        "detail",
        "deadline",
        "commanders",
        "lead_canonical",
        "support_canonical",
    }
    assert keys <= set(res.rows[0])


# ----------------------------------------------------------------------------------------------
# broken databases


def test_missing_database(tmp_path):
    with pytest.raises(DataError, match="not found.*whodoes build"):
        query.connect(tmp_path / "nope.sqlite")


# ----------------------------------------------------------------------------------------------
# search_tasks: the filters and the fuzzy step run in SQL (issue 5); same rows as filtering after


@pytest.mark.parametrize(
    "q", ["河长制", "水质", "海绵城市", "推进海绵城市建设工作", "河长制 考核", "生态保护修复", "湖"]
)
def test_task_filters_in_the_sql_keep_the_rows_and_their_order(conn, q):
    everything = query.search_tasks(conn, q, details=False).rows
    for kw, keep in [
        ({"where": "武隆区"}, lambda r: r["jurisdiction"] == "武隆区"),
        ({"where": "两江新区,云阳县"}, lambda r: r["jurisdiction"] in ("两江新区", "云阳县")),
        ({"doc": "2018"}, lambda r: r["document"] == DOC_2018),
        ({"year": 2021}, lambda r: int(r["period"].split("-")[0]) <= 2021 <= int(r["period"].split("-")[-1])),
    ]:
        res = query.search_tasks(conn, q, details=False, **kw)
        assert [(r["id"], r["match"]) for r in res.rows] == [(r["id"], r["match"]) for r in everything if keep(r)], kw
        assert res.unfiltered == len(everything)
    support = query.search_tasks(conn, q, role="support", details=False).rows
    assert [r["id"] for r in support] == [r["id"] for r in everything if r["support"]]


def test_task_limit_reads_only_the_rows_it_shows(conn):
    everything = query.search_tasks(conn, "推进海绵城市建设工作").rows
    res = query.search_tasks(conn, "推进海绵城市建设工作", limit=2)
    assert [r["id"] for r in res.rows] == [r["id"] for r in everything[:2]] and res.total == len(everything)


def test_task_fuzzy_ranks_by_share_of_pairs(conn):
    res = query.search_tasks(conn, "海绵城市建设工作", details=False)
    fuzzy = [r for r in res.rows if r["match"] == "fuzzy"]
    assert fuzzy
    grams = search.bigrams("海绵城市建设工作")
    shares = [sum(g in haystack(r) for g in grams) for r in fuzzy]
    assert shares == sorted(shares, reverse=True) and min(shares) >= max(2, -(-len(grams) * 3 // 5))


def test_task_search_without_the_full_text_indexes_scans(tmp_path, conn):
    copy = tmp_path / "plans.sqlite"
    src = sqlite3.connect(SHIPPED)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.execute("DROP TABLE tasks_fts")
    dst.execute("DROP TABLE task_grams")
    dst.commit()
    dst.close()
    bare = query.connect(copy)
    for q in ["河长制", "水质", "推进海绵城市建设工作", "河长制 考核"]:
        for kw in ({}, {"where": "两江新区"}):
            a = query.search_tasks(conn, q, details=False, **kw)
            b = query.search_tasks(bare, q, details=False, **kw)
            assert [(r["id"], r["match"]) for r in a.rows] == [(r["id"], r["match"]) for r in b.rows], (q, kw)
    bare.close()
