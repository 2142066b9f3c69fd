"""Levels (issue 15): key projects (重点工程 paragraphs) and tasks told apart by structure, a
table row linked to the key project its category names; stats counts each level on its own."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from whodoes.build.levels import project_links, row_levels, similarity
from whodoes.build.parse.model import TaskRow

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "plans.sqlite"


def rows(sql, *args):
    conn = sqlite3.connect(SHIPPED)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_the_2018_plan_has_21_key_projects_and_86_tasks():
    counts = dict(rows("SELECT level, count(*) FROM tasks WHERE document_id LIKE 'liangjiang-2018%' GROUP BY level"))
    assert counts == {"project": 21, "task": 86}
    # plans of one level only: every row a task
    assert (
        rows("SELECT count(*) FROM tasks WHERE document_id NOT LIKE 'liangjiang-2018%' AND level != 'task'")[0][0] == 0
    )


def test_every_table_row_links_to_the_project_its_category_numbers():
    linked = rows("""SELECT t.category, p.seq, p.level FROM tasks t JOIN tasks p ON p.uid = t.project
                      WHERE t.document_id LIKE 'liangjiang-2018%'""")
    assert len(linked) == 86
    for category, seq, level in linked:
        assert level == "project"
        assert re.match(r"\d+", category).group(0) == seq  # "13.实施智慧城市建设工程" -> project 13


def test_levels_follow_structure_not_documents():
    para = TaskRow(part="inline", text="实施城市绿化提升工程。……", line=1, category="实施城市绿化提升工程", seq="1")
    other = TaskRow(part="inline", text="推进智慧城市建设工程。……", line=2, category="推进智慧城市建设工程", seq="2")
    table = TaskRow(part="table", text="推进城市立体绿化。", line=3, category="1.实施城市绿化提升工程")
    renamed = TaskRow(part="table", text="完善信息基础设施。", line=4, category="2.实施智慧城市建设工程")
    stray = TaskRow(part="table", text="其他。", line=5, category="3.加强组织领导")
    levels = row_levels([para, other, table, renamed, stray])
    assert levels == ["project", "project", "task", "task", "task"]
    unlinked = TaskRow(part="inline", text="加强组织领导。", line=6, category="加强组织领导")
    assert row_levels([para, unlinked, table]) == ["project", "task", "task"]  # no table row names it
    assert project_links([para, other, table, renamed, stray], levels) == [None, None, 0, 1, None]
    assert row_levels([para, other]) == ["task", "task"]  # paragraphs alone: tasks
    heading = TaskRow(part="inline", text="……", line=1, section="三、重点工程")
    assert row_levels([heading]) == ["project"]
    assert similarity("实施智慧城市建设工程", "推进智慧城市建设工程") > 0.6


def test_stats_counts_projects_and_tasks_apart(conn):
    from whodoes.query import api as query

    stats = {(r["role"], r["unit"]): r for r in query.unit_stats(conn, where="两江新区", top=50)}
    lead = stats[("lead", "城市管理局")]
    n = rows("""SELECT t.level, count(DISTINCT t.id) FROM task_units tu JOIN tasks t ON t.id = tu.task_id
                 JOIN units u ON u.id = tu.unit_id WHERE u.key = '两江新区/城市管理局' AND tu.role = 'lead'
                 GROUP BY t.level""")
    assert (lead["tasks"], lead["projects"]) == (dict(n)["task"], dict(n)["project"])
    assert lead["projects"] > 0
