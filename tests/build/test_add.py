"""``whodoes add FILE...`` (issue 7): copy byte for byte, infer, describe, rebuild; refuse to
overwrite; a failed build adds nothing.

Every test works on a copy of data/sources in tmp_path, with small plans written here;
the real data/sources and the shipped database are never touched (checked at the end).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import NOT_PLANS, WHODOES, clean_env
from whodoes.cli import app as cli

ROOT = Path(__file__).resolve().parents[2]
REAL_SOURCES = ROOT / "data" / "sources"
SHIPPED = ROOT / "data" / "plans.sqlite"

pytestmark = pytest.mark.skipif(not REAL_SOURCES.is_dir(), reason="data/sources missing")

# A district plan: title with its period, issuing body, number and date, three tasks in clauses.
JINYUN = """重庆市北碚区人民政府办公室
关于印发北碚区缙云山生态保护行动方案（2022—2025年）的通知
北碚府办发〔2022〕7号

北碚区缙云山生态保护行动方案（2022—2025年）
一、重点任务
　　1．开展缙云山生态修复。完成退化林修复1000亩。（牵头单位：区林业局；配合单位：区规划自然资源局、区生态环境局）
　　2．整治违法建筑。依法拆除保护区内违法建筑。（牵头单位：区城市管理局；配合单位：各镇街）
　　3．加强森林防火。建立网格化巡查制度。（牵头单位：区应急局；配合单位：区林业局）

重庆市北碚区人民政府办公室
2022年3月1日
"""

# No district in the title: the jurisdiction comes from the issuing body; no period printed:
# from the date of issue (2023) to the target year (到2025年).
ISSUER_ONLY = """重庆市北碚区人民政府
关于加强城乡污水治理的实施意见

各镇人民政府、街道办事处，区政府各部门：
　　到2025年，城市生活污水集中收集率达到75%以上。
二、重点任务
　　1．完善污水管网。新建污水管网50公里。（牵头单位：区住房城乡建委；配合单位：区城市管理局）
　　2．治理农村生活污水。提高农村生活污水治理率。（牵头单位：区农业农村委；配合单位：区生态环境局）

重庆市北碚区人民政府
2023年6月1日
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.name: sha(p) for p in sorted(folder.iterdir()) if p.is_file()}


def plan_files(folder: Path) -> dict[str, str]:
    """``tree_digest`` without the lock file a build of the folder holds while it runs (tests
    in other workers build data/sources, and may be doing so at this moment)."""
    from whodoes.build.transaction import LOCK_NAME

    return {name: digest for name, digest in tree_digest(folder).items() if name != LOCK_NAME}


@pytest.fixture(scope="module", autouse=True)
def real_data_untouched():
    before = plan_files(REAL_SOURCES)
    db_before = sha(SHIPPED) if SHIPPED.exists() else None
    yield
    assert plan_files(REAL_SOURCES) == before, "a test changed data/sources"
    if db_before is not None:
        assert sha(SHIPPED) == db_before, "a test changed data/plans.sqlite"


@pytest.fixture
def work(tmp_path):
    """tmp_path with sources/ (a copy of data/sources); the database goes to tmp_path/plans.sqlite."""
    shutil.copytree(REAL_SOURCES, tmp_path / "sources", ignore=NOT_PLANS)
    return tmp_path


def run(*args, cwd):
    p = subprocess.run([*WHODOES, *map(str, args)], capture_output=True, cwd=cwd, env=clean_env(), timeout=300)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def write(path: Path, text: str, encoding="utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def entries(sources: Path) -> dict[str, dict]:
    doc = tomllib.loads((sources / "metadata.toml").read_text(encoding="utf-8"))
    return {e["file"]: e for e in doc["document"]}


def db_doc(db: Path, doc_id: str):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    doc = conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
    n = conn.execute("SELECT count(*) FROM tasks WHERE document_id = ?", (doc_id,)).fetchone()[0]
    return doc, n


# ----------------------------------------------------------------------------------------------


@pytest.mark.lowest
def test_add_copies_infers_describes_and_rebuilds(work):
    plan = write(work / "jinyun.txt", JINYUN)
    code, out, err = run("add", plan, "--sources", work / "sources", cwd=work)
    assert code == 0, err
    copy = work / "sources" / "jinyun.txt"
    assert copy.read_bytes() == plan.read_bytes()
    # the report: what was inferred, and the task rows found
    assert "title        北碚区缙云山生态保护行动方案（2022—2025年）  [inferred from the heading lines]" in out
    assert "jurisdiction 北碚区  [inferred" in out
    assert "period       2022-2025  [inferred from the title]" in out
    assert "task rows    3" in out
    assert "inferred: title, issuer, jurisdiction, doc_number, date, period" in out
    # metadata.toml: the entry, and a comment saying what was inferred
    meta = entries(work / "sources")["jinyun.txt"]
    assert meta["title"] == "北碚区缙云山生态保护行动方案（2022—2025年）"
    assert meta["jurisdiction"] == "北碚区" and meta["period"] == "2022-2025"
    assert meta["issuer"] == "重庆市北碚区人民政府办公室" and meta["date"] == "2022-03-01"
    assert meta["doc_number"] == "北碚府办发〔2022〕7号"
    text = (work / "sources" / "metadata.toml").read_text(encoding="utf-8")
    assert "# added with `whodoes add` on" in text and "inferred (check them): title" in text
    # the old entries are still there, unchanged
    assert set(entries(REAL_SOURCES)) < set(entries(work / "sources"))
    assert text.startswith((REAL_SOURCES / "metadata.toml").read_text(encoding="utf-8").rstrip("\n"))
    # the database beside the sources folder was rebuilt with it
    doc, n = db_doc(work / "plans.sqlite", "jinyun")
    assert n == 3 and doc["jurisdiction"] == "北碚区" and (doc["period_start"], doc["period_end"]) == (2022, 2025)
    assert doc["sha256"] == sha(plan)
    # and it answers queries
    code, out, err = run("unit", "区林业局", "--db", work / "plans.sqlite", "--format", "csv", cwd=work)
    assert code == 0 and "北碚区" in err and "开展缙云山生态修复" in out


def test_jurisdiction_from_the_issuer_and_period_from_the_date(work):
    plan = write(work / "wushui.txt", ISSUER_ONLY)
    code, out, err = run("add", plan, "--sources", work / "sources", cwd=work)
    assert code == 0, err
    meta = entries(work / "sources")["wushui.txt"]
    assert meta["jurisdiction"] == "北碚区"
    assert meta["date"] == "2023-06-01" and meta["period"] == "2023-2025"
    assert "period       2023-2025  [inferred" in out
    assert db_doc(work / "plans.sqlite", "wushui")[1] == 2


def test_given_values_override_inferred_ones(work):
    plan = write(work / "jinyun.txt", JINYUN)
    code, out, err = run(
        "add",
        plan,
        "--sources",
        work / "sources",
        "--title",
        "缙云山方案",
        "--jurisdiction",
        "北碚区",
        "--period",
        "2022—2026年",
        cwd=work,
    )
    assert code == 0, err
    meta = entries(work / "sources")["jinyun.txt"]
    assert (meta["title"], meta["jurisdiction"], meta["period"]) == ("缙云山方案", "北碚区", "2022-2026")
    assert "title        缙云山方案  [given]" in out and "period       2022-2026  [given]" in out
    assert "inferred: issuer, doc_number, date" in out
    assert "period from the title" not in meta.get("period_note", "")
    doc, _ = db_doc(work / "plans.sqlite", "jinyun")
    assert doc["title"] == "缙云山方案" and doc["period_end"] == 2026


def test_several_files_each_with_its_rows(work):
    a = write(work / "jinyun.txt", JINYUN)
    b = write(work / "wushui.txt", ISSUER_ONLY, encoding="gb18030")  # GBK/GB18030, as Chinese office software saves
    code, out, err = run("add", a, b, "--sources", work / "sources", "--db", work / "other.sqlite", cwd=work)
    assert code == 0, err
    assert out.count("task rows    3") == 1 and out.count("task rows    2") == 1
    assert (work / "sources" / "wushui.txt").read_bytes() == b.read_bytes()  # byte for byte, still GB18030
    assert db_doc(work / "other.sqlite", "wushui")[0]["encoding"] == "gb18030"
    assert not (work / "plans.sqlite").exists()  # --db is where the database goes
    assert "[2/7]" in err or "building" in err  # progress, one line per document when not on a terminal


def test_adding_the_same_file_again_is_harmless(work):
    plan = write(work / "jinyun.txt", JINYUN)
    assert run("add", plan, "--sources", work / "sources", cwd=work)[0] == 0
    code, out, err = run("add", plan, "--sources", work / "sources", "--period", "2022-2027", cwd=work)
    assert code == 0, err
    assert "already there, identical" in out and "[metadata.toml]" in out
    found = [
        e
        for e in tomllib.loads((work / "sources" / "metadata.toml").read_text(encoding="utf-8"))["document"]
        if e["file"] == "jinyun.txt"
    ]
    assert len(found) == 1 and found[0]["period"] == "2022-2027" and found[0]["title"].startswith("北碚区缙云山")


def test_refuses_to_overwrite_a_different_file(work):
    sources = work / "sources"
    existing = write(sources / "jinyun.txt", ISSUER_ONLY)
    before = tree_digest(sources)
    plan = write(work / "jinyun.txt", JINYUN)
    code, out, err = run("add", plan, "--sources", sources, cwd=work)
    assert code == 2 and out == ""
    assert err.startswith("whodoes: ") and err.count("\n") == 1 and "not overwriting" in err, err
    assert existing.read_text(encoding="utf-8") == ISSUER_ONLY and tree_digest(sources) == before
    assert not (work / "plans.sqlite").exists()


def test_a_failed_build_adds_nothing(work):
    sources = work / "sources"
    db = work / "plans.sqlite"
    assert run("build", "--sources", sources, "--out", db, cwd=work)[0] == 0
    before, db_before = tree_digest(sources), sha(db)
    plan = write(work / "jinyun.txt", JINYUN)
    # a plan already in the folder that cannot be read: the build fails after the staging
    (sources / "broken.txt").write_bytes(b"")
    before = tree_digest(sources)
    code, out, err = run("add", plan, "--sources", sources, "--db", db, cwd=work)
    assert code == 2 and "build failed" in err and "broken.txt" in err and "nothing was added" in err, err
    assert tree_digest(sources) == before  # nothing copied in, metadata.toml as it was
    assert sorted(p.name for p in sources.iterdir() if p.name.startswith(".")) == []  # no staging, journal, lock
    assert sha(db) == db_before
    # the database path is a folder: refused before anything is staged
    (work / "folder.sqlite").mkdir()
    code, out, err = run("add", plan, "--sources", sources, "--db", work / "folder.sqlite", cwd=work)
    assert code == 2 and "is a folder" in err, err
    assert tree_digest(sources) == before


def test_a_build_error_restores_the_sources_in_process(work, monkeypatch, capsys):
    from whodoes.build import pipeline as build_mod

    sources = work / "sources"
    (sources / "metadata.toml").unlink()  # and a folder without metadata.toml gets none left behind
    before = tree_digest(sources)
    plan = write(work / "jinyun.txt", JINYUN)

    def broken(*args, staged=None, **kwargs):
        # staged beside the sources (hidden), not yet in them
        assert (staged / "jinyun.txt").exists() and (staged / "metadata.toml").exists()
        assert not (sources / "jinyun.txt").exists() and not (sources / "metadata.toml").exists()
        raise build_mod.BuildError("jinyun.txt: something is wrong")

    monkeypatch.setattr(build_mod, "build", broken)
    code = cli.main(["add", str(plan), "--sources", str(sources), "--db", str(work / "x.sqlite")])
    err = capsys.readouterr().err
    assert code == 2 and "something is wrong" in err and "nothing was added" in err
    assert tree_digest(sources) == before and not (sources / "metadata.toml").exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["missing.txt"], ["no such file"]),
        (["plan.pdf"], ["plan.pdf", "not a readable PDF"]),
        (["plan.odt"], [".txt", ".docx", ".pdf", ".html"]),
        (["jinyun.txt", "--period", "soon"], ["--period", "2022-2025"]),
        (["jinyun.txt", "--period", "2025-2022"], ["--period"]),
        (["jinyun.txt", "wushui.txt", "--title", "x"], ["--title", "one"]),
        (["jinyun.txt", "jinyun.txt"], ["twice"]),
        (["empty.txt"], ["empty"]),
    ],
)
def test_usage_errors(work, args, words):
    write(work / "jinyun.txt", JINYUN)
    write(work / "wushui.txt", ISSUER_ONLY)
    (work / "plan.pdf").write_bytes(b"%PDF-1.4")
    (work / "plan.odt").write_bytes(b"PK")
    (work / "empty.txt").write_bytes(b"")
    before = tree_digest(work / "sources")
    code, out, err = run("add", *args, "--sources", work / "sources", cwd=work)
    assert code == 2, (code, err)
    assert err.startswith("whodoes: ") and err.count("\n") == 1 and "Traceback" not in err
    for w in words:
        assert w in err, (w, err)
    assert tree_digest(work / "sources") == before


def test_a_name_taken_by_another_extension_is_refused(work):
    write(work / "sources" / "jinyun.md", ISSUER_ONLY)
    code, _, err = run("add", write(work / "jinyun.txt", JINYUN), "--sources", work / "sources", cwd=work)
    assert code == 2 and "jinyun" in err and "taken" in err


def test_a_fresh_folder_gets_a_metadata_file(tmp_path):
    sources = tmp_path / "plans"
    sources.mkdir()
    plan = write(tmp_path / "jinyun.txt", JINYUN)
    code, out, err = run("add", plan, "--sources", sources, cwd=tmp_path)
    assert code == 0, err
    assert entries(sources)["jinyun.txt"]["jurisdiction"] == "北碚区"
    assert "rebuilt: 3 task rows" in out and (tmp_path / "plans.sqlite").exists()


def test_metadata_entries_are_written_as_toml(tmp_path):
    from whodoes.build.add import entry_text, write_entries

    path = tmp_path / "metadata.toml"
    path.write_text(
        '# top\n\n[[document]]\nfile = "a.txt"\ntitle = "A"\n\n# b\n[[document]]\nfile = "b.txt"\n', encoding="utf-8"
    )
    odd = {"file": "c.txt", "title": 'quote " and \\ backslash\nnew line', "period": "2022-2025"}
    write_entries(path, [(odd, "added"), ({"file": "a.txt", "title": "A2"}, "updated")])
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    by = {e["file"]: e for e in doc["document"]}
    assert by["c.txt"]["title"] == odd["title"] and by["a.txt"]["title"] == "A2" and by["b.txt"] == {"file": "b.txt"}
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# top\n") and '# b\n[[document]]\nfile = "b.txt"' in text
    assert entry_text({"file": "x.txt"}).endswith('[[document]]\nfile = "x.txt"\n')


@pytest.mark.parametrize(
    "written",
    [
        'file = "a.txt"',
        "file = 'a.txt'",
        'file = "a.txt"  # the plan of 2022',
        '  file="a.txt"',
        'file = "\\u0061.txt"',  # an escape: the entry is parsed, not matched
        'title = "file = \\"b.txt\\""\nfile = "a.txt"',
    ],
)
def test_an_entry_is_replaced_whatever_way_its_file_is_written(tmp_path, written):
    from whodoes.build.add import write_entries

    path = tmp_path / "metadata.toml"
    path.write_text(f'[[document]]\nfile = "b.txt"\n\n[[document]]\n{written}\ntitle = "old"\n', encoding="utf-8")
    write_entries(path, [({"file": "a.txt", "title": "new"}, None)])
    docs = tomllib.loads(path.read_text(encoding="utf-8"))["document"]
    assert sorted(d["file"] for d in docs) == ["a.txt", "b.txt"]  # replaced, not appended
    assert next(d for d in docs if d["file"] == "a.txt")["title"] == "new"
