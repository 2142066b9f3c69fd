"""Infer what a document is when metadata.toml does not say: title, issuer, jurisdiction, period.

Used for documents added with ``whodoes add`` and for folders without a
metadata file.  Every inferred value says where it came from
(``period_note``), so a user can check it.
"""

from __future__ import annotations

import re

from whodoes.cleanup import Line

_TITLE_WORDS = r"(方案|意见|计划|规划|通知|办法|纲要|清单|分工|要点|决定|细则)"
_TITLE_LINE = re.compile(rf"^[^。，,；;]{{6,80}}{_TITLE_WORDS}(\s*[(（][^)）]*[)）])?$")
_QUOTED_TITLE = re.compile(rf"《([^》]{{4,80}}{_TITLE_WORDS}[^》]{{0,20}})》")
_ISSUER = re.compile(
    r"((?:中共)?重庆市?(?:[\u4e00-\u9fff]{1,6}(?:区|县|自治县))?(?:人民政府|委员会|管理委员会|工作委员会)(?:办公室|办公厅)?"
    r"|重庆两江新区管理委员会|[\u4e00-\u9fff]{2,6}(?:区|县)人民政府(?:办公室)?)"
)
_JURISDICTION = re.compile(r"(两江新区|[\u4e00-\u9fff]{2,4}?(?:自治县|区|县))")
_PERIOD = re.compile(r"[(（]\s*((?:19|20)\d\d)\s*[-—–~～至到]+\s*((?:19|20)\d\d)\s*年?\s*[)）]")
_BY_YEAR = re.compile(r"到\s*((?:19|20)\d\d)\s*年")
_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,6}〔(?:19|20)\d\d〕\d+号)")
_NOT_JURISDICTION = {"地区", "园区", "城区", "新区", "社区", "街区", "景区", "辖区", "片区", "市区", "全区", "该区", "本区", "山区", "库区"}


def infer_metadata(lines: list[Line], known: dict | None = None) -> dict:
    """Fill in what ``known`` lacks from the document's own words."""
    meta = dict(known or {})
    head = [ln.text for ln in lines[:60] if ln.text]
    text = "\n".join(ln.text for ln in lines)
    notes = []
    if not meta.get("title"):
        title = None
        for t in head[:15]:
            m = _QUOTED_TITLE.search(t)
            if m:
                title = m.group(1)
                break
        if title is None:
            title = next((t for t in head[:25] if _TITLE_LINE.match(t)), None)
        if title:
            meta["title"] = title
            notes.append("title inferred from the heading lines")
    if not meta.get("issuer"):
        for t in head[:30]:
            m = _ISSUER.search(t)
            if m and len(t) < 40:
                meta["issuer"] = m.group(1)
                break
    if not meta.get("doc_number"):
        m = _DOC_NUMBER.search("\n".join(head[:15]))
        if m:
            meta["doc_number"] = m.group(1)
    if not meta.get("date"):
        for t in head[:40]:
            m = _DATE.fullmatch(t.strip(" ?"))
            if m:
                meta["date"] = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
                break
    if not meta.get("jurisdiction"):
        for source in (meta.get("title") or "", meta.get("issuer") or "", "\n".join(head[:10])):
            j = _jurisdiction_of(source)
            if j:
                meta["jurisdiction"] = j
                notes.append("jurisdiction inferred from the title or issuer")
                break
    if not meta.get("period"):
        m = _PERIOD.search(meta.get("title") or "") or _PERIOD.search("\n".join(head[:10]))
        if m:
            meta["period"] = f"{m.group(1)}-{m.group(2)}"
            notes.append("period from the title")
        else:
            targets = sorted({int(y) for y in _BY_YEAR.findall(text)})
            start = int(meta["date"][:4]) if meta.get("date") else None
            if targets:
                start = start or targets[0]
                meta["period"] = f"{min(start, targets[-1])}-{targets[-1]}"
                notes.append(f"period inferred: start from the date of issue, end from its targets (到{targets[-1]}年)")
            elif start:
                meta["period"] = f"{start}-{start}"
                notes.append("period inferred from the date of issue only")
    if notes and not meta.get("period_note"):
        meta["period_note"] = "; ".join(notes)
    return meta


def _jurisdiction_of(text: str) -> str | None:
    if "两江新区" in text:
        return "两江新区"
    for m in _JURISDICTION.finditer(text):
        name = m.group(1)
        name = re.sub(r"^(重庆市|重庆|关于|中共|印发)", "", name)
        if len(name) >= 2 and name not in _NOT_JURISDICTION and not name.endswith(("新区", "园区")):
            return name
    if "重庆市" in text:
        return "重庆市"
    return None
