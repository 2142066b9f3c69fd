"""whodoes.query.resolve: a unit query -> units, step by step, on the shipped database."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from whodoes.errors import UsageError
from whodoes.query import db, resolve

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "plans.sqlite"

pytestmark = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")


def labels(res):
    return [u.label for u in res.units]


def test_exact_canonical_name(conn):
    res = resolve.resolve(conn, "生态环境分局")
    assert res.step == "exact"
    assert labels(res) == ["生态环境分局 (两江新区)"]
    assert res.units[0].how == "canonical"


def test_key(conn):
    res = resolve.resolve(conn, "两江新区/城市管理局")
    assert labels(res) == ["城市管理局 (两江新区)"]


def test_short_form_in_every_jurisdiction(conn):
    # 两江新区 and 武隆区 write 城管局 (data/units.toml); 重庆市 writes 市城市管理局, and 城管局
    # is the short form of the body type 城市管理局 (data/bodies.toml)
    res = resolve.resolve(conn, "城管局")
    assert res.step == "alias"
    assert sorted(labels(res)) == ["城市管理局 (两江新区)", "城市管理局 (武隆区)", "城市管理局 (重庆市)"]
    assert all(u.how == "short" and u.matched_by == "short form" for u in res.units)
    assert "short form" in res.describe()


def test_canonical_name_in_three_jurisdictions_grouped(conn):
    res = resolve.resolve(conn, "城市管理局")
    assert set(labels(res)) >= {"城市管理局 (两江新区)", "城市管理局 (武隆区)", "城市管理局 (重庆市)"}


def test_predecessor(conn):
    res = resolve.resolve(conn, "环保分局")
    assert res.step == "predecessor"
    [u] = res.units
    assert u.label == "生态环境分局 (两江新区)"
    assert u.how == "predecessor" and u.change == "renamed" and u.year == 2019
    assert "former name" in res.describe()


def test_merged_predecessor(conn):
    res = resolve.resolve(conn, "国土分局")
    assert labels(res) == ["规划自然资源局 (两江新区)"]
    assert res.units[0].change == "merged"


def test_traditional_characters(conn):
    res = resolve.resolve(conn, "環保分局")
    assert res.step == "traditional"
    assert labels(res) == ["生态环境分局 (两江新区)"]
    assert any("环保分局" in n for n in res.notes)


def test_simplified_by_table_char_by_char(conn):
    assert resolve.simplified_by_table(conn, "環保分局") == "环保分局"
    assert resolve.simplified_by_table(conn, "abc 河長制!") == "abc 河长制!"


@pytest.mark.parametrize("q", ["huanbaofenju", "hbfj", "HBFJ", "Huan Bao Fen Ju", "ｈｂｆｊ"])
def test_pinyin_full_and_initials(conn, q):
    res = resolve.resolve(conn, q)
    assert res.step == "pinyin"
    assert labels(res) == ["生态环境分局 (两江新区)"]


def test_pinyin_initials_can_be_ambiguous(conn):
    res = resolve.resolve(conn, "cgj")
    assert set(labels(res)) >= {"城市管理局 (两江新区)", "城市管理局 (武隆区)"}


def test_fuzzy_only_when_asked(conn):
    res = resolve.resolve(conn, "城关局", fuzzy=True)
    assert res.step == "fuzzy"
    assert "城市管理局 (两江新区)" in labels(res)
    assert all(u.score >= resolve.FUZZY_CUTOFF and u.matched_by == "fuzzy" for u in res.units)


def test_no_fuzzy_answer_by_default_only_suggestions(conn):
    res = resolve.resolve(conn, "城关局")
    assert not res.units
    # the nearest body type's units first: every 城市管理局
    assert sorted(res.suggestions[:3]) == ["城市管理局 (两江新区)", "城市管理局 (武隆区)", "城市管理局 (重庆市)"]


def test_prefix_is_understood_within_its_jurisdiction(conn):
    # 区城管局 is 城管局 in 武隆区, whose plan writes its bodies with 区; not 两江新区's 城管局
    res = resolve.resolve(conn, "区城管局")
    assert labels(res) == ["城市管理局 (武隆区)"]
    res = resolve.resolve(conn, "区生态环境局")
    assert labels(res) == ["生态环境局 (武隆区)"]
    res = resolve.resolve(conn, "县生态环境局")
    assert labels(res) == ["生态环境局 (云阳县)"]


def test_prefixed_jurisdictions(conn):
    found = resolve.prefixed_jurisdictions(conn)
    assert ("武隆区", "区") in found
    assert ("两江新区", "区") not in found  # both 两江新区 plans write their bodies bare


def test_query_led_by_a_jurisdiction(conn):
    assert labels(resolve.resolve(conn, "武隆区城管局")) == ["城市管理局 (武隆区)"]
    assert labels(resolve.resolve(conn, "两江城管局")) == ["城市管理局 (两江新区)"]
    assert labels(resolve.resolve(conn, "武隆城市管理局")) == ["城市管理局 (武隆区)"]


def test_where_narrows_every_step(conn):
    res = resolve.resolve(conn, "城管局", where=["武隆区"])
    assert labels(res) == ["城市管理局 (武隆区)"]
    res = resolve.resolve(conn, "cgj", where="两江")
    assert labels(res) == ["城市管理局 (两江新区)"]
    res = resolve.resolve(conn, "生态环境分局", where=["武隆区"])
    assert "生态环境分局 (两江新区)" not in labels(res)


def test_collectives_after_bodies(conn):
    res = resolve.resolve(conn, "相关部门")
    assert res.units and all(u.kind == "collective" for u in res.units)


def test_nothing_matches_gives_suggestions(conn):
    res = resolve.resolve(conn, "完全不相干的东西")
    assert not res and res.units == [] and res.suggestions
    assert "no unit" in res.describe()
    assert set(res.suggestions) <= unit_labels(conn)


@pytest.mark.parametrize("q", ["", "  ", "\x00", "\u200b\x07", None, "城" * 201])
def test_empty_or_overlong_query(conn, q):
    with pytest.raises(UsageError):
        resolve.resolve(conn, q)


@pytest.mark.parametrize("q", ["'", '"', "%", "_", "*", "OR", "NEAR(", "🙂", "城管局; DROP TABLE units", "a" * 200])
def test_odd_text_resolves_or_not_but_never_fails(conn, q):
    """None of these names a unit: no unit, a "no unit" answer, suggestions (if any) that are
    real units, and the SQL-looking text was only ever text."""
    res = resolve.resolve(conn, q)
    assert not res and res.units == []
    assert "no unit" in res.describe()
    assert set(res.suggestions) <= unit_labels(conn)
    assert conn.execute("SELECT count(*) FROM units").fetchone()[0] > 0


def unit_labels(conn):
    return {
        f"{name} ({where})" if where else name for name, where in conn.execute("SELECT name, jurisdiction FROM units")
    }


def test_resolve_where(conn):
    assert resolve.resolve_where(conn, None) is None
    assert resolve.resolve_where(conn, "两江新区") == ["两江新区"]
    assert resolve.resolve_where(conn, "武隆") == ["武隆区"]
    with pytest.raises(UsageError, match="两江新区"):
        resolve.resolve_where(conn, "上海")


def run_py(code):
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_rapidfuzz_only_at_the_fuzzy_step():
    out = run_py(f"""
        import sys
        from whodoes.query import db
        from whodoes.query import resolve
        c = db.connect({str(SHIPPED)!r})
        for q in ["城管局", "环保分局", "環保分局", "hbfj", "区城管局", "武隆区城管局"]:
            assert resolve.resolve(c, q).units, q
        print("rapidfuzz" in sys.modules)
        resolve.resolve(c, "城关局", fuzzy=True)
        print("rapidfuzz" in sys.modules)
    """)
    assert out.split() == ["False", "True"]


def test_fuzzy_and_suggestions_follow_changes_to_the_database(tmp_path):
    # names and jurisdictions are cached per connection, and dropped when the database changes
    import sqlite3

    copy = tmp_path / "plans.sqlite"
    src = sqlite3.connect(SHIPPED)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    c = db.connect(copy)
    before = resolve.resolve(c, "宇宙飞船站", fuzzy=True)
    assert "宇宙飞船局 (火星区)" not in labels(before) + before.suggestions
    with pytest.raises(UsageError):
        resolve.resolve_where(c, "火星区")
    w = sqlite3.connect(copy)
    uid = w.execute("SELECT max(id) + 1 FROM units").fetchone()[0]
    w.execute(
        "INSERT INTO units (id, key, name, jurisdiction, kind, curated) VALUES (?, ?, ?, ?, 'body', 0)",
        (uid, "火星区/宇宙飞船局", "宇宙飞船局", "火星区"),
    )
    w.execute(
        "INSERT INTO unit_names (name, unit_id, jurisdiction, how) VALUES (?, ?, ?, 'canonical')",
        ("宇宙飞船局", uid, "火星区"),
    )
    w.commit()
    w.close()
    res = resolve.resolve(c, "宇宙飞船站", fuzzy=True)
    assert res.step == "fuzzy" and labels(res) == ["宇宙飞船局 (火星区)"]
    assert resolve.resolve_where(c, "火星区") == ["火星区"]
    c.close()


def test_suggestions_when_nothing_is_near(conn):
    res = resolve.resolve(conn, "宇宙飞船局")
    assert not res.units and res.suggestions
    assert res.suggestions == resolve.suggest(conn, "宇宙飞船局")
