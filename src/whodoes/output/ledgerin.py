"""``whodoes progress --import FILE``: a filled-in ledger (.xlsx, .docx or .csv) read back
into the progress records.

Every sheet (xlsx) or table (docx) is read; each has a header row (within its first 10
rows) naming a task id column (uid / 任务编号 / task_id / id; or 来源, where the task ledger
of ``whodoes unit -o 台账.xlsx`` writes the uid) and a progress column (完成情况 / 推进情况 /
progress), optionally
a status (状态 / status: done, on-track, behind, not-started or the Chinese words for them),
a date (日期 / date) and who reported (填报人 / by).  Each row is matched by its task id;
when the ledger also has the task text (任务 / task), it must hold that task's text.
A row that cannot be matched is reported, never guessed.  Rows left blank are skipped, and
a row already recorded (same task, date, status and text) is not recorded twice, so a
ledger can be imported again after fixing its unmatched rows.
"""

from __future__ import annotations

import os

from whodoes.errors import UsageError
from whodoes.query.records import add_entry, check_date, check_status, find_task, text_hash

ID_HEADS = ("uid", "任务编号", "task_id", "task id", "任务id", "编号", "id")
SOURCE_HEADS = ("来源", "source")  # the task ledger's column: "<document title>\n<uid> 第N行"
PROGRESS_HEADS = ("完成情况", "推进情况", "进展情况", "进度情况", "progress", "note")
STATUS_HEADS = ("状态", "完成状态", "进度状态", "status")
DATE_HEADS = ("日期", "报送日期", "填报日期", "date", "status_date")
BY_HEADS = ("填报人", "报送人", "填报单位", "by", "reporter")
TEXT_HEADS = ("任务", "任务内容", "task", "text")


class ImportResult:
    def __init__(self):
        self.added = 0
        self.repeated = 0  # rows already recorded
        self.blank = 0  # rows with neither progress nor status
        self.unmatched: list[str] = []  # "row 7: why"


def read_tables(path: str) -> list[tuple[str, list[list]]]:
    """(name, rows of cells) of every sheet (.xlsx), table (.docx) or the file (.csv)."""
    ext = os.path.splitext(path)[1].lower()
    if not os.path.isfile(path):
        raise UsageError(f"no such file: {path}")
    if ext == ".xlsx":
        try:
            import openpyxl
        except ImportError:
            raise UsageError("reading .xlsx needs openpyxl: pip install openpyxl") from None
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise UsageError(f"cannot read {path} as .xlsx: {type(e).__name__}") from None
        tables = [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
        wb.close()
        return tables
    if ext == ".docx":
        try:
            import docx

            document = docx.Document(path)
        except Exception as e:  # noqa: BLE001 - a bad file: zipfile, lxml or python-docx errors
            raise UsageError(f"cannot read {path} as .docx: {type(e).__name__}") from None
        return [
            (f"table {i}", [[c.text for c in row.cells] for row in t.rows]) for i, t in enumerate(document.tables, 1)
        ]
    if ext in (".csv", ".txt", ".tsv"):
        import csv

        try:
            with open(path, encoding="utf-8-sig", newline="") as f:
                return [("", list(csv.reader(f, delimiter="\t" if ext == ".tsv" else ",")))]
        except UnicodeDecodeError:
            raise UsageError(f"{path} is not UTF-8 text; save it as CSV UTF-8") from None
    raise UsageError(f"--import reads .xlsx, .docx or .csv files, not {os.path.basename(path)!r}")


def _norm(value) -> str:
    return "".join(str(value or "").split()).lower()


def find_columns(rows: list[list]) -> tuple[int | None, dict[str, int]]:
    """(index of the header row, {field: column}), or (None, {}) when a table has none."""
    for i, row in enumerate(rows[:10]):
        heads = [_norm(c) for c in row]
        cols: dict[str, int] = {}
        for field, names in (
            ("id", ID_HEADS),
            ("source", SOURCE_HEADS),
            ("note", PROGRESS_HEADS),
            ("status", STATUS_HEADS),
            ("date", DATE_HEADS),
            ("by", BY_HEADS),
            ("text", TEXT_HEADS),
        ):
            for name in names:  # the first name found wins (uid before id)
                if name in heads:
                    cols[field] = heads.index(name)
                    break
        if ("id" in cols or "source" in cols) and ("note" in cols or "status" in cols):
            return i, cols
    return None, {}


def no_header() -> UsageError:
    return UsageError(
        "no header row with a task id column (uid, 任务编号, task_id) and a progress column "
        "(完成情况, 推进情况, progress) or status column (状态, status) in the first 10 rows"
    )


def _task_ref(row, cols) -> str:
    """The task id of a row: its id column, else the uid written in its 来源 column."""
    ref = _cell(row, cols, "id")
    if ref or "source" not in cols:
        return ref
    import re

    found = re.search(r"(?:^|\s)([A-Za-z0-9][\w.-]*/\d+)(?=\s|$)", _cell(row, cols, "source"))
    return found.group(1) if found else ""


def _cell(row, cols, field) -> str:
    j = cols.get(field)
    if j is None or j >= len(row) or row[j] is None:
        return ""
    value = row[j]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_ledger(conn, rec, path: str, *, date=None, by=None) -> ImportResult:
    """Read ``path`` and add its filled-in rows to the records ``rec`` (not committed)."""
    tables = []
    for name, rows in read_tables(path):
        head, cols = find_columns(rows)
        if head is not None:
            tables.append((name, rows, head, cols))
    if not tables:
        raise no_header()
    result = ImportResult()
    seen = {(r[0], r[1], r[2], r[3]) for r in rec.execute("SELECT uid, date, status, note FROM entries")}
    for name, rows, head, cols in tables:
        where = f"{os.path.basename(path)}{f' {name}' if len(tables) > 1 else ''}"
        for n, row in enumerate(rows[head + 1 :], start=head + 2):
            _import_row(conn, rec, row, cols, f"{where} row {n}", date, by, seen, result)
    return result


def _import_row(conn, rec, row, cols, where, date, by, seen, result) -> None:
    ref, note, status_text = _task_ref(row, cols), _cell(row, cols, "note"), _cell(row, cols, "status")
    if not note and not status_text:
        result.blank += 1
        return
    why, entry = _match_row(conn, row, cols, ref, status_text, date)
    if why:
        result.unmatched.append(f"{where}: {why}")
        return
    task, status, when = entry
    if (task["uid"], when, status, note or None) in seen:
        result.repeated += 1
        return
    add_entry(rec, task, note or None, date=when, status=status, by=_cell(row, cols, "by") or by, source=where)
    seen.add((task["uid"], when, status, note or None))
    result.added += 1


def _match_row(conn, row, cols, ref, status_text, date):
    """(why it cannot be matched, None) or (None, (task, status, date))."""
    if not ref:
        return "no task id", None
    try:
        task = find_task(conn, ref)
    except UsageError:
        task = None
    if task is None:
        return f"no task {ref[:60]!r} in the database", None
    text = _cell(row, cols, "text")
    if (
        text
        and text_hash(text) != text_hash(task["text"])
        and not (_norm(text) in _norm(task["text"]) or _norm(task["text"]) in _norm(text))
    ):
        return f"task {ref} has another text in the database ({task['text'][:30]}…); the ledger says {text[:30]}…", None
    try:
        status = check_status(status_text, words=True)
        when = check_date(_cell(row, cols, "date") or date)
    except UsageError as e:
        return str(e).replace("--status", "the status"), None
    return None, (task, status, when)
