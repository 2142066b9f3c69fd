"""Short task references (whodoes.query.taskref.short_prefixes): each document's shortest
prefix, cut at a '-', that starts no other document's id."""

import sqlite3

from whodoes.query import taskref

IDS = [
    "wulong-2019-two-mountains-base-plan",
    "liangjiang-2018-green-development-action-plan",
    "liangjiang-2021-ecological-protection-14th-plan",
    "liangjiang-2021",  # a whole id that starts another one
    "yunyang-green",
    "yunyang-greenway-plan",
    "a",
    "a-b",
    "a-bc",
]


def by_definition(ids: list[str]) -> dict[str, str]:
    out = {}
    for i in ids:
        parts = i.split("-")
        prefixes = ["-".join(parts[:n]) for n in range(1, len(parts) + 1)]
        out[i] = next((p for p in prefixes if not any(o != i and o.startswith(p) for o in ids)), i)
    return out


def test_short_prefixes_are_the_shortest_that_name_one_document_only():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE documents (id TEXT, ordinal INTEGER)")
    conn.executemany("INSERT INTO documents VALUES (?, ?)", [(i, n) for n, i in enumerate(IDS)])
    got = taskref.short_prefixes(conn)
    assert got == by_definition(IDS)
    assert got["wulong-2019-two-mountains-base-plan"] == "wulong"
    assert got["liangjiang-2018-green-development-action-plan"] == "liangjiang-2018"
    assert got["liangjiang-2021"] == "liangjiang-2021"  # every prefix of it starts another id
    assert got["a-b"] == "a-b" and got["a-bc"] == "a-bc" and got["yunyang-green"] == "yunyang-green"
