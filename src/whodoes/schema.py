"""The database's schema, stated once: the store writes it (whodoes.build.store) and the
reader checks it (whodoes.query.db).  A leaf: plain data, no imports.

Column types are Python types, as sqlite-utils takes them.  Bump ``SCHEMA_VERSION`` when a
table or column changes; a database of another version is refused with a hint to rebuild.
"""

SCHEMA_VERSION = 2  # 2: uids, levels, due dates; tasks.location (the place in a Word, PDF or spreadsheet file)

TABLES: dict[str, dict] = {
    "documents": {
        "columns": {
            "id": str,
            "ordinal": int,
            "file": str,
            "sha256": str,
            "title": str,
            "issuer": str,
            "jurisdiction": str,
            "doc_number": str,
            "date": str,
            "period_start": int,
            "period_end": int,
            "period_note": str,
            "encoding": str,
            "layouts": str,
            "task_count": int,
            "original": str,
            "folder": str,
            "url": str,
        },
        "pk": "id",
    },
    "tasks": {
        "columns": {
            "id": int,
            "uid": str,
            "document_id": str,
            "ordinal": int,
            "part": str,
            "level": str,
            "project": str,
            "seq": str,
            "section": str,
            "category": str,
            "title": str,
            "text": str,
            "detail": str,
            "targets": str,
            "deadline": str,
            "due": str,
            "due_kind": str,
            "deadline_text": str,
            "commanders": str,
            "lead_label": str,
            "support_label": str,
            "lead_raw": str,
            "support_raw": str,
            "inherited": str,
            "line": int,
            "line_end": int,
            "source_text": str,
            "location": str,
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id")],
    },
    "units": {
        "columns": {
            "id": int,
            "key": str,
            "name": str,
            "jurisdiction": str,
            "kind": str,
            "type": str,
            "curated": int,
            "note": str,
        },
        "pk": "id",
    },
    # the general catalogue (data/bodies.toml), stored for query time: body types, their
    # names (canonical, full, short, predecessor), and the places with their prefixes
    "body_types": {
        "columns": {"type": str, "full": str, "kind": str, "reason": str, "source": str},
        "pk": "type",
    },
    "type_names": {
        "columns": {"name": str, "type": str, "how": str, "year": int, "change": str, "reason": str},
        "foreign_keys": [("type", "body_types", "type")],
    },
    "places": {  # prefixes: one character each (区); short: forms separated by spaces
        "columns": {"name": str, "kind": str, "parent": str, "prefixes": str, "short": str, "reason": str},
        "pk": "name",
    },
    "unit_names": {
        "columns": {
            "name": str,
            "unit_id": int,
            "jurisdiction": str,
            "how": str,
            "year": int,
            "change": str,
            "reason": str,
            "pinyin": str,
            "initials": str,
        },
        "foreign_keys": [("unit_id", "units", "id")],
    },
    "task_units": {
        "columns": {
            "task_id": int,
            "role": str,
            "position": int,
            "name": str,
            "unit_id": int,
            "label": str,
            "inherited": int,
        },
        "foreign_keys": [("task_id", "tasks", "id"), ("unit_id", "units", "id")],
    },
    "chars_t2s": {"columns": {"trad": str, "simp": str}, "pk": "trad"},
    "build_info": {"columns": {"key": str, "value": str}, "pk": "key"},
    # each document's parse key (whodoes.build.parsestore): what ``whodoes add`` compares to patch in place
    "document_keys": {"columns": {"document_id": str, "key": str}, "pk": "document_id"},
}

# tables sqlite-utils does not create: the bigram index of task text; whodoes task's forgiving
# search (whodoes.build.phrasebook writes them, whodoes.query.spelling reads them; WITHOUT
# ROWID: no second copy of the key in an index).  phrases and char_pinyin are optional: a
# database built before them is read as before (spelling checks they exist)
CREATE_EXTRA = [
    "CREATE VIRTUAL TABLE task_grams USING fts5(grams, tokenize='unicode61')",
    # the trigram index of task text, as sqlite-utils' enable_fts writes it (so Datasette finds
    # it), filled one document at a time by the writer (whodoes.build.store._flush)
    'CREATE VIRTUAL TABLE "tasks_fts" USING FTS5 (\n    "category", "title", "text", "detail",\n'
    "    tokenize='trigram',\n    content=\"tasks\"\n)",
    """CREATE TABLE phrases (phrase TEXT PRIMARY KEY, length INTEGER, pinyin TEXT, initials TEXT,
                            tasks INTEGER) WITHOUT ROWID""",
    """CREATE TABLE char_pinyin (char TEXT, pinyin TEXT, rank INTEGER, PRIMARY KEY (char, pinyin)) WITHOUT ROWID""",
    # every phrase counted, also those below phrases' threshold: what an add in place counts on
    """CREATE TABLE phrase_counts (phrase TEXT, several INTEGER, tasks INTEGER, PRIMARY KEY (phrase, several))
       WITHOUT ROWID""",
]

# (table, columns, unique), created after the rows are in
INDEXES = [
    # --where: the documents of a jurisdiction without reading every documents row (10,000 plans)
    ("documents", ["jurisdiction", "ordinal"], False),
    ("tasks", ["document_id"], False),
    ("tasks", ["uid"], True),
    ("tasks", ["due"], False),
    ("task_units", ["unit_id"], False),
    ("task_units", ["task_id"], False),
    ("unit_names", ["name"], False),
    ("unit_names", ["pinyin"], False),
    ("unit_names", ["initials"], False),
    ("units", ["type"], False),
    ("type_names", ["name"], False),
    ("phrases", ["pinyin"], False),
    ("phrases", ["initials"], False),
]

# the tables a query needs (whodoes.query.db refuses a database without them)
REQUIRED_TABLES = (
    "documents",
    "tasks",
    "units",
    "unit_names",
    "task_units",
    "chars_t2s",
    "body_types",
    "type_names",
    "places",
)


TASK_ROWS_VIEW = """
CREATE VIEW task_rows AS
SELECT
  t.id AS id,
  t.uid AS uid,
  t.document_id AS document,
  d.title AS plan,
  d.jurisdiction AS jurisdiction,
  CASE WHEN d.period_start IS NULL THEN NULL
       ELSE d.period_start || '-' || d.period_end END AS period,
  t.seq AS seq,
  t.section AS section,
  t.category AS category,
  t.title AS title,
  t.text AS task,
  (SELECT group_concat(name, '、') FROM (SELECT name FROM task_units
     WHERE task_id = t.id AND role = 'lead' ORDER BY position)) AS lead,
  (SELECT group_concat(name, '、') FROM (SELECT name FROM task_units
     WHERE task_id = t.id AND role = 'support' ORDER BY position)) AS support,
  t.lead_label AS lead_label,
  t.support_label AS support_label,
  t.targets AS targets,
  t.deadline AS deadline,
  t.due AS due,
  t.due_kind AS due_kind,
  t.deadline_text AS deadline_text,
  t.level AS level,
  t.project AS project,
  d.file AS source_file,
  t.line AS source_line
FROM tasks t JOIN documents d ON d.id = t.document_id
ORDER BY d.ordinal, t.ordinal;
"""


# One row per (task, unit, role): the unit canonical and as written, for Datasette's facets
# (unit, role, jurisdiction, document).  Used by `whodoes serve` (data/datasette-metadata.json).
TASK_UNITS_FLAT_VIEW = """
CREATE VIEW task_units_flat AS
SELECT
  tu.task_id AS task_id,
  t.uid AS uid,
  t.document_id AS document,
  d.jurisdiction AS jurisdiction,
  coalesce(u.name, tu.name) AS unit,
  tu.name AS as_written,
  tu.role AS role,
  u.kind AS unit_kind,
  t.category AS category,
  t.title AS title,
  t.text AS task,
  d.file AS source_file,
  t.line AS source_line,
  d.title AS plan
FROM task_units tu
JOIN tasks t ON t.id = tu.task_id
JOIN documents d ON d.id = t.document_id
LEFT JOIN units u ON u.id = tu.unit_id
ORDER BY d.ordinal, t.ordinal, tu.role, tu.position;
"""


# The task view of `whodoes serve` (issue 16): what a person reads, the task text first and
# its lead, support, deadline and plan (the document's title, not its id) beside it.  id is
# there for the full-text index (fts_pk), uid for the task's page; the web plugin hides both.
TASK_LIST_VIEW = """
CREATE VIEW task_list AS
SELECT
  t.id AS id,
  t.uid AS uid,
  t.title AS title,
  t.text AS task,
  (SELECT group_concat(name, '、') FROM (SELECT name FROM task_units
     WHERE task_id = t.id AND role = 'lead' ORDER BY position)) AS lead,
  (SELECT group_concat(name, '、') FROM (SELECT name FROM task_units
     WHERE task_id = t.id AND role = 'support' ORDER BY position)) AS support,
  coalesce(t.deadline_text, t.deadline) AS deadline,
  t.due AS due,
  d.title AS plan,
  d.jurisdiction AS jurisdiction,
  t.category AS category
FROM tasks t JOIN documents d ON d.id = t.document_id
ORDER BY d.ordinal, t.ordinal;
"""

VIEWS = [TASK_ROWS_VIEW, TASK_UNITS_FLAT_VIEW, TASK_LIST_VIEW]
