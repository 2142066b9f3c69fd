"""scripts/synth.py: the synthetic corpus reads like the real one.

Scale 2 is the five real plans plus one varied copy of each (other jurisdiction,
shuffled rows, renamed units, the same layouts).  Built with the real parser,
every copy must yield rows, about as many as its original: a test of the parser
on input it has not seen verbatim.  No timing here (scripts/bench.py measures).
"""

import importlib.util
import json
import sqlite3
import sys
import tomllib
from pathlib import Path

import pytest

from whodoes.build.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"


def _load_synth():
    spec = importlib.util.spec_from_file_location("whodoes_synth", ROOT / "scripts" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


synth = _load_synth()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("synth")
    corpus = synth.generate(2, tmp / "sources")
    real = build(SOURCES, tmp / "real.sqlite")
    report = build(tmp / "sources", tmp / "synth.sqlite")
    return corpus, real, report, tmp


def layout_kinds(layouts: list[str]) -> list[str]:
    """The layouts a document was read in: their names without the line numbers and counts."""
    return sorted(layout.split(" at line")[0].split(":")[0] for layout in layouts)


def test_twice_the_rows(built):
    corpus, real, report, _ = built
    assert corpus.documents == 2 * len(real.documents) == len(report.documents)
    assert abs(report.rows - 2 * real.rows) <= 0.03 * 2 * real.rows, (report.rows, real.rows)
    assert not [d.id for d in report.documents if d.rows == 0]


def test_each_copy_like_its_original(built):
    corpus, real, report, tmp = built
    meta = {d["file"]: d for d in tomllib.loads((tmp / "sources" / "metadata.toml").read_text("utf-8"))["document"]}
    real_rows = {d.id + ".txt": d for d in real.documents}
    copies = [d for d in report.documents if d.id + ".txt" not in real_rows]
    assert len(copies) == len(real.documents)
    originals_seen = set()
    for d in copies:
        m = meta[d.id + ".txt"]
        orig = real_rows[m["original"]]
        originals_seen.add(m["original"])
        assert abs(d.rows - orig.rows) <= max(2, 0.05 * orig.rows), (d.id, d.rows, orig.rows)
        assert layout_kinds(d.layouts) == layout_kinds(orig.layouts), d.id
        assert d.traditional == orig.traditional
        assert m["jurisdiction"] not in {"两江新区", "武隆区", "云阳县", "重庆市"}
    assert originals_seen == set(real_rows)


def test_copies_are_varied(built):
    _, _, _, tmp = built
    conn = sqlite3.connect(tmp / "synth.sqlite")
    docs = conn.execute("SELECT id, jurisdiction, original FROM documents").fetchall()
    by_id = {d[0]: d for d in docs}
    for doc_id, jurisdiction, original in docs:
        orig_id = (original or "")[:-4]
        if orig_id not in by_id:
            continue  # a real plan (its "original" is where the copy came from, not a file here)
        copy_texts = [
            r[0] for r in conn.execute("SELECT text FROM tasks WHERE document_id = ? ORDER BY ordinal", (doc_id,))
        ]
        orig_texts = [
            r[0] for r in conn.execute("SELECT text FROM tasks WHERE document_id = ? ORDER BY ordinal", (orig_id,))
        ]
        assert copy_texts != orig_texts, f"{doc_id}: rows not shuffled"
        assert jurisdiction != by_id[orig_id][1]
        copy_units = {
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT name FROM task_units tu JOIN tasks t ON t.id = tu.task_id WHERE t.document_id = ?",
                (doc_id,),
            )
        }
        orig_units = {
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT name FROM task_units tu JOIN tasks t ON t.id = tu.task_id WHERE t.document_id = ?",
                (orig_id,),
            )
        }
        if orig_units:
            assert copy_units and copy_units != orig_units, f"{doc_id}: units not renamed"
    conn.close()


def test_deterministic(tmp_path):
    a = synth.generate(2, tmp_path / "a")
    b = synth.generate(2, tmp_path / "b")
    assert a.files == b.files
    for name in a.files + ["metadata.toml"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert len(set(a.files)) == len(a.files)


def test_metadata_format(tmp_path):
    synth.generate(1, tmp_path / "one", originals=False)
    doc = tomllib.loads((tmp_path / "one" / "metadata.toml").read_text("utf-8"))
    files = sorted(p.name for p in (tmp_path / "one").glob("*.txt"))
    assert sorted(d["file"] for d in doc["document"]) == files
    for d in doc["document"]:
        for key in ("file", "title", "issuer", "jurisdiction", "period"):
            assert d.get(key), (d["file"], key)
    json.dumps(doc)  # plain values only
