"""Plans in the files they are published as (issue 12): Word, PDF, web pages, spreadsheets.

The fixtures under tests/fixtures/formats/ are one plan written in every format by
scripts/make_format_fixtures.py (committed, so no converter is needed here except for
the .doc test, skipped where LibreOffice is missing).  Their answer keys are written from
the plan's data, not from whodoes' output.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import WHODOES, clean_env
from whodoes.build.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ROOT / "tests" / "fixtures" / "formats"
KEYS = FORMATS / "keys"
STEM = "jiangjin-2023-yangtze-water"
UNITS = ROOT / "data" / "units.toml"
PLAN_FILES = [f"{STEM}.txt", f"{STEM}.docx", f"{STEM}.pdf", f"{STEM}.html"]
SHEETS = [f"{STEM}-sheets.xlsx", f"{STEM}-sheets.xls"]
HAVE_SOFFICE = shutil.which("soffice") is not None or shutil.which("libreoffice") is not None


def run(*args, cwd=None, env=None):
    p = subprocess.run([*WHODOES, *map(str, args)], capture_output=True, cwd=cwd, env=env or clean_env(), timeout=600)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def build_one(tmp_path: Path, name: str) -> list[dict]:
    """Build a database of the one file and export its rows (jsonl).  The build runs in this
    process (whodoes.build.pipeline.build, what `whodoes build` runs: the tests below build
    through the command), so that the six formats pay for the build's imports once."""
    sources = tmp_path / f"src-{name}"
    sources.mkdir()
    shutil.copy(FORMATS / name, sources / name)
    db = tmp_path / f"{name}.sqlite"
    build(sources, db, UNITS, jobs=1)
    code, out, err = run("export", "--format", "jsonl", "--db", db)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def key(name: str) -> list[dict]:
    return [
        json.loads(x)
        for x in (KEYS / f"{Path(name).stem}.{Path(name).suffix[1:]}.jsonl").read_text("utf-8").splitlines()
    ]


def comparable(row: dict) -> tuple:
    return (
        row["seq"],
        row["text"].replace(" ", ""),
        tuple(row["lead"]),
        tuple(row["support"]),
        tuple(sorted(row["targets"].items())),
        tuple(row["inherited"]),
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formats")
    return {name: build_one(tmp, name) for name in PLAN_FILES + SHEETS}


@pytest.mark.lowest
def test_the_same_plan_gives_the_same_rows_in_every_format(exported):
    text = [comparable(r) for r in exported[f"{STEM}.txt"]]
    assert len(text) == len(key(f"{STEM}.txt")) == 31
    for name in PLAN_FILES[1:]:
        assert [comparable(r) for r in exported[name]] == text, name
    tables = [r for r in text if r[0] and r in {comparable(x) for x in exported[f"{STEM}.txt"] if x["part"] == "table"}]
    for name in SHEETS:  # the spreadsheet holds the two tables only
        assert [comparable(r) for r in exported[name]] == tables, name


@pytest.mark.lowest
def test_rows_match_the_answer_key(exported):
    for name, rows in exported.items():
        wanted = key(name)
        assert len(rows) == len(wanted), name
        for got, want in zip(rows, wanted):
            assert want["key"] in got["text"], (name, want["key"])
            assert (got["lead"], got["support"], got["targets"]) == (want["lead"], want["support"], want["targets"]), (
                name
            )
            assert got["doc_sha256"] == hashlib.sha256((FORMATS / name).read_bytes()).hexdigest()


@pytest.mark.lowest
def test_merged_cells_are_inherited_and_empty_cells_are_not(exported):
    rows = [r for r in exported[f"{STEM}.docx"] if r["part"] == "table"]
    first, second = rows[0], rows[1]
    assert first["title"] == second["title"] == "城镇污水处理提质增效"  # the merged task cell, filled down
    assert first["inherited"] == [] and second["inherited"] == ["lead"]  # the merged lead cell
    assert second["lead"] == ["区住房城乡建委"]
    last = rows[-1]  # the year table's last duty cell is merged with the one above
    assert last["targets"] == {"2023": "10公里", "2024": "20公里", "2025": "30公里"}
    assert last["lead"] == ["区水利局"] and last["inherited"] == ["lead"]


def test_provenance_per_format(exported):
    def where(name, seq, part="table"):
        return next(r["location"] for r in exported[name] if r["seq"] == seq and r["part"] == part)

    assert (
        where(f"{STEM}.txt", "1", "inline")
        == f"line {next(r['line'] for r in exported[f'{STEM}.txt'] if r['part'] == 'inline')}"
    )
    assert where(f"{STEM}.docx", "1", "inline").startswith("paragraph ")
    assert where(f"{STEM}.docx", "21") == "table 1, row 25"  # header, 3 section rows, 21 measures
    assert where(f"{STEM}.pdf", "1") == "p. 3, table 1, row 3"
    assert (where(f"{STEM}.pdf", "1", "inline"), where(f"{STEM}.pdf", "4", "inline")) == ("p. 1", "p. 2")
    # the table runs over three pages, its header repeated on each, rows broken by the page ends:
    # one table, numbered as in Word
    assert where(f"{STEM}.pdf", "21") == "p. 5, table 1, row 25"
    assert where(f"{STEM}.html", "1").startswith("line ")
    assert where(f"{STEM}-sheets.xlsx", "1") == "sheet 任务分解!A5:F5"  # title, blank row, header, section row
    assert where(f"{STEM}-sheets.xls", "4", "table").startswith("sheet ")


@pytest.mark.lowest
def test_web_page_metadata_and_charset(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(FORMATS / f"{STEM}.html", sources)
    db = tmp_path / "p.sqlite"
    code, _, err = run("build", "--sources", sources, "--units", UNITS, "--out", db)
    assert code == 0, err
    doc = (
        sqlite3.connect(db)
        .execute(
            "SELECT title, issuer, doc_number, date, encoding, jurisdiction, period_start, period_end FROM documents"
        )
        .fetchone()
    )
    assert doc == (
        "江津区长江水生态环境保护行动方案（2023—2025年）",
        "重庆市江津区人民政府办公室",
        "江津府办发〔2023〕18号",
        "2023-06-20",
        "gb2312",
        "江津区",
        2023,
        2025,
    )
    texts = "".join(r[0] for r in sqlite3.connect(db).execute("SELECT text FROM tasks"))
    assert "打印" not in texts and "版权所有" not in texts and "水污染防治工作方案" not in texts  # site chrome


def test_show_prints_the_place_in_the_file(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(FORMATS / f"{STEM}.pdf", sources)
    db = tmp_path / "p.sqlite"
    assert run("build", "--sources", sources, "--units", UNITS, "--out", db)[0] == 0
    task = sqlite3.connect(db).execute("SELECT uid FROM tasks WHERE part = 'table' ORDER BY id LIMIT 1").fetchone()[0]
    code, out, err = run("show", task, "--db", db, "--format", "markdown")
    assert code == 0, err
    assert f"{STEM}.pdf:" in out and "(p. 3, table 1, row 3)" in out


BAD = [
    ("bad/scanned-plan.pdf", ["scanned", "OCR"]),
    ("bad/password-plan.pdf", ["password"]),
    ("bad/password-plan.docx", ["password"]),
    ("bad/damaged-plan.docx", ["damaged"]),
]


def tree(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def text_plan_built(tmp_path_factory):
    """A folder with sources/ (the text plan), units.toml and plans.sqlite built from them (once:
    each test gets a copy, ``work``)."""
    folder = tmp_path_factory.mktemp("built")
    sources = folder / "sources"
    sources.mkdir()
    shutil.copy(FORMATS / f"{STEM}.txt", sources)
    shutil.copy(UNITS, folder / "units.toml")
    code, _, err = run("build", "--sources", sources, "--out", folder / "plans.sqlite")
    assert code == 0, err
    return folder


@pytest.fixture
def work(tmp_path, text_plan_built):
    """A sources folder with the text plan and its database, built: a copy of ``text_plan_built``."""
    shutil.copytree(text_plan_built, tmp_path / "work")
    return tmp_path / "work"


@pytest.mark.parametrize("name, words", BAD)
def test_a_bad_file_gets_one_line_and_changes_nothing(work, name, words):
    before, db_before = tree(work / "sources"), (work / "plans.sqlite").read_bytes()
    code, out, err = run("add", FORMATS / name, "--sources", work / "sources", cwd=work)
    assert code == 2, (code, err)
    assert err.startswith("whodoes: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert Path(name).name in err and all(w in err for w in words), err
    assert tree(work / "sources") == before and (work / "plans.sqlite").read_bytes() == db_before


def test_doc_without_libreoffice_says_what_to_install(work):
    env = clean_env(WHODOES_SOFFICE="/nonexistent/soffice")
    before = tree(work / "sources")
    code, out, err = run("add", FORMATS / f"{STEM}-word97.doc", "--sources", work / "sources", cwd=work, env=env)
    assert code == 2 and err.count("\n") == 1 and "LibreOffice" in err and "install" in err, err
    assert tree(work / "sources") == before


@pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_doc_is_read_through_libreoffice(work):
    name = f"{STEM}-word97.doc"
    code, out, err = run("add", FORMATS / name, "--sources", work / "sources", cwd=work)
    assert code == 0, err
    assert (work / "sources" / name).read_bytes() == (FORMATS / name).read_bytes()  # the original, byte for byte
    conn = sqlite3.connect(work / "plans.sqlite")
    stem = Path(name).stem
    (sha,) = conn.execute("SELECT sha256 FROM documents WHERE id = ?", (stem,)).fetchone()
    assert sha == hashlib.sha256((FORMATS / name).read_bytes()).hexdigest()
    rows = conn.execute("SELECT text FROM tasks WHERE document_id = ? ORDER BY ordinal", (stem,)).fetchall()
    assert [w["key"] in t for w, (t,) in zip(key(name), rows)] == [True] * len(key(name)) and len(rows) == 31


def test_add_reads_a_word_file_and_keeps_it_byte_for_byte(work):
    name = f"{STEM}.docx"
    (work / "in").mkdir()
    shutil.copy(FORMATS / name, work / "in" / "word-plan.docx")
    code, out, err = run("add", work / "in" / "word-plan.docx", "--sources", work / "sources", cwd=work)
    assert code == 0, err
    assert (work / "sources" / "word-plan.docx").read_bytes() == (FORMATS / name).read_bytes()
    assert "task rows    31" in out and "inferred from the file's own metadata" in out


def test_text_builds_import_no_format_reader(tmp_path):
    """The readers of Word, PDF, web pages and spreadsheets are imported only for such files."""
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(FORMATS / f"{STEM}.txt", sources)
    code = (
        f"import sys; from whodoes.build.pipeline import build; build({str(sources)!r}, {str(tmp_path / 'p.sqlite')!r}, "
        f"{str(UNITS)!r}); print(' '.join(m for m in ('docx', 'pdfplumber', 'pypdfium2', 'openpyxl', 'xlrd', 'lxml', "
        "'charset_normalizer') if m in sys.modules))"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(), timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == ""
