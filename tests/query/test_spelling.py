"""Forgiving task search (issue 16): a one-character typo or a homophone finds the phrase
meant first (海棉城市 -> 海绵城市), pinyin and initials search task text (haimianchengshi,
hmcs), "did you mean" offers whole phrases of the plans, never fragments; a query that
means nothing still exits 1.  The phrases and readings come from the build (phrases,
char_pinyin); the query path reads them with sqlite only."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest

from conftest import SHIPPED, WHODOES, clean_env
from whodoes.build import phrasebook
from whodoes.query import api as query
from whodoes.query import spelling

pytestmark = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")


def run(*args, db=SHIPPED):
    p = subprocess.run([*WHODOES, *args, "--db", str(db)], capture_output=True, env=clean_env(), timeout=120)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def sponge_city_tasks(conn):
    return [r["uid"] for r in query.search_tasks(conn, "海绵城市").rows if r["match"] == "exact"]


@pytest.mark.parametrize(
    "typed", ["海棉城市", "海绵城事", "hmcs", "haimianchengshi", "hai mian cheng shi", "HaiMianChengShi"]
)
def test_typos_pinyin_and_initials_find_the_sponge_city_tasks_first(conn, typed):
    meant = sponge_city_tasks(conn)
    assert meant
    result = query.search_tasks(conn, typed)
    assert [r["uid"] for r in result.rows[: len(meant)]] == meant
    assert "as 海绵城市" in result.description
    assert result.rows[0]["match"] == ("fuzzy" if "海" in typed else "pinyin")  # a typo is a guess, labelled


def test_the_command_line(conn):
    rc, out, err = run("task", "海棉城市", "--format", "csv")
    assert rc == 0 and "as 海绵城市 (same pinyin haimianchengshi)" in err
    first = out.splitlines()[1]
    assert "海绵城市" in first
    rc, out, _ = run("task", "hmcs", "--format", "csv")
    assert rc == 0 and "海绵城市" in out.splitlines()[1]


def test_exact_matches_are_not_second_guessed(conn):
    result = query.search_tasks(conn, "河长制")
    assert result.rows and all(r["match"] == "exact" for r in result.rows)
    assert "as " not in result.description
    # --exact: pinyin still answers (it is the phrase, spelled otherwise), a typo does not
    assert query.search_tasks(conn, "hzz", exact=True).rows
    assert not query.search_tasks(conn, "河长治", exact=True).rows


def phrases(conn):
    return {p for (p,) in conn.execute("SELECT phrase FROM phrases")}


@pytest.mark.parametrize("typed", ["haimianchengshu", "hiamianchengshi", "宇宙飞船城市", "zzqimngx", "宇宙飞船"])
def test_suggestions_are_whole_phrases_never_fragments(conn, typed):
    rc, _, err = run("task", typed, "--format", "csv")
    assert rc == 1  # nothing found: exit 1, with suggestions if any
    known = phrases(conn)
    if "nearest: " in err:
        for item in err.split("nearest: ", 1)[1].strip().split(", "):
            phrase = item.split(" (")[0]
            assert phrase in known and len(phrase) >= 2, item
            assert not phrase.isascii(), item  # never "im" or "ng"
    if typed.startswith(("haimian", "hiamian")):
        assert "海绵城市 (5 tasks)" in err


def test_the_build_keeps_words_not_fragments(conn):
    known = phrases(conn)
    assert {"海绵城市", "海绵", "城市", "河长制", "生态环境"} <= known
    assert not {"绵城", "态环", "江新区", "城市管"} & known
    row = conn.execute("SELECT pinyin, initials, tasks FROM phrases WHERE phrase = '海绵城市'").fetchone()
    assert tuple(row) == ("haimianchengshi", "hmcs", len(sponge_city_tasks(conn)))
    assert spelling.query_pinyin(conn, "海棉城市") == "haimianchengshi"  # 棉 is in no plan: GB2312's readings
    assert spelling.query_pinyins(conn, "重庆")[:2] == ["zhongqing", "chongqing"]  # each character's readings


def test_a_homophone_in_a_less_common_reading(conn):
    """长 reads zhang first; 长将 is a slip for 长江 (changjiang) in its other reading."""
    result = query.search_tasks(conn, "长将")
    assert "as 长江 (same pinyin changjiang)" in result.description
    assert all("长江" in (r["category"] or "") + (r["title"] or "") + r["text"] for r in result.rows[:5])


def test_phrases_of_texts():
    texts = ["推进海绵城市建设。", "加快海绵城市试点,推进河长制。", "落实河长制和湖长制。"]
    found = phrasebook.phrases(texts)
    assert found["海绵城市"] == 2 and found["河长制"] == 2
    assert "绵城" not in found and not any(p.startswith("和") or p.endswith("和") for p in found)


def test_a_database_without_the_phrase_tables_still_searches(tmp_path):
    """A database built before the phrase tables: searches as written, a typo finds nothing."""
    old = tmp_path / "old.sqlite"
    shutil.copyfile(SHIPPED, old)
    with sqlite3.connect(old) as c:
        c.execute("DROP TABLE phrases")
        c.execute("DROP TABLE char_pinyin")
    rc, out, _ = run("task", "海绵城市", "--format", "csv", db=old)
    assert rc == 0 and "海绵城市" in out
    rc, _, err = run("task", "海棉城市", "--format", "csv", db=old)
    assert rc == 1 and err.startswith("whodoes: no task matches") and "Traceback" not in err
