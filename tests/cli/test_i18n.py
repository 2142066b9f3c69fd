"""A Chinese interface (issue 16): messages, help and table headers in Chinese when the
locale is Chinese or --lang zh says so, English otherwise; column names of files stay the
field names unless --header zh; the catalogue is complete and its .mo current; help as
Typer shows it (no <bool>, QUERY); a bare query is answered with "did you mean"; stats on
one scale, ties kept, the plans' own labels.

The commands run as a user runs them (the installed command, in a fresh process, against
the shipped database)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SHIPPED, WHODOES, clean_env

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

pytestmark = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")

ZH = {"LANG": "zh_CN.UTF-8"}
C = {"LANG": "C"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def whodoes(*args, env=None):
    p = subprocess.run(
        [*WHODOES, *map(str, args)], capture_output=True, env=clean_env(**(env or {})), cwd="/", timeout=300
    )
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def han(text: str) -> int:
    return len(HAN.findall(text))


# ----------------------------------------------------------------------------------------------
# the language of the interface


def test_help_is_chinese_under_a_chinese_locale_and_english_under_c():
    code, zh, _ = whodoes("--help", env=dict(ZH, COLUMNS="120"))
    assert code == 0
    assert "重庆绿色发展方案中谁负责什么" in zh and "命令" in zh and "选项" in zh
    assert "牵头或配合的全部任务" in zh  # the unit command's line in the list
    code, en, _ = whodoes("--help", env=dict(C, COLUMNS="120"))
    assert code == 0
    assert "Who does what in Chongqing" in en and "Commands" in en and "命令" not in en
    code, unit_zh, _ = whodoes("unit", "--help", env=dict(ZH, COLUMNS="120"))
    assert code == 0 and "某单位牵头或配合的全部任务" in unit_zh and "最多 N 行" in unit_zh and "示例" in unit_zh
    code, unit_en, _ = whodoes("unit", "--help", env=dict(C, COLUMNS="120"))
    assert code == 0 and "Every task a unit leads or supports" in unit_en and "At most N rows." in unit_en


@pytest.mark.parametrize("var", ["LANG", "LC_ALL", "LC_MESSAGES", "WHODOES_LANG"])
def test_any_chinese_locale_variable_turns_messages_chinese(var):
    code, out, err = whodoes("unit", "城关局", env={var: "zh_CN.UTF-8" if var != "WHODOES_LANG" else "zh"})
    assert code == 1 and out == ""
    assert "没有与 '城关局' 匹配的单位" in err and "您是不是要找" in err


def test_errors_in_english_under_c():
    code, _, err = whodoes("unit", "城关局", env=C)
    assert code == 1 and "no unit matches '城关局'; did you mean:" in err
    code, _, err = whodoes("unit", "城管局", "--year", "abc", env=C)
    assert code == 2 and "--year must be a year such as 2020" in err
    code, _, err = whodoes("unit", "城管局", "--year", "abc", env=ZH)
    assert code == 2 and "--year 应为年份" in err and err.count("\n") == 1


def test_lang_overrides_the_environment_either_way():
    code, _, err = whodoes("unit", "城关局", "--lang", "en", env=ZH)
    assert code == 1 and "no unit matches" in err and han(err.split(";")[0]) == 3  # only the query's 城关局
    code, _, err = whodoes("--lang=zh", "unit", "城关局", env=C)
    assert code == 1 and "没有与" in err
    code, _, err = whodoes("--lang", "zh", "unit", "城关局", env={"WHODOES_LANG": "en"})
    assert code == 1 and "没有与" in err
    code, out, err = whodoes("--lang", "fr", "unit", "城管局")
    assert code == 2 and out == "" and "--lang must be zh or en, not 'fr'" in err


def test_typer_errors_follow_the_language():
    # typer 0.2x translates some of its words (No such command), click 8.1 most of them
    code, _, err = whodoes("unit", "城管局", "--bogus", env=ZH)
    assert code == 2 and "--bogus" in err and "（见 `whodoes unit --help`）" in err
    code, _, err = whodoes("untis", env=ZH)
    assert code == 2 and "没有命令 'untis'" in err
    code, _, err = whodoes("unit", "城管局", "--bogus", env=C)
    assert code == 2 and "No such option" in err


def test_table_headers_follow_the_language():
    args = ("unit", "城管局", "--limit", "2", "--format", "table")
    code, zh, _ = whodoes(*args, env=dict(ZH, COLUMNS="120"))
    assert code == 0
    head = next(line for line in zh.splitlines() if line.startswith("┃"))
    assert "编号" in head and "任务" in head and "牵头单位" in head and "配合单位" in head and "角色" in head
    assert "牵头" in zh.split(head, 1)[1]  # the role cells too
    code, en, _ = whodoes(*args, env=dict(C, COLUMNS="120"))
    head = next(line for line in en.splitlines() if line.startswith("┃"))
    assert code == 0 and "id" in head and "task" in head and "lead" in head and not han(head)
    code, zh, _ = whodoes("docs", "--format", "table", env=dict(ZH, COLUMNS="150"))
    assert code == 0 and "标题" in zh and "辖区" in zh and "任务数" in zh


# ----------------------------------------------------------------------------------------------
# column names of files: stable for scripts, Chinese for people with --header zh


def test_csv_and_json_field_names_stay_english_under_a_chinese_locale():
    code, zh, _ = whodoes("unit", "城管局", "--limit", "2", "--format", "csv", env=ZH)
    code2, en, _ = whodoes("unit", "城管局", "--limit", "2", "--format", "csv", env=C)
    assert code == code2 == 0 and zh == en and zh.startswith("id,uid,document,")
    code, out, _ = whodoes("task", "河长制", "--limit", "1", "--format", "json", env=ZH)
    assert code == 0 and "lead" in json.loads(out)[0] and "text" in json.loads(out)[0]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "markdown"])
def test_header_zh_gives_chinese_column_names(fmt):
    from whodoes.i18n import column

    def names(text):
        return [n.strip() for n in re.split(r"[,\t|]", text.splitlines()[0]) if n.strip()]

    code, zh, _ = whodoes("export", "--limit", "3", "--format", fmt, "--header", "zh", env=C)
    code2, en, _ = whodoes("export", "--limit", "3", "--format", fmt, env=ZH)
    assert code == code2 == 0
    assert names(zh) == [column(n, "zh") for n in names(en)]
    assert "稳定编号" in names(zh) and "任务" in names(zh) and "牵头单位" in names(zh)
    assert all(han(n) or "SHA256" in n for n in names(zh)), [n for n in names(zh) if not han(n)]
    assert "id" in names(en) or "uid" in names(en)  # files keep the field names under a Chinese locale
    assert zh.splitlines()[2:] == en.splitlines()[2:]  # the same rows, only the names differ


def test_header_zh_in_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "tasks.xlsx"
    code, _, err = whodoes("task", "河长制", "-o", out, "--header", "zh")
    assert code == 0, err
    ws = openpyxl.load_workbook(out).active
    values = [c.value for row in ws.iter_rows(max_row=3) for c in row if c.value]
    assert "任务" in values and "牵头单位" in values and "配合单位" in values


def test_every_column_name_of_every_command_has_its_chinese_name():
    for args in (
        ["export"],
        ["unit", "城管局"],
        ["task", "河长制"],
        ["due", "--as-of", "2020-01-01", "--within", "1y"],
        ["docs", "--verbose"],
        ["units"],
        ["stats"],
        ["unit", "生态环境局", "--compare"],
        ["show", "1"],
    ):
        code, out, err = whodoes(*args, "--format", "csv", "--header", "zh", env=C)
        assert code == 0, (args, err)
        names = next(csv.reader(io.StringIO(out)))
        assert all(han(n) or "SHA256" in n for n in names), (args, [n for n in names if not han(n)])


# ----------------------------------------------------------------------------------------------
# the catalogue


def test_the_catalogue_is_complete_and_its_mo_current():
    i18n_script = pytest.importorskip("i18n", reason="scripts/i18n.py")
    pytest.importorskip("babel")
    assert i18n_script.missing() == [], "texts without translation: run python scripts/i18n.py extract, translate"
    assert i18n_script.MO.read_bytes() == i18n_script.compiled(), "stale .mo: run python scripts/i18n.py compile"


def test_the_catalogue_reaches_every_kind_of_text():
    from whodoes import i18n

    t = i18n.translation("zh")
    assert t.gettext("no units") == "没有单位"
    assert i18n.column("lead", "zh") == "牵头单位" and i18n.column("lead", "en") == "lead"
    assert t.ngettext("+{n} key project", "+{n} key projects", 3) == "另有 {n} 项重点工程"


@pytest.mark.parametrize(
    "value, lang",
    [
        ("zh_CN.UTF-8", "zh"),
        ("zh_TW", "zh"),
        ("zh", "zh"),
        ("C", "en"),
        ("C.UTF-8", "en"),
        ("en_US.UTF-8", "en"),
        ("de_DE", "en"),
        ("", None),
    ],
)
def test_a_locale_names_its_language(value, lang):
    from whodoes.i18n import normalize

    assert normalize(value) == lang


def test_the_first_locale_variable_set_decides():
    from whodoes.i18n import from_environment

    assert from_environment({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert from_environment({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}) == "en"
    assert from_environment({"LC_MESSAGES": "zh_CN", "LANG": "C"}) == "zh"
    assert from_environment({"WHODOES_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}) == "en"
    assert from_environment({}) == "en"


# ----------------------------------------------------------------------------------------------
# help as Typer shows it; a bare query


def test_help_has_no_type_placeholders_and_names_the_argument():
    for env in (C, ZH):
        code, out, _ = whodoes("unit", "--help", env=dict(env, COLUMNS="120"))
        assert code == 0
        assert "<bool>" not in out and "{QUERY}" not in out
        assert re.search(r"whodoes unit \[OPTIONS\] QUERY\b", out)
    code, out, _ = whodoes("trace", "--help", env=dict(C, COLUMNS="120"))
    assert "whodoes trace [OPTIONS] [TASK_ID]" in out
    code, out, _ = whodoes("add", "--help", env=dict(C, COLUMNS="120"))
    assert "whodoes add [OPTIONS] FILE..." in out


def test_no_private_api_of_typer_click_or_rich():
    for path in (ROOT / "src" / "whodoes").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for private in ("typer._", "click._", "rich._", "_TyperParameter", "from typer.core import _"):
            assert private not in text, f"{path.name} uses {private}"


@pytest.mark.parametrize(
    "env, words",
    [
        (C, "did you mean `whodoes unit 城管局` or `whodoes task 城管局`?"),
        (ZH, "您是想用 `whodoes unit 城管局` 还是 `whodoes task 城管局`？"),
    ],
)
def test_a_bare_query_points_to_unit_and_task(env, words):
    code, out, err = whodoes("城管局", env=env)
    assert code == 2 and out == "" and words in err and err.count("\n") == 1


def test_a_misspelt_command_is_still_typers_suggestion():
    code, _, err = whodoes("untis", env=C)
    assert code == 2 and "No such command 'untis'" in err and "units" in err


# ----------------------------------------------------------------------------------------------
# stats: one scale, ties kept, the plans' own labels


def _chart(*args):
    code, out, err = whodoes("stats", *args, "--format", "table", env=dict(C, COLUMNS="120"))
    assert code == 0, err
    bars = []
    for line in out.splitlines():
        m = re.search(r"\s(\d+)\s+([█▉▊▋▌▍▎▏]+)", line)
        if m:
            blocks = m.group(2)
            eighths = 8 * blocks.count("█") + sum(" ▏▎▍▌▋▊▉".index(c) for c in blocks if c != "█")
            bars.append((int(m.group(1)), eighths))
    return out, bars


def test_stats_bars_share_one_scale_across_jurisdictions():
    out, bars = _chart("--top", "3")
    assert "武隆区" in out and "两江新区" in out
    top_n, top_len = max(bars)
    for n, length in bars:  # each bar is n / top of the longest, to an eighth of a character
        assert abs(length - n / top_n * top_len) <= 1, (n, length, top_n, top_len)
    nine = [length for n, length in bars if n == 9]
    assert nine and nine[0] * 5 < top_len  # 武隆's 9 draws far shorter than 两江's 95


def test_stats_top_keeps_ties():
    code, out, _ = whodoes("stats", "--top", "2", "--where", "武隆区", "--role", "support", "--format", "csv", env=C)
    rows = list(csv.DictReader(io.StringIO(out)))
    tasks = [int(r["tasks"]) for r in rows]
    second = sorted(tasks, reverse=True)[1]
    assert code == 0 and len(rows) > 2 and tasks[2:] == [second] * (len(tasks) - 2)
    assert [r["rank"] for r in rows] == ["1"] + ["2"] * (len(rows) - 1)


def test_stats_names_the_role_with_the_plans_own_label():
    import sqlite3

    conn = sqlite3.connect(f"file:{SHIPPED}?mode=ro", uri=True)
    # 重庆市's plan has no 牵头单位 column: its units are 责任单位
    labels = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT tu.label FROM task_units tu JOIN units u ON u.id = tu.unit_id "
            "WHERE u.jurisdiction = '重庆市' AND tu.role = 'lead'"
        )
    }
    assert labels == {"责任单位"}
    code, out, _ = whodoes("stats", "--where", "重庆市", "--format", "csv", env=C)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and all(r["label"] == "责任单位" for r in rows if r["role"] == "lead")
    out, _ = _chart("--where", "重庆市")
    assert "lead 责任" in out and "牵头" not in out
    code, zh, _ = whodoes("stats", "--where", "重庆市", "--format", "table", env=dict(ZH, COLUMNS="120"))
    assert code == 0 and "牵头 责任" not in zh and "责任" in zh and "谁承担的任务最多" in zh
