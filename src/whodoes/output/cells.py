"""Cell values as every output shows them: lists joined with 、, widths of CJK text, and the
fields of one task (``whodoes show``).  A leaf of the output package: the writers (render,
termtable, xlsx, ledger) all use it, and it uses none of them."""

from __future__ import annotations

from whodoes.i18n import _

JOIN = "、"


def cell(value) -> str:
    """One flat cell: lists joined with 、, dicts as JSON, None empty."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return JOIN.join(cell(v) for v in value if v is not None)
    if isinstance(value, dict):
        if not value:
            return ""
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def display_width(text: str) -> int:
    """Columns a text takes in a monospaced font or a spreadsheet: CJK and full-width
    characters count 2 (enough for column widths; no unicodedata import)."""
    n = 0
    for ch in text:
        o = ord(ch)
        wide = (
            0x1100 <= o <= 0x115F
            or 0x2E80 <= o <= 0xA4CF
            or 0xAC00 <= o <= 0xD7A3
            or 0xF900 <= o <= 0xFAFF
            or 0xFE30 <= o <= 0xFE4F
            or 0xFF00 <= o <= 0xFF60
            or 0xFFE0 <= o <= 0xFFE6
            or 0x20000 <= o <= 0x3FFFD
            or 0x201C <= o <= 0x201D
        )
        n += 2 if wide else 1
    return n


def detail_items(rec) -> list[tuple[str, str]]:
    """The fields of ``whodoes show`` as (label, text) pairs, for table and markdown."""
    items = [
        ("uid", rec.get("uid") or ""),
        ("id", _("{id} (numeric: changes when plans are added; cite the uid)").format(id=rec["id"])),
        ("document", f"{rec['document_title']} [{rec['document']}]"),
        ("jurisdiction", rec.get("jurisdiction") or ""),
        ("period", rec.get("period") or ""),
        ("section", rec.get("section") or ""),
        ("category", rec.get("category") or ""),
        ("title", rec.get("title") or ""),
        ("no.", rec.get("seq") or ""),
        (
            "level",
            (rec.get("level") or "")
            + (_(" of {project}").format(project=rec["project"]) if rec.get("project") else ""),
        ),
        ("task", rec.get("text") or ""),
    ]
    if rec.get("detail"):
        items.append(("detail", rec["detail"]))
    for year, target in (rec.get("targets") or {}).items():
        items.append((f"target {year}", target))
    if rec.get("deadline"):
        items.append(("deadline", rec["deadline"]))
    if rec.get("due_kind") not in (None, "none"):
        due = rec.get("due") or _("no single date")
        items.append(
            (
                "due",
                _("{due} ({kind}; as written: {text})").format(
                    due=due, kind=rec["due_kind"], text=rec.get("deadline_text") or ""
                ),
            )
        )
    for role in ("lead", "support"):
        label = rec.get(f"{role}_label")
        units = [u for u in rec.get("units") or [] if u["role"] == role]
        parts = []
        for u in units:
            canon = f"{u['canonical']} ({u['jurisdiction']})" if u.get("jurisdiction") else u["canonical"]
            text = u["name"] if canon.startswith(u["name"] + " (") else f"{u['name']} -> {canon}"
            if u["name"] == u["canonical"]:
                text = canon
            if u.get("inherited"):
                text += _(" [inherited from the row above]")
            parts.append(text)
        name = role + (f" ({label})" if label else "")
        items.append((name, "; ".join(parts) if parts else "-"))
    if rec.get("inherited"):
        items.append(("inherited", JOIN.join(rec["inherited"])))
    if rec.get("commanders"):
        items.append(("commanders", JOIN.join(rec["commanders"])))
    if rec.get("status") or rec.get("status_date"):  # the latest progress record (whodoes.query.records)
        items.append(("status", f"{rec.get('status') or _('no status')} ({rec.get('status_date')})"))
    line = str(rec.get("line") or "")
    if rec.get("line_end") and rec.get("line_end") != rec.get("line"):
        line += f"-{rec['line_end']}"
    source = f"{rec.get('source_file') or ''}:{line}"
    if rec.get("location") and rec["location"] != f"line {rec.get('line')}":
        source += f" ({rec['location']})"  # the place in a Word, PDF or spreadsheet file
    items.append(("source", source))
    return items


def by_document(rows) -> list[tuple[str, list[dict]]]:
    """Rows grouped by their document, in order: [(title (period), rows)] (reports, ledgers)."""
    groups: list[tuple[str, list[dict]]] = []
    for r in rows:
        title = f"{r['document_title']} ({r['period']})"
        if not groups or groups[-1][0] != title:
            groups.append((title, []))
        groups[-1][1].append(r)
    return groups
