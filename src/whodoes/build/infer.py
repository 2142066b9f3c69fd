"""Infer what a document is when metadata.toml does not say: title, issuer, jurisdiction, period.

Used for documents added with ``whodoes add`` and for folders without a
metadata file.  Every inferred value says where it came from
(``period_note``), so a user can check it.

Where each value is looked for, in order:

* title: the notice that issues the plan (关于印发《X》的通知, 现将《X》印发给你们),
  else the first heading line that names a kind of plan (…方案 / …意见 (2023—2025年));
  a document merely cited (根据《…方案》) is not the title;
* issuer: a line that is nothing but issuing bodies (the letterhead or the
  signature above the date, top or bottom of the page), else a 来源 / 发布机构 label;
* jurisdiction: the issuer (重庆市北碚区人民政府办公室 -> 北碚区, 中共重庆市涪陵区委 ->
  涪陵区), else a district or county that starts the title, else 重庆市;
* date: a line that is only a date (2023年5月12日, （2022年4月18日）), else a
  发布日期 / 成文日期 label;
* period: a range in the title ((2022—2025年), 十四五), a single year in the title
  (2023年…工作要点), else from the year of issue to the last 到20XX年 target.
"""

from __future__ import annotations

import re

from whodoes.build.cleanup import Line

_TITLE_WORDS = r"(方案|意见|计划|规划|通知|办法|纲要|清单|分工|要点|决定|细则)"
_TITLE_LINE = re.compile(rf"^[^。，,；;：:]{{6,80}}{_TITLE_WORDS}(\s*[(（][^)）]*[)）])?$")
_ISSUING_NOTICE = re.compile(r"关于印发《?(.{4,80}?)》?的通知$")
_ISSUED_QUOTE = re.compile(
    rf"《([^》]{{4,80}}{_TITLE_WORDS}[^》]{{0,20}})》[^。]*(印发|下发|审议通过|同意)|现将《([^》]{{4,100}})》"
)

_BODY = r"(?:人民政府|管理委员会|工作委员会|委员会|委)(?:办公室|办公厅)?"
_ISSUER = re.compile(
    rf"((?:中共)?(?:重庆市?)(?:[\u4e00-\u9fff]{{2,12}}?(?:自治县|新区|区|县))?{_BODY}"
    rf"|(?:中共)?[\u4e00-\u9fff]{{2,12}}?(?:自治县|区|县){_BODY})"
)
_SOURCE_LABEL = re.compile(r"(?:信息来源|来源|发布机构|发文机关|发文单位)\s*[:：]\s*(\S+)")
_PLACE = re.compile(r"^(?:中共)?(?:重庆市?)?([\u4e00-\u9fff]{2,12}?(?:自治县|新区|区|县))")
_TITLE_PLACE = re.compile(
    r"^(?:关于印发|关于)?(?:进一步)?(?:推动|加快|推进|加强|支持|深化|实施|开展|做好|促进|建设)?(?:重庆市?)?"
    r"([\u4e00-\u9fff]{2,3}?(?:区|县)|[\u4e00-\u9fff]{2,8}?自治县)"
)
_NOT_JURISDICTION = {
    "地区",
    "园区",
    "城区",
    "新区",
    "社区",
    "街区",
    "景区",
    "辖区",
    "片区",
    "市区",
    "全区",
    "该区",
    "本区",
    "山区",
    "库区",
    "全县",
    "本县",
    "全市",
    "本市",
    "城市",
    "该市",
    "我市",
    "各市",
    "全省",
    "本省",
    "我省",
    "各省",
    "县市",
    "各州",
    "全州",
    "超大城市",
    "中心城市",
    "大城市",
}

_PERIOD = re.compile(r"[(（]\s*((?:19|20)\d\d)\s*[-—–~～至到]+\s*((?:19|20)\d\d)\s*年?\s*[)）]")
_FIVE_YEAR = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_TITLE_YEAR = re.compile(r"((?:19|20)\d\d)\s*年(?!\s*[-—–~～至到])")
_BY_YEAR = re.compile(r"到\s*((?:19|20)\d\d)\s*年")
_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|((?:19|20)\d\d)-(\d{1,2})-(\d{1,2})")
_DATE_LABEL = re.compile(r"(?:成文日期|发布日期|发布时间|印发日期|日期|时间)\s*[:：]\s*")
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,8}[〔\[［【(（](?:19|20)\d\d[〕\]］】)）]\s*\d+\s*号)")


def _head_and_foot(lines: list[Line]) -> list[str]:
    """The lines where letterheads, titles and signatures are: the first 40 and the last 15."""
    texts = [ln.text for ln in lines if ln.text]
    return texts[:40] + texts[40:][-15:]


# Notices a plan cites or that ask for something (关于报送…的通知): never the plan's own title.
_CITED_NOTICE = re.compile(r"^(?:关于)?(?:报送|上报|征求|报请|提供|填报|转发)")


def infer_title(texts: list[str]) -> str | None:
    for t in texts[:20]:
        m = _ISSUING_NOTICE.search(t)
        if m:
            return _bare_title(m.group(1))
    for t in texts[:20]:
        m = _ISSUED_QUOTE.search(t)
        if m:
            return _bare_title(m.group(1) or m.group(4))
    for t in texts[:25]:
        if (
            _TITLE_LINE.match(t)
            and not t.startswith(("根据", "按照", "为"))
            and not HEADING_NUMBER.match(t)
            and not _CITED_NOTICE.match(re.sub(r"^.{0,30}?关于", "关于", t))
        ):
            return _bare_title(t)
    return None


HEADING_NUMBER = re.compile(r"^\s*(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[、.．])")


def _bare_title(title: str) -> str:
    """Without the book-title marks and the spaces of a title broken over two lines."""
    return re.sub(r"\s+", "", title).strip("《》")


def infer_issuer(texts: list[str]) -> str | None:
    """A line that is nothing but issuing bodies wins; a 来源 label is the fallback."""
    for t in texts:
        parts = [p for p in re.split(r"\s+", t) if p and not _DATE.fullmatch(p)]
        if parts and all(_ISSUER.fullmatch(p) for p in parts) and len(t) <= 60:
            return " ".join(parts)
    for t in texts:
        m = _SOURCE_LABEL.search(t)
        if m and _ISSUER.fullmatch(m.group(1)):
            return m.group(1)
    return None


# A state-level new area (两江新区, 天府新区) governs itself like a district.
# In a title it must lead ("两江新区实施…", "重庆两江新区…"): "推进城市新区建设" names none.
_NEW_AREA = re.compile(r"([\u4e00-\u9fff]{2}新区)")
_NEW_AREA_LEADING = re.compile(r"^(?:关于)?(?:重庆|四川|中共重庆)?([\u4e00-\u9fff]{2}新区)")


def _new_area(text: str, leading: bool = False) -> str | None:
    m = (_NEW_AREA_LEADING.match if leading else _NEW_AREA.search)(text)
    return m.group(1) if m and m.group(1) not in _NOT_JURISDICTION else None


def jurisdiction_of_issuer(issuer: str) -> str | None:
    if _new_area(issuer):
        return _new_area(issuer)
    for body in issuer.split():
        m = _PLACE.match(body)
        if m and m.group(1) not in _NOT_JURISDICTION:
            return m.group(1)
    return "重庆市" if "重庆" in issuer else None


def jurisdiction_of_title(title: str) -> str | None:
    if _new_area(title, leading=True):
        return _new_area(title, leading=True)
    m = _TITLE_PLACE.match(title)
    if m and m.group(1) not in _NOT_JURISDICTION and not m.group(1).endswith(("新区", "园区")):
        return m.group(1)
    if title.startswith("重庆市"):
        return "重庆市"
    m = _TITLE_CITY.match(title)
    if m and m.group(1) not in _NOT_JURISDICTION:
        return m.group(1)
    return None


# A city, prefecture or province leading a title (平顶山市全面推行…, 四川省…方案, XX州…).
_TITLE_CITY = re.compile(r"^(?:中共|关于印发|关于)?([\u4e00-\u9fff]{2,4}?(?:市|省|自治州|州))")


_TABLE_TITLE = re.compile(r"(分解表|任务表|汇总表|一览表|清单|方案|要点|计划|通知)$")


def jurisdiction_of_first_lines(texts: list[str]) -> str | None:
    """A place leading a short line among the first ones (a letterhead, a title broken over lines)."""
    for line in texts[:8]:
        t = re.sub(r"\s+", "", line)
        first = line.split()[0] if line.split() else ""
        sender = t[: t.index("关于")] if "关于" in t else ""
        if not 4 <= len(t) <= 80 or HEADING_NUMBER.match(t):
            continue
        if _ISSUER.fullmatch(first) or sender and _ISSUER.match(sender):
            j = jurisdiction_of_issuer(first if _ISSUER.fullmatch(first) else sender)
        elif _TITLE_LINE.match(t) or _TABLE_TITLE.search(t):
            j = jurisdiction_of_title(t)
        else:
            continue
        if j:
            return j
    return None


def _iso(m: re.Match) -> str:
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"


def infer_date(texts: list[str]) -> str | None:
    for t in texts:
        bare = t.strip(" ?？()（）")
        m = _DATE.fullmatch(bare)
        if m:
            return _iso(m)
        # a signature line: issuing bodies, then the date
        m = _DATE.search(bare)
        if m and m.end() == len(bare) and _ISSUER.fullmatch(bare[: m.start()].strip()):
            return _iso(m)
    for t in texts:
        label = _DATE_LABEL.search(t)
        m = _DATE.match(t, label.end()) if label else None
        if m:
            return _iso(m)
    return None


def infer_period(title: str, head: str, text: str, date: str | None) -> tuple[str | None, str | None]:
    """(period "START-END", how it was found)."""
    for source in (title, head):
        m = _PERIOD.search(source)
        if m:
            return f"{m.group(1)}-{m.group(2)}", "period from the title"
    for name, (a, b) in _FIVE_YEAR.items():
        if name in title:
            return f"{a}-{b}", f"period from the title ({name})"
    m = _TITLE_YEAR.search(title)
    if m:
        return f"{m.group(1)}-{m.group(1)}", "period from the year in the title"
    targets = sorted({int(y) for y in _BY_YEAR.findall(text)})
    start = int(date[:4]) if date else None
    if targets:
        first = start or targets[0]
        return (
            f"{min(first, targets[-1])}-{targets[-1]}",
            f"period inferred: start from the {'date of issue' if start else 'first target'}, "
            f"end from its targets (到{targets[-1]}年)",
        )
    if start:
        return f"{start}-{start}", "period inferred from the date of issue only"
    return None, None


def infer_doc_number(texts: list[str]) -> str | None:
    """The document's own number: printed on a line of its own, or before its 《title》.

    A number inside a sentence ("按照…的通知(渝委发〔2018〕30号)要求") is a document it cites.
    """
    for t in texts[:15]:
        m = _DOC_NUMBER.match(t.strip())
        if m and (t.strip() == m.group(1) or t.strip()[m.end() :].lstrip().startswith(("《", "关于"))):
            return m.group(1)
    for t in texts[:20]:  # a page's metadata block: 文号 蔡政办〔2023〕1号, [ 发文字号 ] 江津府办发〔2023〕20号
        m = _NUMBER_LABEL.search(t)
        if m:
            return re.sub(r"\s+", "", m.group(1))
    return None


_NUMBER_LABEL = re.compile(
    r"(?:发文字号|文\s*号|文件编号|发文编号)\s*[\]】]?\s*[:：]?\s*([\u4e00-\u9fff]{1,10}\s*[〔\[［【(（](?:19|20)\d\d[〕\]］】)）]\s*\d+\s*号)"
)


# -- the jurisdiction from markers of known places --------------------------------------------
# ``places``: every name and short form of a known jurisdiction (data/bodies.toml) -> KnownPlace.
# Used when neither the issuer nor the title names the jurisdiction.


class KnownPlace:
    """A jurisdiction of the catalogue, as the markers need it.  (A plain class: no dataclasses.)"""

    def __init__(self, name: str, kind: str, parent: str | None = None, numbers: tuple[str, ...] = ()):
        self.name, self.kind, self.parent, self.numbers = name, kind, parent, numbers


_NUMBER_BODY = "府委办区县发政"  # what follows the place in a document number: 渝北府办发, 大足委发
_ISSUING_AFTER = r"(?:人民政府|政府|区委|县委|市委|管理委员会|管委会)"
_LEVEL_KINDS = {"市": ("市",), "区": ("区", "新区", "开发区", "高新区"), "县": ("县", "自治县")}


def jurisdiction_of_number(number: str, places: dict[str, KnownPlace]) -> str | None:
    """The place a document number starts with (渝北府办发〔2023〕12号 -> 渝北区), or whose own
    number prefixes it starts with (渝府办发 -> 重庆市)."""
    number = re.sub(r"\s+", "", number or "")
    for form in sorted(places, key=len, reverse=True):
        if number.startswith(form) and number[len(form) : len(form) + 1] in _NUMBER_BODY:
            return places[form].name
    for place in {p.name: p for p in places.values()}.values():
        if any(number.startswith(prefix) for prefix in place.numbers):
            return place.name
    return None


def jurisdiction_of_issuing_words(texts: list[str], places: dict[str, KnownPlace]) -> str | None:
    """A known place named as a government or party committee anywhere in the head and foot
    lines (渝中区人民政府办公室发布《…》, 重庆市沙坪坝区人民政府督查办, 《2023年大足区人民政府工作
    报告…》).  A place whose child is also named gives way to it (a district's page links to
    重庆市人民政府网); two places of one level left: none."""
    full = sorted({p.name for p in places.values()}, key=len, reverse=True)
    if not full:
        return None
    pattern = re.compile(f"({'|'.join(map(re.escape, full))}){_ISSUING_AFTER}")
    named = {m.group(1) for t in texts for m in pattern.finditer(t)}
    by_name = {p.name: p for p in places.values()}
    named -= {by_name[n].parent for n in named if by_name[n].parent}
    return named.pop() if len(named) == 1 else None


def jurisdiction_of_units(unit_names: list[str], places: dict[str, KnownPlace]) -> str | None:
    """The one known place that leads written unit names (重庆海关, 沙坪坝区发展改革委) and is of
    the level the plan's own bodies are written with (市X -> a city, 区X -> a district)."""
    level = _unit_level(unit_names)
    if level is None:
        return None
    forms = sorted(places, key=len, reverse=True)
    named = set()
    for n in unit_names:
        form = next((f for f in forms if n.startswith(f) and len(n) > len(f) + 1), None)
        if form:
            named.add(places[form].name)
    fitting = {n for n in named if {p.kind for p in places.values() if p.name == n} & set(_LEVEL_KINDS[level])}
    return fitting.pop() if len(fitting) == 1 and len(named) == 1 else None


def _unit_level(unit_names: list[str]) -> str | None:
    """The prefix (市, 区, 县) most of the plan's unit names are written with, or None."""
    counts = {
        level: sum(1 for n in unit_names if n.startswith(level) and not n.startswith("市场")) for level in _LEVEL_KINDS
    }
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] and list(counts.values()).count(counts[best]) == 1 else None


def jurisdiction_of_markers(
    meta: dict, texts: list[str], unit_names: list[str], places: dict[str, KnownPlace]
) -> tuple[str | None, str]:
    """(jurisdiction, how) from the markers of known places, in order of strength."""
    found = jurisdiction_of_number(meta.get("doc_number") or "", places)
    if found:
        return found, "jurisdiction inferred from the document number"
    found = jurisdiction_of_issuing_words(texts, places)
    if found:
        return found, "jurisdiction inferred from a government named in the text"
    found = jurisdiction_of_units(unit_names, places)
    if found:
        return found, "jurisdiction inferred from the place its units name"
    return None, ""


def infer_metadata(
    lines: list[Line],
    known: dict | None = None,
    places: dict[str, KnownPlace] | None = None,
    unit_names: list[str] | None = None,
) -> dict:
    """Fill in what ``known`` lacks from the document's own words; ``places`` (the known
    jurisdictions' names and short forms) and the plan's written ``unit_names`` let the
    jurisdiction be read from markers when no issuer or title names it."""
    meta = dict(known or {})
    texts = _head_and_foot(lines)
    notes = []
    if not meta.get("title"):
        title = infer_title(texts)
        if title:
            meta["title"] = title
            notes.append("title inferred from the heading lines")
    if not meta.get("issuer"):
        issuer = infer_issuer(texts)
        if issuer:
            meta["issuer"] = issuer
    if not meta.get("doc_number"):
        number = infer_doc_number(texts)
        if number:
            meta["doc_number"] = number
    if not meta.get("date"):
        date = infer_date(texts)
        if date:
            meta["date"] = date
    if not meta.get("jurisdiction"):
        j = (
            jurisdiction_of_issuer(meta.get("issuer") or "")
            or jurisdiction_of_title(meta.get("title") or "")
            or jurisdiction_of_first_lines(texts)
        )
        how = "jurisdiction inferred from the issuer or the title"
        if not j and places:
            j, how = jurisdiction_of_markers(meta, texts, unit_names or [], places)
        if j:
            meta["jurisdiction"] = j
            notes.append(how)
    if not meta.get("period"):
        text = "\n".join(ln.text for ln in lines)
        period, period_how = infer_period(meta.get("title") or "", "\n".join(texts[:10]), text, meta.get("date"))
        if period and period_how:
            meta["period"] = period
            notes.append(period_how)
    if notes and not meta.get("period_note"):
        meta["period_note"] = "; ".join(notes)
    return meta
