"""``whodoes serve`` in a real browser (issue 16): Chromium from Debian's packages, driven by
Selenium through the system chromedriver (no browser download).

The tests start ``whodoes serve`` on the shipped database on a free port, search for 海绵城市
from the home page, open the task view, a unit's page and a task's page, and check what a
person sees: the task column takes at least a third of the table's width at 1280 px, the
headers are Chinese, the plans are shown by title (never by document id), the counts are the
database's.  They skip only where Chromium, chromedriver or Selenium is truly absent (.ci/run
installs them).  ``WHODOES_SCREENSHOTS=docs`` saves the three pages as docs/web-home.png,
docs/web-unit.png and docs/web-task.png (the README shows them).

Select them with ``-m browser``; they run in the default selection too.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, SHIPPED, serving

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")]

WIDTH = 1280
HEIGHT = 1100
SEARCH = "海绵城市"
CJK = re.compile(r"[\u4e00-\u9fff]")
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def ro():
    conn = sqlite3.connect(f"file:{SHIPPED}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def tasks_containing(term: str) -> list[sqlite3.Row]:
    """The tasks whose title, text or category contain ``term``, in plan order (read here from
    the tables, not through the views the site uses)."""
    return (
        ro()
        .execute(
            "SELECT t.uid, t.text, d.title AS plan FROM tasks t JOIN documents d ON d.id = t.document_id "
            "WHERE instr(coalesce(t.title, '') || ' ' || coalesce(t.text, '') || ' ' || coalesce(t.category, ''), ?) > 0 "
            "ORDER BY d.ordinal, t.ordinal",
            (term,),
        )
        .fetchall()
    )


@pytest.fixture(scope="module")
def site():
    """The base URL of ``whodoes serve`` on the shipped database."""
    from whodoes.web import serve as web

    if web.datasette_version() is None:
        pytest.skip("datasette not installed (pip install -e '.[test]')")
    with serving(SHIPPED) as base:
        yield base


def find_chromium() -> tuple[str | None, str | None]:
    browser = next((p for p in map(shutil.which, BROWSERS) if p), None)
    return browser, shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium not installed (pip install -e '.[test]')")
    binary, driver_path = find_chromium()
    if binary is None or driver_path is None:
        pytest.skip("Chromium or chromedriver not installed (apt-get install chromium chromium-driver; .ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WIDTH},{HEIGHT}",
        "--lang=zh-CN",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_window_size(WIDTH, HEIGHT)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver, name: str) -> None:
    """docs/web-NAME.png when WHODOES_SCREENSHOTS names a folder (relative to the checkout)."""
    folder = os.environ.get("WHODOES_SCREENSHOTS")
    if folder:
        path = Path(folder) if Path(folder).is_absolute() else ROOT / folder
        path.mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(str(path / f"web-{name}.png"))


def css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def headers(table) -> list[str]:
    from selenium.webdriver.common.by import By

    return [
        th.text.replace("▼", "").replace("▲", "").strip() for th in table.find_elements(By.CSS_SELECTOR, "thead th")
    ]


def column_share(table, column: str) -> float:
    """The share of the table's rendered width that the header cell of ``column`` takes."""
    from selenium.webdriver.common.by import By

    th = table.find_element(By.CSS_SELECTOR, f"thead th.col-{column}")
    return th.rect["width"] / table.rect["width"]


def document_ids() -> set[str]:
    return {r[0] for r in ro().execute("SELECT id FROM documents")}


def document_titles() -> set[str]:
    return {r[0] for r in ro().execute("SELECT title FROM documents")}


def check_task_table(table, *, rows_expected: list[sqlite3.Row]) -> None:
    """What a person sees in a task table: Chinese headers, the task text wide, plans by title."""
    from selenium.webdriver.common.by import By

    names = headers(table)
    assert names and all(CJK.search(h) for h in names), names
    assert "任务内容" in names and "牵头单位" in names and "所属规划" in names, names
    assert column_share(table, "task") >= 1 / 3, (names, column_share(table, "task"))
    body = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(body) == len(rows_expected)
    plans = [td.text.strip() for td in table.find_elements(By.CSS_SELECTOR, "tbody td.col-plan")]
    assert plans == [r["plan"] for r in rows_expected]
    assert set(plans) <= document_titles()
    text = table.text
    assert not any(doc_id in text for doc_id in document_ids())
    for row, expected in zip(body, rows_expected):
        assert expected["text"][:20] in row.find_element(By.CSS_SELECTOR, "td.col-task").text


def test_home_searches_tasks_and_units_at_once(site, browser):
    from selenium.webdriver.common.by import By

    expected = tasks_containing(SEARCH)
    assert expected
    browser.get(site + "/")
    assert css(browser, "a[href$='/task_list']"), "the home page links to the task list"
    box = browser.find_element(By.ID, "whodoes-q")
    box.send_keys(SEARCH)
    box.submit()
    table = browser.find_element(By.CSS_SELECTOR, "table.whodoes-tasks")
    check_task_table(table, rows_expected=expected[:20])
    assert f"任务 · tasks ({len(expected)})" in browser.find_element(By.ID, "results").text
    # the plans with their publication under the search
    page = browser.find_element(By.TAG_NAME, "body").text
    for d in ro().execute("SELECT title, issuer, doc_number, date, url FROM documents"):
        for field in filter(None, (d["title"], d["issuer"], d["doc_number"], d["date"], d["url"])):
            assert field in page, field
    assert "seeds/" not in browser.page_source and "copied from" not in browser.page_source
    screenshot(browser, "home")


def test_home_finds_a_unit_by_its_short_form(site, browser):
    """城管局 is a short form: the units it answers for (as whodoes unit resolves them) are listed."""
    from selenium.webdriver.common.by import By

    from whodoes.query import api as query

    res = query.tasks_for_unit(query.connect(str(SHIPPED)), "城管局")
    wanted = {r["unit"] for r in res.rows}  # "城市管理局 (两江新区)"
    assert wanted
    browser.get(site + "/?" + urllib.parse.urlencode({"q": "城管局"}))
    rows = css(browser, "table.whodoes-units tbody tr")
    shown = {
        f"{r.find_element(By.CSS_SELECTOR, 'td.col-unit').text} ({r.find_element(By.CSS_SELECTOR, 'td.col-jurisdiction').text})"
        for r in rows
    }
    assert wanted <= shown


def test_task_view_is_readable(site, browser):
    from selenium.webdriver.common.by import By

    browser.get(site + "/")
    browser.find_element(By.CSS_SELECTOR, "a[href$='/task_list']").click()
    box = browser.find_element(By.ID, "whodoes-q")
    box.send_keys(SEARCH)
    box.submit()
    table = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns")
    check_task_table(table, rows_expected=tasks_containing(SEARCH))
    # no column is empty on every row shown; the facet over the plans shows titles
    for th in table.find_elements(By.CSS_SELECTOR, "thead th"):
        cells = table.find_elements(By.CSS_SELECTOR, f"tbody td.col-{th.get_attribute('data-column')}")
        assert any(c.text.strip() for c in cells), th.text
    facet = browser.find_element(By.ID, "facet-plan")
    assert "所属规划" in facet.text
    items = [li.text.rsplit(" ", 1)[0].strip() for li in facet.find_elements(By.CSS_SELECTOR, "li")]
    assert items and set(items) <= document_titles()
    # the column descriptions are folded away, not 20 lines before the data
    assert not any(dl.is_displayed() for dl in css(browser, "details.whodoes-columns dl"))


# What test_every_page... reads of a page of the task view, in one call (a WebDriver round trip
# per header and per link made the test take half a minute): the share of the table's width the
# task column's header takes (as column_share), the headers' visible text (as headers), the
# number of rows, and the address of the "Next page" link.
PAGE_FACTS = """
const table = document.querySelector('table.rows-and-columns');
const next = [...document.querySelectorAll('a')].find(a => a.innerText.trim() === 'Next page');
return {
  share: table.querySelector('thead th.col-task').getBoundingClientRect().width
    / table.getBoundingClientRect().width,
  headers: [...table.querySelectorAll('thead th')].map(h => h.innerText.replace(/[\u25bc\u25b2]/g, '').trim()),
  rows: table.querySelectorAll('tbody tr').length,
  next: next ? next.href : null,
};
"""


def test_every_page_of_the_task_view_keeps_the_task_text_wide(site, browser):
    """All the tasks, page after page (the long unit lists beside the text included)."""
    browser.get(site + "/plans/task_list")
    pages, seen = 0, 0
    while True:
        page = browser.execute_script(PAGE_FACTS)
        assert page["share"] >= 1 / 3, (browser.current_url, page["share"])
        assert page["headers"] and all(CJK.search(h) for h in page["headers"]), page["headers"]
        pages += 1
        seen += page["rows"]
        if not page["next"]:
            break
        browser.get(page["next"])
    assert seen == ro().execute("SELECT count(*) FROM tasks").fetchone()[0] and pages > 1


def test_unit_page_lists_what_it_leads_and_supports_by_plan(site, browser):
    from selenium.webdriver.common.by import By

    conn = ro()
    unit = conn.execute(
        "SELECT id, name, jurisdiction FROM units WHERE name = '城市管理局' AND jurisdiction = '两江新区'"
    ).fetchone()
    counts = {
        role: conn.execute(
            "SELECT count(DISTINCT task_id) FROM task_units WHERE unit_id = ? AND role = ?", (unit["id"], role)
        ).fetchone()[0]
        for role in ("lead", "support")
    }
    plans = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT d.title FROM task_units tu JOIN tasks t ON t.id = tu.task_id JOIN documents d ON d.id = t.document_id "
            "WHERE tu.unit_id = ?",
            (unit["id"],),
        )
    }
    # from the home page's unit search, as a person would get there
    browser.get(site + "/?" + urllib.parse.urlencode({"q": "城管局"}))
    link = next(
        r.find_element(By.CSS_SELECTOR, "td.col-unit a")
        for r in css(browser, "table.whodoes-units tbody tr")
        if r.find_element(By.CSS_SELECTOR, "td.col-jurisdiction").text == unit["jurisdiction"]
        and r.find_element(By.CSS_SELECTOR, "td.col-unit").text == unit["name"]
    )
    link.click()
    blocks = css(browser, "section.whodoes-unit-block")
    assert len(blocks) == 1, [b.text[:40] for b in blocks]
    block = blocks[0]
    assert block.find_element(By.TAG_NAME, "h1").text.startswith(unit["name"])
    roles = [h.text for h in block.find_elements(By.TAG_NAME, "h2")]
    assert roles == [f"牵头的任务({counts['lead']})", f"配合的任务({counts['support']})"], roles
    shown_plans = {re.sub(r"\(\d+\)$", "", h.text) for h in block.find_elements(By.CSS_SELECTOR, "h3.plan")}
    assert shown_plans == plans
    rows = block.find_elements(By.CSS_SELECTOR, "table.whodoes-tasks tbody tr")
    assert len(rows) == counts["lead"] + counts["support"]
    table = block.find_element(By.CSS_SELECTOR, "table.whodoes-tasks")
    assert column_share(table, "task") >= 1 / 3
    assert all(CJK.search(h) for h in headers(table))
    screenshot(browser, "unit")


def test_task_page_shows_its_source(site, browser):
    from selenium.webdriver.common.by import By

    first = tasks_containing(SEARCH)[0]
    browser.get(site + "/?" + urllib.parse.urlencode({"q": SEARCH}))
    browser.find_element(By.CSS_SELECTOR, "table.whodoes-tasks tbody tr td.col-task a.task-link").click()
    t = (
        ro()
        .execute(
            "SELECT t.*, d.title AS plan, d.file, d.url, d.issuer FROM tasks t JOIN documents d ON d.id = t.document_id WHERE t.uid = ?",
            (first["uid"],),
        )
        .fetchone()
    )
    body = browser.find_element(By.TAG_NAME, "body").text
    assert t["text"] in body and t["plan"] in body and t["file"] in body
    for field in filter(None, (t["issuer"], t["url"])):
        assert field in body
    source = browser.find_element(By.CSS_SELECTOR, "ol.whodoes-source")
    lines = source.find_elements(By.TAG_NAME, "li")
    assert [li.text for li in lines] == [ln.strip() for ln in t["source_text"].split("\n")]
    assert source.get_attribute("start") == str(t["line"])
    leads = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "td.col-lead a.unit")]
    assert leads == [
        r[0]
        for r in ro().execute(
            "SELECT name FROM task_units WHERE task_id = ? AND role = 'lead' ORDER BY position", (t["id"],)
        )
    ]
    screenshot(browser, "task")
