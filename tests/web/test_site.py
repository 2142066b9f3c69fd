"""The site of ``whodoes serve`` without a browser (issue 16): its pages fetched, compared
with the database; the metadata it is given; a database of an older whodoes.
tests/web/test_browser.py looks at the same pages in Chromium.

The pages of the shipped database come from one ``whodoes serve`` for the module (``page``;
a ``whodoes serve --get`` each, a Datasette started per page, took 30 s); ``whodoes serve
--get`` itself fetches the home page and the older database's pages (``get``).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, SHIPPED, WHODOES, clean_env, serving
from whodoes.web import serve as web

METADATA = ROOT / "data" / "datasette-metadata.json"
BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built"),
    pytest.mark.skipif(web.datasette_version() is None, reason="datasette not installed"),
]


def get(path: str, db: Path = SHIPPED) -> str:
    p = subprocess.run(
        [*WHODOES, "serve", "--db", str(db), "--get", path], capture_output=True, timeout=300, env=clean_env(), cwd="/"
    )
    assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
    return p.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def site():
    """The base URL of ``whodoes serve`` on the shipped database."""
    with serving(SHIPPED) as base:
        yield base


def page_of(site: str, path: str) -> str:
    """A page of the running site (as ``get``: it must answer 200)."""
    with urllib.request.urlopen(site + path, timeout=120) as r:
        assert r.status == 200, path
        return r.read().decode("utf-8")


def ro(path: Path = SHIPPED):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def q(text: str) -> str:
    return urllib.parse.quote(text)


def test_every_plan_with_its_publication_on_the_home_page(site):
    page = get("/")  # through whodoes serve --get
    docs = ro().execute("SELECT title, issuer, doc_number, date, url, file FROM documents").fetchall()
    assert docs
    for d in docs:
        for field in filter(None, (d["title"], d["issuer"], d["doc_number"], d["date"], d["url"], d["file"])):
            assert field in page, field
    assert sum(1 for d in docs if d["url"]) >= 4  # the shipped plans whose page on the web is known
    for path in ("/", "/plans", "/plans/documents"):
        page = page_of(site, path)
        assert "seeds/" not in page and "copied from" not in page, path


def test_the_task_view_searches_any_text_of_any_length(site):
    """_q= finds what the full-text index cannot (two characters) and agrees with the tables."""
    conn = ro()
    for term in ("河长", "海绵城市"):
        expected = [
            r[0]
            for r in conn.execute(
                "SELECT t.uid FROM tasks t JOIN documents d ON d.id = t.document_id WHERE instr(coalesce(t.title, '') || ' ' "
                "|| coalesce(t.text, '') || ' ' || coalesce(t.category, ''), ?) > 0 ORDER BY d.ordinal, t.ordinal",
                (term,),
            )
        ]
        assert expected, term
        rows = json.loads(page_of(site, f"/plans/task_list.json?_q={q(term)}&_shape=array&_size=max"))
        assert [r["uid"] for r in rows] == expected, term


def test_the_task_view_shows_plans_by_title_with_chinese_headers(site):
    page = page_of(site, "/plans/task_list?_size=20")
    heads = re.findall(r'<th [^>]*data-column="([^"]+)"[^>]*>\s*(?:<a [^>]*>)?([^<&]+)', page)
    labels = dict(heads)
    assert list(labels)[:2] == ["task", "lead"]
    assert labels["task"].strip() == "任务内容" and labels["plan"].strip() == "所属规划"
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels.values()), labels
    assert not {"id", "uid", "title", "due", "category"} & set(labels)  # hidden: the task cell carries them
    # a column is left out exactly when it is empty on every row of the page, and said so
    first = ro().execute("SELECT * FROM task_list LIMIT 20").fetchall()
    for column in ("lead", "support", "deadline", "plan", "jurisdiction"):
        filled = any(r[column] not in (None, "") for r in first)
        assert (column in labels) == filled, column
        if not filled:
            assert f"({column})" in page.split('class="empty-columns"')[1].split("</p>")[0]
    titles = {r[0] for r in ro().execute("SELECT title FROM documents")}
    assert any(t in page for t in titles)
    facet = re.search(r'id="facet-plan".*?</ul>', page, re.S).group(0)
    assert "所属规划" in facet and not any(d in facet for (d,) in ro().execute("SELECT id FROM documents"))


def test_the_unit_page_answers_by_any_name_and_by_the_plans_jurisdiction(site):
    conn = ro()
    unit = conn.execute("SELECT id FROM units WHERE name = '城市管理局' AND jurisdiction = '两江新区'").fetchone()
    expected = {
        (r[0], r[1])
        for r in conn.execute(
            "SELECT t.uid, tu.role FROM task_units tu JOIN tasks t ON t.id = tu.task_id WHERE tu.unit_id = ?",
            (unit["id"],),
        )
    }
    # the short form as the 两江新区 plans write it, with the plan's jurisdiction (as the task view links it)
    rows = json.loads(
        page_of(site, f"/plans/unit.json?name={q('城管局')}&jurisdiction={q('两江新区')}&_shape=array&_size=max")
    )
    assert {r["unit_id"] for r in rows} == {unit["id"]}
    assert {(r["uid"], r["role"]) for r in rows} == expected
    page = page_of(site, f"/plans/unit?name={q('城管局')}&jurisdiction={q('两江新区')}")
    lead = sum(1 for _, role in expected if role == "lead")
    assert f"牵头的任务({lead})" in page


def test_the_task_page_has_the_source_lines(site):
    t = (
        ro()
        .execute(
            "SELECT t.*, d.title AS plan, d.url FROM tasks t JOIN documents d ON d.id = t.document_id "
            "WHERE t.uid = 'wulong-2019-two-mountains-base-plan/3'"
        )
        .fetchone()
    )
    page = page_of(site, f"/plans/task?uid={q(t['uid'])}")
    assert f'<ol class="whodoes-source" start="{t["line"]}">' in page
    for line in t["source_text"].split("\n"):
        assert f"<li>{line}</li>" in page
    assert t["plan"] in page and t["url"] in page and t["text"] in page
    page = page_of(site, "/plans/task?uid=no/such")
    assert "没有编号为“no/such”的任务" in page


def test_an_older_database_is_served_without_the_queries_it_cannot_run(tmp_path):
    """A database built before documents.url and task_list: the site still serves it; the pages
    that need what it lacks are left out instead of answering with an SQL error."""
    old = tmp_path / "old.sqlite"
    shutil.copyfile(SHIPPED, old)
    conn = sqlite3.connect(old)
    conn.execute("DROP VIEW task_list")
    conn.execute("ALTER TABLE documents DROP COLUMN url")
    conn.commit()
    conn.close()
    meta = web.build_metadata(web.load_metadata(str(METADATA)), ro(old), "old")
    assert "task" not in meta["databases"]["old"]["queries"]
    assert "unit" in meta["databases"]["old"]["queries"]
    assert "task_list" not in meta["databases"]["old"]["tables"]
    get("/", db=old)  # the home page renders (get checks the exit code)
    page = get(f"/?q={q('海绵城市')}", db=old)
    assert "rebuild" in page


def test_plain_datasette_serves_the_same_site():
    """The README's plain Datasette command line (run in the checkout): the same home page search."""
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = re.search(r"^datasette -i .*?(?<!\\)$", readme, re.M | re.S).group(0)
    words = shlex.split(line.replace("\\\n", " "))
    exe = BIN / "datasette"
    words[0:1] = [str(exe)] if exe.exists() else [sys.executable, "-m", "datasette"]
    p = subprocess.run(
        [*words, "--get", f"/?q={q('海绵城市')}"], capture_output=True, timeout=300, env=clean_env(), cwd=ROOT
    )
    assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
    page = p.stdout.decode("utf-8")
    n = len(ro().execute("SELECT id FROM tasks WHERE instr(text, '海绵城市') > 0").fetchall())
    assert f"任务 · tasks ({n})" in page
