"""``whodoes report``: the progress table offices publish (推进情况), for one period.

Every task in scope (a unit's, a jurisdiction's, a document's, or all, of the plans in
force in the period's year) with its lead and supporting units, deadline (the 完成时限 text
as written, else the end of the plan's period), the latest progress recorded within the
period and the status as of its last day, and whether it is overdue; then a summary line
per lead unit: done / on track / behind / not started / no status / not reported.

The status of a task is the latest status recorded up to the period's last day.  A task
counts as *not reported* when nothing was recorded within the period and it was not done
before.  It is *overdue* when it is not done and its due year (the first year written in
its deadline, else the last year of its plan) ended by the period's last day.

Writers: markdown (by hand), xlsx (xlsxwriter), docx (python-docx), csv (the task rows);
xlsxwriter and python-docx are imported only for their format.
"""

from __future__ import annotations

import datetime as dt
import os
import re

from whodoes.errors import UsageError
from whodoes.output import cells

REPORT_COLS = [
    ("序号", "n"),
    ("任务编号", "uid"),
    ("任务", "text"),
    ("牵头单位", "lead"),
    ("配合单位", "support"),
    ("完成时限", "deadline"),
    ("推进情况", "progress"),
    ("状态", "status_label"),
    ("日期", "date"),
    ("是否逾期", "overdue_label"),
]
SUMMARY_COLS = [
    ("单位", "unit"),
    ("任务", "tasks"),
    ("已完成", "done"),
    ("正常推进", "on-track"),
    ("滞后", "behind"),
    ("未启动", "not-started"),
    ("未标状态", "no status"),
    ("未报送", "not reported"),
    ("逾期", "overdue"),
]
BUCKETS = ("done", "on-track", "behind", "not-started", "no status", "not reported")
LABELS = {
    "done": "已完成",
    "on-track": "正常推进",
    "behind": "滞后",
    "not-started": "未启动",
    "no status": "未标状态",
    "not reported": "未报送",
}
FORMATS = {".xlsx": "xlsx", ".docx": "docx", ".md": "markdown", ".markdown": "markdown", ".csv": "csv"}


class Period:
    """A reporting period: 2024Q1, 2024H2, 2024-03 or 2024 (within one year)."""

    def __init__(self, label: str, start: dt.date, end: dt.date):
        self.label, self.start, self.end = label, start, end
        self.year = start.year

    def __repr__(self) -> str:
        return f"Period({self.label!r}, {self.start}, {self.end})"


def parse_period(text) -> Period:
    value = "".join(str(text or "").split()).upper()
    m = re.fullmatch(r"(\d{4})(?:([QH])([1-4])|-(\d{1,2}))?", value)
    if not m:
        raise UsageError(
            f"--period is a quarter, half-year, month or year such as 2024Q1, 2024H2, 2024-03 or 2024, not {str(text)[:40]!r}"
        )
    year = int(m.group(1))
    if m.group(2) == "Q":
        first, last = 3 * int(m.group(3)) - 2, 3 * int(m.group(3))
    elif m.group(2) == "H" and m.group(3) in ("1", "2"):
        first, last = 6 * int(m.group(3)) - 5, 6 * int(m.group(3))
    elif m.group(4):
        first = last = int(m.group(4))
    elif m.group(2):
        raise UsageError(f"--period: a half-year is H1 or H2, not {str(text)[:40]!r}")
    else:
        first, last = 1, 12
    if not 1 <= first <= last <= 12:
        raise UsageError(f"--period: no month {last} in {str(text)[:40]!r}")
    end = dt.date(year + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1)
    return Period(value, dt.date(year, first, 1), end)


# ----------------------------------------------------------------------------------------------
# the rows


def scope_rows(conn, *, unit=None, where=None, doc=None, year: int) -> tuple[list[dict], str]:
    """The tasks in scope (plans in force in ``year``), in plan order, and the scope's description."""
    from whodoes.query import api as q

    if unit:
        res = q.tasks_for_unit(conn, unit, year=year, where=where, doc=doc, details=False)
        if not res.resolution:
            raise UsageError(
                f"no unit matches {unit!r}" + (f"; nearest: {', '.join(res.suggestions)}" if res.suggestions else "")
            )
        seen: dict[int, dict] = {}
        for r in res.rows:  # a task the unit leads and supports (or two of its units) comes once
            row = seen.setdefault(r["id"], r)
            row.setdefault("summary_units", []).append(f"{r['unit']} {'牵头' if r['role'] == 'lead' else '配合'}")
        rows = list(seen.values())
        rows.sort(key=lambda r: r["id"])  # plan order (ids follow the documents and their tasks)
        return rows, res.description
    res = q.export_tasks(conn, year=year, where=where, doc=doc, details=False)
    what = " · ".join(x for x in (where and f"--where {where}", doc and f"--doc {doc}") if x) or "all plans"
    return res.rows, what


def _due_year(row) -> int | None:
    years = re.findall(r"(20\d\d)", row.get("deadline") or "")
    if years:
        return int(years[0])
    end = (row.get("period") or "").rpartition("-")[2]
    return int(end) if end.isdigit() else None


def build_report(conn, period: Period, *, unit=None, where=None, doc=None) -> dict:
    """{"title", "scope", "period", "rows", "summary"}: the task rows and the summary lines."""
    from whodoes.query.records import latest_by_task, uid_sql

    rows, scope = scope_rows(conn, unit=unit, where=where, doc=doc, year=period.year)
    if not rows:
        return {"title": "", "scope": scope, "period": period, "rows": [], "summary": []}
    ids = ",".join(str(int(r["id"])) for r in rows)
    uids = dict(conn.execute(f"SELECT t.id, {uid_sql(conn)} FROM tasks t WHERE t.id IN ({ids})").fetchall())
    latest = latest_by_task(conn, until=period.end.isoformat())
    in_period = latest_by_task(conn, since=period.start.isoformat(), until=period.end.isoformat())
    out = []
    for n, r in enumerate(rows, 1):
        got, now = latest.get(r["id"]) or {}, (in_period.get(r["id"]) or {}).get("entry")
        status = got.get("status")
        bucket = status if status == "done" or (now and status) else "no status" if now else "not reported"
        due = _due_year(r)
        overdue = status != "done" and due is not None and dt.date(due, 12, 31) <= period.end
        out.append(
            {
                "n": n,
                "id": r["id"],
                "uid": uids.get(r["id"]),
                "document": r["document"],
                "document_title": r["document_title"],
                "period": r["period"],
                "text": r["text"],
                "lead": "、".join(r["lead"]),
                "support": "、".join(r["support"]),
                "summary_units": r.get("summary_units") or r["lead_canonical"],
                "deadline": r.get("deadline") or (f"{due}年底(规划期末)" if due else ""),
                "progress": (now or {}).get("note") or "",
                "status": status or "",
                "bucket": bucket,
                "status_label": LABELS.get(status or "", ""),
                "date": (now or {}).get("date") or got.get("status_date") or "",
                "overdue": overdue,
                "overdue_label": "逾期" if overdue else "",
                "source": f"{r.get('source_file')}:{r.get('line')}",
            }
        )
    title = f"推进情况 {period.label} ({period.start} – {period.end})"
    return {"title": title, "scope": scope, "period": period, "rows": out, "summary": summarise(out)}


def summarise(rows: list[dict]) -> list[dict]:
    """One line per lead unit (a task with two lead units counts for both), most tasks first,
    then 合计; with --unit, one line per unit asked for and role (牵头 / 配合)."""
    by_unit: dict[str, dict] = {}
    for r in rows:
        for u in r["summary_units"] or ["(无牵头单位)"]:
            line = by_unit.setdefault(u, {"unit": u, "tasks": 0, "overdue": 0, **{b: 0 for b in BUCKETS}})
            line["tasks"] += 1
            line[r["bucket"]] += 1
            line["overdue"] += r["overdue"]
    lines = sorted(by_unit.values(), key=lambda x: (-x["tasks"], x["unit"]))
    total = {
        "unit": "合计 (任务)",
        "tasks": len(rows),
        "overdue": sum(r["overdue"] for r in rows),
        **{b: sum(r["bucket"] == b for r in rows) for b in BUCKETS},
    }
    return lines + [total]


# ----------------------------------------------------------------------------------------------
# writing


def report_format(output: str | None, fmt: str | None) -> str:
    if fmt:
        f = {"md": "markdown", "excel": "xlsx", "word": "docx"}.get(fmt.strip().lower(), fmt.strip().lower())
        if f not in ("xlsx", "docx", "markdown", "csv"):
            raise UsageError(f"report --format must be xlsx, docx, markdown or csv, not {fmt[:40]!r}")
        return f
    if not output:
        return "markdown"
    ext = os.path.splitext(output)[1].lower()
    if ext not in FORMATS:
        raise UsageError(f"report -o: a .xlsx, .docx, .md or .csv file, not {os.path.basename(output)!r}")
    return FORMATS[ext]


def write_report(report: dict, fmt: str, output: str | None, out=None) -> None:
    if fmt in ("xlsx", "docx") and not output:
        raise UsageError(f"a {fmt} report needs a file: add -o FILE.{fmt}")
    if fmt == "xlsx" and output:
        _write_xlsx(report, output)
    elif fmt == "docx" and output:
        from whodoes.output.reportdocx import write_docx

        write_docx(report, output, REPORT_COLS, SUMMARY_COLS)
    else:
        text = markdown(report) if fmt == "markdown" else _csv(report)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        else:
            out.write(text)


def _md(value) -> str:
    return " ".join(str(value if value is not None else "").split()).replace("|", "\\|") or " "


def md_table(rows, cols) -> list[str]:
    lines = ["| " + " | ".join(h for h, _ in cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(_md(r.get(k)) for _, k in cols) + " |" for r in rows]
    return lines


def markdown(report: dict) -> str:
    lines = [f"# {report['title']}", "", f"范围: {report['scope']}", "", "## 汇总", ""]
    lines += md_table(report["summary"], SUMMARY_COLS)
    for title, rows in cells.by_document(report["rows"]):
        lines += ["", f"## {title}", ""] + md_table(rows, REPORT_COLS)
    return "\n".join(lines) + "\n"


def _csv(report: dict) -> str:
    import io

    from whodoes.output.render import write_csv

    buf = io.StringIO()
    cols = REPORT_COLS + [("文件", "document"), ("出处", "source")]
    write_csv(report["rows"], [k for _, k in cols], buf, headers=[h for h, _ in cols])
    return buf.getvalue()


def _write_xlsx(report: dict, path: str) -> None:
    """Two sheets: 推进情况 (the task rows, with the plan) and 汇总 (the summary lines)."""
    try:
        import xlsxwriter
    except ImportError:
        raise UsageError("an xlsx report needs xlsxwriter: pip install xlsxwriter") from None
    wb = xlsxwriter.Workbook(
        path, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    wb.set_properties({"title": report["title"], "comments": f"{report['scope']}; written by whodoes"})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#EEEEEE"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    late = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "font_color": "#C00000", "bold": True})
    cols = REPORT_COLS + [("规划", "document_title"), ("出处", "source")]
    widths = {
        "n": 5,
        "uid": 16,
        "text": 60,
        "lead": 18,
        "support": 22,
        "deadline": 14,
        "progress": 40,
        "status_label": 9,
        "date": 11,
        "overdue_label": 8,
        "document_title": 30,
        "source": 20,
    }
    for name, rows, columns in (("推进情况", report["rows"], cols), ("汇总", report["summary"], SUMMARY_COLS)):
        ws = wb.add_worksheet(name)
        ws.write_string(0, 0, f"{report['title']} · {report['scope']}", title_fmt)
        for j, (h, k) in enumerate(columns):
            ws.write_string(1, j, h, head)
            ws.set_column(j, j, widths.get(k, 12))
        for i, r in enumerate(rows, start=2):
            for j, (_, k) in enumerate(columns):
                v = r.get(k)
                fmt = late if k == "overdue_label" and v else wrap
                if isinstance(v, int) and not isinstance(v, bool):
                    ws.write_number(i, j, v, fmt)
                else:
                    ws.write_string(i, j, "" if v is None else str(v), fmt)
        ws.freeze_panes(2, 0)
        ws.autofilter(1, 0, max(len(rows) + 1, 2), len(columns) - 1)
    wb.close()
