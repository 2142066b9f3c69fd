"""The markers layouts are recognised by: role labels, column headers, headings, unit names.

Everything here is generic vocabulary of Chinese government plans; nothing
names a particular document.
"""

from __future__ import annotations

import re

# --- role labels -----------------------------------------------------------
LEAD_LABELS = (
    "牵头单位",
    "牵头部门",
    "主办单位",
    "主责单位",
    "主责部门",
    "牵头领导单位",
    "牵头责任单位",
    "主要责任单位",
    "牵头处室",
    "牵头科室",
    "牵头",
    "责任单位或牵头单位",
    "牵头责任部门",
    "主要牵头单位",
    "主要牵头部门",
)
SUPPORT_LABELS = (
    "配合单位",
    "配合部门",
    "协办单位",
    "协办部门",
    "协助单位",
    "参与单位",
    "参与部门",
    "协同单位",
    "参加单位",
    "协作单位",
    "协同部门",
    "协作部门",
    "配合责任单位",
    "配合处室",
    "配合",
    "协办",
    "协同责任单位",
    "参与",
    "协助",
    "协助部门",
    "配合科室",
    "协办处室",
    "主要参与部门",
    "主要参与单位",
    "主要配合部门",
    "主要配合单位",
    "配合责任部门",
)
# 责任单位 is the lead unless a lead label stands beside it (docs/SCHEMA.md, "Roles").
DUAL_LABELS = (
    "责任单位",
    "责任部门",
    "责任街镇",
    "责任镇街",
    "责任乡镇",
    "责任镇乡",
    "承办单位",
    "实施单位",
    "责任主体",
    "落实单位",
    "责任处室",
    "责任科室",
    "责任股室",
    "责任股室单位",
    "责任科室单位",
    "责任处室单位",
    "责任部门单位",
    "相关部门",
)
COMMANDER_LABELS = ("副指挥长", "指挥长")
# Labels of a clause that name people or a date, not units: read (deadline) or skipped.
DEADLINE_LABELS = ("完成时限", "完成时间", "时间节点", "时限要求", "完成期限", "时间要求")
PERSON_LABELS = (
    "牵头领导",
    "责任领导",
    "分管领导",
    "牵头市领导",
    "牵头区领导",
    "牵头县领导",
    "责任人",
    "联系人",
    "牵头负责领导",
    "分管省领导",
    "分管市领导",
    "分管区领导",
    "分管县领导",
    "责任区领导",
    "责任市领导",
    "责任县领导",
    "联系领导",
    "牵头省领导",
    "责任领导同志",
    "牵头负责人",
)
# Labels whose value is role sentences ("部门分工：A牵头，B配合").
DIVISION_LABELS = ("部门分工", "责任分工", "任务分工", "单位分工", "职责分工", "分工")
UNIT_LABELS = LEAD_LABELS + SUPPORT_LABELS + DUAL_LABELS

LABEL_RE = re.compile(
    "(?:主要(?!责任单位|牵头单位|牵头部门))?("  # 主要协作单位 is 协作单位
    + "|".join(
        sorted(
            UNIT_LABELS + COMMANDER_LABELS + DEADLINE_LABELS + PERSON_LABELS + DIVISION_LABELS, key=len, reverse=True
        )
    )
    + r")\s*[:：]"
)
# A line that names people, not units (责任领导：张三 / 牵头负责领导：… / 指挥长：…).
PERSON_LINE = re.compile(
    r"^[(（【\[]?\s*(?:[\u4e00-\u9fff]{0,6}领导(?:同志)?|责任人|联系人|负责人|副?指挥长)\s*[】\]]?\s*[:：]"
)


def assign_roles(labels: list[str]) -> dict[str, str]:
    """Map the unit labels of one clause or table header to "lead" / "support"."""
    has_lead = any(label in LEAD_LABELS for label in labels)
    roles = {}
    for label in labels:
        if label in LEAD_LABELS or label == "主办":
            roles[label] = "lead"
        elif label in SUPPORT_LABELS:
            roles[label] = "support"
        elif label in DUAL_LABELS:
            roles[label] = "support" if has_lead else "lead"
    return roles


# --- headings --------------------------------------------------------------
CN_NUM = "一二三四五六七八九十百零〇"
HEADING_1 = re.compile(rf"^(?:第[{CN_NUM}\d]+[章部分篇]\s*|[{CN_NUM}]+\s*[、.．]\s*)(\S.*)$")
HEADING_2 = re.compile(rf"^[(（]\s*([{CN_NUM}]+)\s*[)）]\s*(\S.*)$")
# '1* .开展…': a star after the number marks a flagship item (试点 / 首创), still item 1
NUMBERED = re.compile(r"^(\d{1,3})\s*[*＊]?\s*[.．、]\s*(?!\d)(\S.*)$")
ATTACHMENT = re.compile(rf"^附\s*[件表]\s*[\d{CN_NUM}]*\s*[:：]?")


def heading_level(text: str) -> int | None:
    """1 for 一、/第一章, 2 for (一), 3 for 1. — else None."""
    if HEADING_1.match(text):
        return 1
    if HEADING_2.match(text):
        return 2
    if NUMBERED.match(text):
        return 3
    return None


def first_sentence(text: str, limit: int = 60) -> str:
    """The short name of a paragraph: its words before the first 。 (or the whole line)."""
    head = re.split(r"[。]", text, maxsplit=1)[0].strip()
    return head[:limit].rstrip("，,;；:： ")


# --- table headers ------------------------------------------------------------
SEQ_HEADERS = {"序号", "编号", "序"}
CATEGORY_HEADERS = {
    "工程类别",
    "类别",
    "项目类别",
    "任务类别",
    "分类",
    "领域",
    "重点领域",
    "工作领域",
    "措施",
    "主要措施",
    "类型",
    "板块",
    "专项",
    "工作类别",
    "重点方向",
}
TASK_HEADERS = {
    "职责分工",
    "职责",
    "工作职责",
    "主要职责",
    "职责任务",
    "职责内容",
    "工作任务",
    "主要内容",
    "重点任务",
    "任务",
    "具体任务",
    "工作内容",
    "任务内容",
    "主要任务",
    "工作措施",
    "具体措施",
    "内容",
    "任务名称",
    "重点工作",
    "主要工作",
    "工作事项",
    "事项",
    "具体工作",
    "工作要求",
    "任务分工",
    "项目名称",
    "建设内容",
    "项目",
    "重点任务及措施",
    "工作举措",
    "主要举措",
    "具体举措",
    "重点举措",
    "任务措施",
    "改革任务",
    "工作重点",
    "整治任务",
    "整改措施",
    "整改任务",
    "重点项目",
    "建设任务",
    "任务要求",
    "具体内容",
    # 任务名称 | 指标要求: what is required of the named item is the task text, the name its title
    "指标要求",
    "目标要求",
}
# Columns that hold the task only when the table has no task column of its own;
# beside one (重点任务 | 工作目标) they are detail.
SECONDARY_TASK_HEADERS = {
    "职责分工",
    "职责",
    "工作职责",
    "主要职责",
    "职责任务",
    "职责内容",
    "工作目标",
    "目标任务",
    "目标",
    "预期目标",
    "指标",
    "指标名称",
    "主要指标",
    "具体指标",
    "考核指标",
    "预期成效",
    "工作成效",
    "预期成果",
}
# A header cell spanning the per-year columns of a second header line (年度目标: 2023年 | 2024年 ...).
YEAR_GROUP_HEADERS = {
    "年度目标",
    "年度任务",
    "分年度目标",
    "分年度任务",
    "年度安排",
    "年度计划",
    "进度安排",
    "时间安排",
    "年度工作目标",
    "年度目标任务",
    "分年度推进计划",
    "年度推进计划",
}
DEADLINE_HEADERS = {
    "完成时限",
    "时间节点",
    "完成时间",
    "时限",
    "时间安排",
    "进度安排",
    "完成时限要求",
    "时限要求",
    "完成期限",
    "时间进度",
    "推进时限",
    "时间要求",
    "完成时间节点",
    "整改时限",
    "整改期限",
    "办结时限",
    "完成节点",
    "时间",
}
# Columns that are neither task, unit nor date: their cells are kept as detail.
OTHER_HEADERS = {
    "问题",
    "存在问题",
    "主要问题",
    "问题描述",
    "问题清单",
    "考核方式",
    "验收标准",
    "成果形式",
    "进展情况",
    "完成情况",
    "工作进展",
    "资金来源",
    "总投资",
    "投资",
    "建设地点",
    "建设规模",
    "建设年限",
    "建设性质",
    "责任人",
    "联系人",
    "政策依据",
    "依据",
}
NOTE_HEADERS = {"备注", "说明"}
# Progress columns of a report on a plan: 一季度 / 二季度推进情况 / 上半年推进情况 / 1-6月完成情况.
PROGRESS_HEADER = re.compile(
    r"^(?:第?[一二三四1-4]季度|上半年|下半年|前三季度|全年|\d{1,2}[-—~至]\d{1,2}月|截至\S{0,8}|目前)"
    r"(?:推进|进展|完成|落实|工作)?(?:情况|进度|进展)?$|^(?:推进|进展|完成|落实)(?:情况|进度)$"
)
YEAR_HEADER = re.compile(
    r"^((?:19|20)\d\d)\s*年?\s*度?\s*(?:任务|目标|工作任务|工作目标|计划|进度|目标任务|工作安排|重点任务|预期目标|主要目标"
    r"|主要预期目标|目标任务|重点工作|工作重点|任务目标)?$"
)
_HEADER_NOISE = re.compile(r"[\s*|]+")
_HEADER_PAREN = re.compile(r"[(（][^()（）]*[)）]$")  # no open bracket inside: linear on any cell


def header_word(cell: str) -> str:
    """A header cell as a bare word: no spaces, no markdown bold, no trailing (部门) / (年月)."""
    return _HEADER_NOISE.sub("", cell)


def header_kind(cell: str) -> tuple[str, str | None] | None:
    """Classify one header cell: (kind, extra).

    kind: seq | category | task | task2 (a task column only when there is no other) | year | yeargroup
    (a cell spanning per-year columns) | lead | support | dual | deadline | note; extra: the year, or the label.
    """
    word = header_word(cell)
    if not word:
        return None
    kind = _header_kind(word)
    if kind is None and _HEADER_PAREN.search(word):
        kind = _header_kind(_HEADER_PAREN.sub("", word))  # 牵头单位（部门）, 完成时限（年月）
    if kind is None:
        kind = _joined_labels(word)
    return kind


def header_type(cell: str) -> str | None:
    """The kind of a header cell (see ``header_kind``), None when it is no column name."""
    kind = header_kind(cell)
    return kind[0] if kind else None


def _joined_labels(word: str) -> tuple[str, str | None] | None:
    """'责任主体与协同单位': two unit labels joined by 与 / 和 / 及 / 、 name one unit column, read
    by the first label (a 责任主体 beside a 牵头单位 column is the support)."""
    parts = re.split(r"[与和及、/]", word)
    if len(parts) != 2 or not all(p in UNIT_LABELS for p in parts):
        return None
    return _header_kind(parts[0])


def _header_kind(word: str) -> tuple[str, str | None] | None:
    if word in SEQ_HEADERS:
        return ("seq", None)
    if (
        word in LEAD_LABELS or word == "主办"
    ):  # a bare 主办 is a lead only as a column name (a page footer says 主办：…)
        return ("lead", word)
    if word in SUPPORT_LABELS:
        return ("support", word)
    if word in DUAL_LABELS:
        return ("dual", word)
    if word in CATEGORY_HEADERS:
        return ("category", None)
    if word in TASK_HEADERS:
        return ("task", None)
    if word in SECONDARY_TASK_HEADERS:
        return ("task2", None)
    if word in YEAR_GROUP_HEADERS:
        return ("yeargroup", None)
    if word in DEADLINE_HEADERS:
        return ("deadline", None)
    if word in NOTE_HEADERS:
        return ("note", None)
    if word in OTHER_HEADERS or word.endswith(("领导", "责任人", "联系人")) or PROGRESS_HEADER.match(word):
        return ("other", None)  # 牵头区领导, 责任领导: people, not units
    m = YEAR_HEADER.match(word)
    if m:
        return ("year", m.group(1))
    if re.fullmatch(r"[\u4e00-\u9fff]{3,12}", word) and word.endswith(_TASK_WORD_ENDS) and not word.startswith("附"):
        return ("task", None)  # 重点工作目标任务, 实事项目: a compound naming the task
    return None


_TASK_WORD_ENDS = ("任务", "措施", "内容", "事项", "举措", "项目")


def could_be_header(cell: str) -> bool:
    """A short column name we do not know (考核指标, 预期成效): allowed beside known ones."""
    word = header_word(cell)
    return 0 < len(word) <= 10 and not re.search(r"[。，,；;、：:\d]", word)


# A 序号 cell that numbers a section, not a task: 一 / （一） / 一、
SECTION_SEQ = re.compile(rf"^[(（]?[{CN_NUM}]+[)）]?[、.．]?$")


# --- unit names ------------------------------------------------------------
SEPARATORS = "、,，;；\n"
UNIT_SUFFIXES = (
    "局",
    "委",
    "办",
    "部",
    "室",
    "处",
    "厅",
    "署",
    "中心",
    "公司",
    "集团",
    "政府",
    "单位",
    "部门",
    "街道",
    "园区",
    "管委会",
    "委员会",
    "小组",
    "机构",
    "企业",
    "队",
    "所",
    "站",
    "院",
    "行",
    "区",
    "县",
    "市",
    "镇",
    "乡",
    "会",
    "团",
    "社",
    "馆",
    "组",
    "校",
    "支队",
    "大队",
    "办事处",
    "分局",
    "法院",
    "检察院",
    "海关",
    "银行",
    "机关",
    "镇街",
    "镇乡",
    "乡镇",
    "党委",
    "党组",
    "联",
    "协",
    "村",
    "专班",
    "股",
    "科",  # 妇联 / 残联 / 工商联, 科协, 各村（社区）, 工作专班, 文化宣传股, 经管科
)
# Verbs that start task text but never a unit name.
TASK_START = re.compile(
    r"^(推进|推动|加强|加快|开展|实施|建设|建立|完善|强化|落实|严格|组织|深化|提升|提高|制定|完成|"
    r"按照|积极|持续|全面|探索|打造|构建|支持|鼓励|优化|严控|引导|培育|发展|做好|规范|健全|配合|"
    r"依托|坚持|扎实|大力|着力|深入|继续|确保|促进|保障|编制|启动|巩固|筑牢|聚焦|统筹|围绕)"
)


def split_pieces(text: str, separators: str = SEPARATORS) -> list[str]:
    """Split on separators outside parentheses (a line break always splits)."""
    pieces: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch in "(（[【〈〔《":
            depth += 1
        elif ch in ")）]】〉〕》" and depth:
            depth -= 1
        if ch == "\n" or (ch in separators and depth == 0):
            pieces.append("".join(cur))
            cur, depth = [], 0
        else:
            cur.append(ch)
    pieces.append("".join(cur))
    return pieces


LEAD_MARKS = "★*＊☆※"


def looks_like_unit(piece: str) -> bool:
    piece = piece.strip().strip(LEAD_MARKS).rstrip("。.等")
    piece = re.sub(r"等$", "", piece)
    if len(piece) < 2 or len(piece) > 24:
        return False  # no unit is named by one character (区 / 市 cut off, 市 / 监 / 察 / 局 broken)
    if re.search(r"[。！？!?：:“”\"]", piece) or re.search(r"\d{2,}", piece):
        return False
    if len(piece) > 6 and TASK_START.match(piece):
        return False  # short names may start like a verb: 建设局, 组织人事部, 发展改革委
    if _NOT_UNIT.search(piece):
        return False
    base = re.sub(r"[(（][^()（）]*[)）]$", "", piece)  # 招商合作局(招商集团)
    return base.endswith(UNIT_SUFFIXES) or bool(re.fullmatch(r"各[\u4e00-\u9fff]{1,3}", base))


# Words of a sentence about tasks, never of a unit name (以下各项任务均需区县政府落实).
_NOT_UNIT = re.compile(r"任务|以下|上述|均需|均由|不再|工作中|要求")


# A note inside a unit name: 市卫生健康委（除标注外，下同）, 各区人民政府〈含开发区管委会，下同〉,
# 各区县〔自治县，以下简称区县〕政府 (only the note goes: 各区县〔自治县〕政府).
_NOTE_GROUP = re.compile(r"([(（〈〔])([^()（）〈〉〔〕]*)([)）〉〕])")
_NOTE_WORDS = re.compile(r"下同|除[^，,]*外|以下简称|简称|以下统称|第一位|排名第一|首位")


def drop_notes(cell: str) -> str:
    if not _NOTE_WORDS.search(cell):
        return cell

    def keep(m: re.Match) -> str:
        parts = [
            p
            for p in re.split(r"[，,]", m.group(2))
            if p.strip() and not _NOTE_WORDS.search(p) and not p.strip().startswith(("含", "包括", "不含"))
        ]
        return m.group(1) + "，".join(parts) + m.group(3) if parts else ""

    return _NOTE_GROUP.sub(keep, cell)


_GAP = re.compile(r"(?<=[\u4e00-\u9fff）)])[ \t]+(?=[\u4e00-\u9fff（(])")
_PIECE_END = re.compile(r"[、,，;；:：(（)）\[\]【】]")


def close_gaps(text: str) -> str:
    """Spaces between characters in a unit list or a role clause, left by line breaks of a copy.

    A space between two complete unit names that begin alike ("市规划局 市建设局", or a group
    "各镇街") separates them (it becomes 、); any other ("市食药 安委", "配 合", "市政府 法制办")
    is a broken word and goes.
    """
    if " " not in text and "\t" not in text:
        return text
    out, pos = [], 0
    for m in _GAP.finditer(text):
        left = _PIECE_END.split(text[max(0, m.start() - 40) : m.start()])[-1]  # names are short: windows keep it linear
        words = _PIECE_END.split(text[m.end() : m.end() + 40])[0].split()
        right = words[0] if words else ""
        out.append(text[pos : m.start()])
        if (
            left
            and right
            and looks_like_unit(left)
            and looks_like_unit(right)
            and (right[0] == left[0] or right.startswith(("各", "相关", "有关")))
        ):
            out.append("、")
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def looks_like_units(cell: str) -> bool:
    """True when every piece of the cell reads as a unit name (or a group of units)."""
    if len(cell) > 600:
        return False  # a unit list is never this long: a paragraph
    cell = close_gaps(drop_notes(cell.strip()))
    if not cell or cell in ("/", "／", "-", "—", "无"):
        return cell != ""
    pieces = [p for p in split_pieces(cell) if p.strip()]
    if not pieces:
        return False
    for p in pieces:
        p = p.strip().rstrip("。.")
        m = re.match(r"^(.+?)等(.+)$", p)
        if m and looks_like_unit(m.group(2)):
            p = m.group(1)
        if not looks_like_unit(p):
            return False
    return True


def is_none_cell(cell: str) -> bool:
    return cell.strip() in ("/", "／", "-", "—", "无", "——")
