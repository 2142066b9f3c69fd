"""Integrity of the real-plan development corpus (tests/fixtures/real).

Each answer key keys/<id>.jsonl belongs to the text <id>.txt beside it, was written by hand
before any reader ran on that text, and is listed with its source URL in a sources-*.tsv.
These tests check the data only; they import nothing of whodoes' reader.
"""

import csv
import hashlib
import json
import re
import unicodedata
from pathlib import Path

import pytest

REAL = Path(__file__).parent.parent / "fixtures" / "real"
KEYS = sorted((REAL / "keys").glob("*.jsonl"))
SPACE = re.compile(r"\s+")
# Extraction debris the export contract says a reader removes: pinyin in parentheses after
# characters (開(kāi)發(fā)) and stray "?" marks. Keys are written against the cleaned, simplified text.
PINYIN_DEBRIS = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê]{1,6}[)）]")
STRAY_QUESTION = re.compile(r"[?？]")

ROW_FIELDS = {
    "doc",
    "doc_sha256",
    "part",
    "seq",
    "section",
    "category",
    "key",
    "text",
    "targets",
    "lead",
    "support",
    "lead_label",
    "support_label",
    "commanders",
    "inherited",
    "confidence",
    "note",
    "line",
}
NO_TASK_FIELDS = {"doc", "doc_sha256", "key", "no_tasks"}


def squash(text):
    """Text without white space, NFKC-folded: how the scorer compares a key with a row."""
    return SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


@pytest.fixture(scope="module")
def to_simplified():
    import opencc  # a build-path dependency of the project; used here on data only

    return opencc.OpenCC("t2s").convert


def cleaned(text, to_simplified):
    """The text as a reader's rows quote it: debris removed, simplified Chinese."""
    return to_simplified(STRAY_QUESTION.sub("", PINYIN_DEBRIS.sub("", text)))


def load_rows(path):
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:  # pragma: no cover - reported as a failure
                pytest.fail(f"{path.name}:{n}: not JSON: {e}")
    return rows


def listed_sources():
    """id -> url over every sources-*.tsv beside the texts."""
    sources = {}
    for tsv in sorted(REAL.glob("sources-*.tsv")):
        with tsv.open(encoding="utf-8", newline="") as f:
            for rec in csv.DictReader(f, delimiter="\t"):
                sources[(rec.get("id") or "").strip()] = (rec.get("url") or "").strip()
    return sources


def test_the_corpus_has_answer_keys():
    assert KEYS, "no answer keys under tests/fixtures/real/keys"


@pytest.mark.parametrize("key_file", KEYS, ids=[k.stem for k in KEYS])
def test_answer_key_matches_its_text(key_file, to_simplified):
    doc = key_file.stem
    text_file = REAL / f"{doc}.txt"
    assert text_file.is_file(), f"{doc}: no text {text_file.name}"
    data = text_file.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    raw = data.decode("utf-8")
    texts = (squash(raw), squash(cleaned(raw, to_simplified)))
    n_lines = raw.count("\n") + 1
    rows = load_rows(key_file)
    assert rows, f"{doc}: empty answer key"
    seen = {}
    for i, row in enumerate(rows, 1):
        where = f"{doc} row {i}"
        assert row.get("doc") == doc, f"{where}: doc {row.get('doc')!r}"
        assert row.get("doc_sha256") == sha, f"{where}: doc_sha256 does not match the text's bytes"
        if row.get("no_tasks"):
            assert NO_TASK_FIELDS <= row.keys(), f"{where}: missing {NO_TASK_FIELDS - row.keys()}"
            assert len(rows) == 1, f"{doc}: a no_tasks key holds exactly one row"
            continue
        missing = ROW_FIELDS - row.keys()
        assert not missing, f"{where}: missing fields {sorted(missing)}"
        key = row["key"]
        assert isinstance(key, str) and squash(key), f"{where}: empty key"
        assert any(squash(key) in t for t in texts), f"{where}: key {key!r} does not occur in the text"
        units = (tuple(row["lead"]), tuple(row["support"]))
        if squash(key) in seen:
            # Two rows with the very same words can only share a key when both say so and
            # their units differ (the scorer then tells them apart by units).
            other = seen[squash(key)]
            assert row.get("shared_key") and other[0], f"{where}: key {key!r} used twice"
            assert units != other[1], f"{where}: rows sharing key {key!r} have the same units"
        seen[squash(key)] = (bool(row.get("shared_key")), units)
        assert isinstance(row["lead"], list) and isinstance(row["support"], list), f"{where}: lead/support not lists"
        assert isinstance(row["targets"], dict), f"{where}: targets not an object"
        assert isinstance(row["line"], int) and 1 <= row["line"] <= n_lines, f"{where}: line {row['line']!r}"


def test_every_answer_key_is_listed_with_its_source():
    sources = listed_sources()
    for key_file in KEYS:
        doc = key_file.stem
        assert doc in sources, f"{doc} is in no sources-*.tsv"
        assert re.match(r"https?://\S+$", sources[doc]), f"{doc}: no URL ({sources[doc]!r})"
