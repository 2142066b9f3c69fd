#!/usr/bin/env python3
"""Synthetic corpus: N times today's plans, made by varying the real ones.

    python scripts/synth.py --scale N --out DIR [--sources DIR] [--seed S] [--no-originals]

Writes DIR/*.txt and DIR/metadata.toml (the format of data/sources/metadata.toml).
With the originals (the default) the corpus is the five real plans, byte for byte,
plus N-1 varied copies of each, so the shipped database is a subset of the one
built from it; ``--no-originals`` writes N varied copies instead.

Each copy of a plan is varied deterministically (seeded by --seed, the copy
number and the file name, so copy k is the same whatever N is):

* another jurisdiction: a Chongqing 区 or 县 other than the real plans' own
  (北碚区, 渝北区, 江津区, 万州区, 巴南区, 忠县 ...); its name replaces the
  original's in the text, title, issuer and file name, and documents that
  prefix their bodies (区生态环境局) use the new one's prefix (县生态环境局).
  The municipal plan (重庆市) becomes a district plan: 市发展改革委 ->
  区发展改革委, the districts it names -> 街道/镇 of the new district;
* shuffled task rows: table rows within their category group and groups within
  their section (a group's first row, which carries the merged category and
  unit cells, stays first), pipe-table rows, and numbered task paragraphs
  within their run (1. 2. 3. under one heading); printed numbers are
  renumbered;
* renamed units: about half of the named bodies of each plan are swapped for
  other plausible bodies (交通局, 水务集团, 畜牧发展中心 ...), consistently
  within the plan; collective names (相关部门, 各街道办事处) are kept;
* the same layouts: the one-cell-per-line table, the TAB-flattened table, the
  pipe table in traditional Chinese with pinyin debris (関(guān)), unit-clause
  paragraphs and numbered tasks, written the way the originals write them.

Importable: ``generate(scale, out)`` returns a ``Corpus`` summary.
The output is a throw-away folder (never commit it).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout without installing

SOURCES = ROOT / "data" / "sources"
DEFAULT_SEED = 20240601
RENAME_SHARE = 0.5

# Chongqing districts and counties other than the real plans' jurisdictions (两江新区, 武隆区,
# 云阳县, 重庆市): (name, short name, file-name slug).
JURISDICTIONS = [
    ("万州区", "万州", "wanzhou"),
    ("黔江区", "黔江", "qianjiang"),
    ("涪陵区", "涪陵", "fuling"),
    ("渝中区", "渝中", "yuzhong"),
    ("大渡口区", "大渡口", "dadukou"),
    ("江北区", "江北", "jiangbei"),
    ("沙坪坝区", "沙坪坝", "shapingba"),
    ("九龙坡区", "九龙坡", "jiulongpo"),
    ("南岸区", "南岸", "nanan"),
    ("北碚区", "北碚", "beibei"),
    ("綦江区", "綦江", "qijiang"),
    ("大足区", "大足", "dazu"),
    ("渝北区", "渝北", "yubei"),
    ("巴南区", "巴南", "banan"),
    ("长寿区", "长寿", "changshou"),
    ("江津区", "江津", "jiangjin"),
    ("合川区", "合川", "hechuan"),
    ("永川区", "永川", "yongchuan"),
    ("南川区", "南川", "nanchuan"),
    ("璧山区", "璧山", "bishan"),
    ("铜梁区", "铜梁", "tongliang"),
    ("潼南区", "潼南", "tongnan"),
    ("荣昌区", "荣昌", "rongchang"),
    ("开州区", "开州", "kaizhou"),
    ("梁平区", "梁平", "liangping"),
    ("城口县", "城口", "chengkou"),
    ("丰都县", "丰都", "fengdu"),
    ("垫江县", "垫江", "dianjiang"),
    ("忠县", "忠县", "zhongxian"),
    ("奉节县", "奉节", "fengjie"),
    ("巫山县", "巫山", "wushan"),
    ("巫溪县", "巫溪", "wuxi"),
    ("石柱土家族自治县", "石柱", "shizhu"),
    ("秀山土家族苗族自治县", "秀山", "xiushan"),
    ("酉阳土家族苗族自治县", "酉阳", "youyang"),
    ("彭水苗族土家族自治县", "彭水", "pengshui"),
]

# Bodies a district or county plan may name (without the 区/县 prefix).
BODIES = [
    "发展改革委",
    "经济信息委",
    "教委",
    "科技局",
    "民族宗教委",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力社保局",
    "规划自然资源局",
    "生态环境局",
    "住房城乡建委",
    "城市管理局",
    "交通局",
    "水利局",
    "农业农村委",
    "商务委",
    "文化旅游委",
    "卫生健康委",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "国资委",
    "市场监管局",
    "体育局",
    "统计局",
    "医保局",
    "林业局",
    "大数据发展局",
    "机关事务管理局",
    "信访办",
    "乡村振兴局",
    "能源局",
    "供销合作社",
    "气象局",
    "消防救援支队",
    "税务局",
    "交巡警支队",
    "畜牧发展中心",
    "土地储备中心",
    "城市建设投资集团",
    "水务集团",
    "交通建设投资集团",
    "文化旅游投资集团",
    "农业投资集团",
    "工业园区管委会",
    "高新区管委会",
    "生态环境保护综合行政执法支队",
    "环境监测站",
    "住房公积金管理中心",
    "融媒体中心",
    "规划设计研究院",
    "公共资源交易中心",
    "政务服务办",
    "港航事务中心",
    "水文监测站",
    "园林绿化中心",
    "市政设施管理处",
    "地震局",
    "档案馆",
    "总工会",
    "团委",
    "经济技术开发区管委会",
    "招商投资促进中心",
    "粮食和物资储备中心",
    "水土保持站",
    "农业技术推广站",
    "环卫所",
    "城乡规划编制研究中心",
]

# Places a district plan hands tasks to (街道/镇), for the districts a municipal plan names.
TOWNS = [
    "天生街道",
    "朝阳街道",
    "北温泉街道",
    "东阳街道",
    "龙凤桥街道",
    "歇马街道",
    "蔡家岗街道",
    "童家溪镇",
    "施家梁镇",
    "水土街道",
    "复兴街道",
    "静观镇",
    "柳荫镇",
    "三圣镇",
    "金刀峡镇",
    "澄江镇",
    "天府镇",
    "双凤桥街道",
    "回兴街道",
    "龙塔街道",
    "人和街道",
    "礼嘉街道",
    "大竹林街道",
    "鸳鸯街道",
    "翠云街道",
    "悦来街道",
    "王家街道",
    "古路镇",
    "石船镇",
    "洛碛镇",
    "木耳镇",
    "茨竹镇",
    "大湾镇",
    "兴隆镇",
    "统景镇",
]

UNIT_HEADERS = ("牵头单位", "责任单位", "配合单位", "牵头部门", "责任部门", "配合部门")
_COLLECTIVE_START = ("相关", "有关", "各", "其他", "其它", "所有", "委机关", "市级", "区级", "县级")
_COLLECTIVE_END = ("部门", "单位", "集团", "公司", "园区", "街道", "乡镇人民政府")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NUMBERED = re.compile(r"^(\s*)(\d{1,3})(\s*[.．、]\s*)(?=\D)")
_SECTION_CELL = re.compile(r"^\t[一二三四五六七八九十]+、")
_CATEGORY_CELL = re.compile(r"^\d{1,3}\s*[.．]\s*\S")
_PIPE_ROW = re.compile(r"^(\s*)(\d{1,3})(\s*\|)")


# ----------------------------------------------------------------------------------------------
# the originals


@dataclass
class Original:
    file: str
    meta: dict
    data: bytes
    text: str  # decoded
    jurisdiction: str
    units: list[str]  # the names its task rows give as lead or support (cleaned, simplified)
    traditional: bool
    prefix: str | None  # the jurisdiction prefix its bodies carry (区 in 区生态环境局), or None


def load_originals(sources: Path = SOURCES) -> list[Original]:
    """The real plans of ``sources`` with their metadata and the unit names they use."""
    from whodoes.build.cleanup import clean_lines
    from whodoes.build.parse.document import parse_document
    from whodoes.build.sources import load_metadata, read_source, source_files

    metadata = load_metadata(sources)
    out = []
    for path in source_files(sources):
        meta = metadata.get(path.name, {"file": path.name})
        src = read_source(path, meta)
        lines, traditional = clean_lines(src.text)
        rows = parse_document(lines).rows
        names: list[str] = []
        for r in rows:
            for n in r.lead + r.support:
                if n not in names:
                    names.append(n)
        jurisdiction = meta.get("jurisdiction") or ""
        prefix = jurisdiction[-1:] if jurisdiction[-1:] in ("区", "县", "市") else None
        bodies = [n for n in names if not _is_collective(n)]
        if prefix and sum(n.startswith(prefix) and len(n) > 2 for n in bodies) * 2 < len(bodies):
            prefix = None  # 两江新区 writes its bodies bare
        out.append(Original(path.name, dict(meta), src.data, src.text, jurisdiction, names, traditional, prefix))
    return out


# ----------------------------------------------------------------------------------------------
# varying one plan


def _is_collective(name: str) -> bool:
    return name.startswith(_COLLECTIVE_START) or name.endswith(_COLLECTIVE_END)


def _new_prefix(jurisdiction: str) -> str:
    return "县" if jurisdiction.endswith("县") else "区"


def _unit_mapping(orig: Original, jur: tuple[str, str, str], rng: random.Random) -> dict[str, str]:
    """written name -> written name in the copy (only the names that change)."""
    name, _short, _slug = jur
    new_prefix = _new_prefix(name)
    municipal = orig.prefix == "市"
    taken = {n[1:] if orig.prefix and n.startswith(orig.prefix) else n for n in orig.units}
    pool = [b for b in BODIES if b not in taken]
    rng.shuffle(pool)
    towns = list(TOWNS)
    rng.shuffle(towns)
    mapping: dict[str, str] = {}
    for written in orig.units:
        if municipal and written.startswith(("市级", "市属")):
            mapping[written] = new_prefix + written[1:]  # 市级有关部门 -> 区级有关部门
            continue
        if len(written) < 3 or _is_collective(written) or re.search(r"[()（）]", written):
            continue
        prefixed = bool(orig.prefix) and written.startswith(orig.prefix) and len(written) > 2
        base = written[1:] if prefixed else written
        if municipal and not prefixed:
            # the districts a municipal plan names become towns of the new district
            if re.fullmatch(rf"[{_CJK}]{{2,5}}[区县]", written) and towns:
                mapping[written] = towns.pop()
            continue
        if rng.random() < RENAME_SHARE and pool:
            base = pool.pop()
        new = (new_prefix + base) if prefixed else base
        if new != written:
            mapping[written] = new
    return mapping


def _doc_number(orig: Original, jur: tuple[str, str, str], copy: int) -> str | None:
    number = orig.meta.get("doc_number")
    if not number:
        return None
    year = re.search(r"(?:19|20)\d\d", number)
    return f"{jur[1]}府发〔{year.group(0) if year else 2022}〕{copy % 97 + 1}号"


def _place_mapping(orig: Original, jur: tuple[str, str, str], copy: int) -> list[tuple[str, str]]:
    """(old, new) place names (and the document number) to replace in the text."""
    name, short, _slug = jur
    old = orig.jurisdiction
    pairs: list[tuple[str, str]] = []
    number = _doc_number(orig, jur, copy)
    if number:
        pairs.append((orig.meta["doc_number"], number))
    if old == "两江新区":
        pairs += [("重庆两江新区", "重庆市" + name), ("两江新区", name), ("两江", short), ("两江四岸", "两江四岸")]
    elif old == "重庆市":
        pairs += [("重庆市人民政府", name + "人民政府"), ("重庆市", "重庆市" + name)]
    elif old:
        old_short = old[:-1] if len(old) > 2 else old
        pairs += [(old, name), (old_short, short)]
    if old and old[-1] in "区县" and old[-1] != name[-1] and not old.endswith("新区"):
        a, b = old[-1], name[-1]
        pairs += [(f"全{a}", f"全{b}"), (f"{a}委", f"{b}委"), (f"{a}政府", f"{b}政府"), (f"{a}级", f"{b}级")]
    return pairs


def _replacer(pairs: dict[str, str] | list[tuple[str, str]], *, bare: bool):
    """A function replacing every key by its value in one pass, longest keys first.

    ``bare``: only where the key is not preceded by a CJK character (unit names in cells,
    lists and clauses, not inside longer names)."""
    pairs = dict(pairs)
    if not pairs:
        return lambda s: s
    keys = sorted(pairs, key=len, reverse=True)
    alt = "|".join(re.escape(k) for k in keys)
    pattern = re.compile(rf"(?<![{_CJK}])(?:{alt})" if bare else alt)
    return lambda s: pattern.sub(lambda m: pairs[m.group(0)], s)


def _blank(line: str) -> bool:
    return line.strip() == ""


def _empty(line: str) -> bool:
    """Nothing at all on the line (a TAB or a space is an empty cell, not a separator)."""
    return line.strip("\r") == ""


def _shuffle_groups(blocks: list[list[str]], is_head, rng: random.Random) -> list[list[str]]:
    """Shuffle groups (a head block and the blocks after it) and the non-head blocks in each."""
    groups: list[list[list[str]]] = []
    for b in blocks:
        if is_head(b) or not groups:
            groups.append([b])
        else:
            groups[-1].append(b)
    for g in groups:
        rest = g[1:]
        rng.shuffle(rest)
        g[1:] = rest
    rng.shuffle(groups)
    return [b for g in groups for b in g]


def _vary_tabcell(lines: list[str], rng: random.Random) -> tuple[list[str], range]:
    """TAB-flattened table: rows are blocks after a blank line starting with a lone TAB cell."""
    for h, line in enumerate(lines):
        if line.startswith("\t") and line.strip() == "序号":
            start = h
            while start < len(lines) and not _empty(lines[start]):
                start += 1
            if any(c.strip() in UNIT_HEADERS for c in lines[h:start]):
                break  # the task table (not a table of indicators)
    else:
        return lines, range(0)
    end = len(lines)
    while end > start and _blank(lines[end - 1]):
        end -= 1
    bounds = [
        i for i in range(start + 1, end) if _empty(lines[i - 1]) and (lines[i] == "\t" or _SECTION_CELL.match(lines[i]))
    ]
    if len(bounds) < 2:
        return lines, range(0)
    blocks = [lines[a:b] for a, b in zip(bounds, bounds[1:] + [end])]
    blocks = [b[: max(k for k, ln in enumerate(b) if not _empty(ln)) + 1] for b in blocks]
    out_blocks: list[list[str]] = []
    section: list[list[str]] = []

    def flush():
        if section:
            out_blocks.extend(_shuffle_groups(section, lambda b: len(b) > 1 and b[1].strip() != "", rng))
            section.clear()

    for b in blocks:
        if _SECTION_CELL.match(b[0]):
            flush()
            out_blocks.append(b)
        else:
            section.append(b)
    flush()
    body: list[str] = []
    for b in out_blocks:
        body += b + [""]
    return lines[: bounds[0]] + body + lines[end:], range(h, bounds[0] + len(body))


def _vary_cellline(lines: list[str], rng: random.Random) -> tuple[list[str], range]:
    """Table flattened one cell per line: rows start at their printed number; renumbered."""
    try:
        h = next(
            i
            for i, ln in enumerate(lines)
            if ln.strip() == "序号"
            and not ln.startswith("\t")
            and any(x.strip() in UNIT_HEADERS for x in lines[i : i + 40])
        )
    except StopIteration:
        return lines, range(0)
    seqs, last = [], 0
    for i in range(h + 1, len(lines)):
        t = lines[i].strip()
        if re.fullmatch(r"\d{1,3}", t) and last < int(t) <= last + 5:
            seqs.append(i)
            last = int(t)
    if len(seqs) < 2:
        return lines, range(0)
    end = len(lines)
    while end > seqs[-1] and _blank(lines[end - 1]):
        end -= 1
    # the last row keeps its closing empty cell (a line of spaces), the rest is the tail
    k = end
    while k < len(lines) and not (lines[k].strip() == "" and lines[k] != ""):
        k += 1
    if k < len(lines):
        end = k + 1
    blocks = [lines[a:b] for a, b in zip(seqs, seqs[1:] + [end])]

    def is_head(b):
        first = next((ln.strip() for ln in b[1:] if ln.strip()), "")
        return bool(_CATEGORY_CELL.match(first)) and "。" not in first and len(first) <= 40

    blocks = _shuffle_groups(blocks, is_head, rng)
    body: list[str] = []
    for n, b in enumerate(blocks, 1):
        body += [str(n)] + b[1:]
    return lines[: seqs[0]] + body + lines[end:], range(h, seqs[0] + len(body))


def _vary_pipe(lines: list[str], rng: random.Random) -> tuple[list[str], range]:
    """Pipe table rows (one per line, 序号 first): shuffled and renumbered."""
    rows = [i for i, ln in enumerate(lines) if _PIPE_ROW.match(ln)]
    if len(rows) < 3:
        return lines, range(0)
    bodies = [lines[i] for i in rows]
    rng.shuffle(bodies)
    out = list(lines)
    for n, (i, body) in enumerate(zip(rows, bodies), 1):
        m = _PIPE_ROW.match(body)
        out[i] = f"{m.group(1)}{n}{body[m.end(2) :]}"
    return out, range(rows[0] - 1, rows[-1] + 1)


def _vary_numbered(lines: list[str], skip: range, rng: random.Random) -> list[str]:
    """Runs of numbered paragraphs (1. 2. 3. with only blank lines between): shuffled, renumbered."""
    out = list(lines)
    runs: list[list[int]] = []
    cur: list[int] = []
    for i, line in enumerate(lines):
        if i in skip:
            continue
        if _blank(line):
            continue
        m = _NUMBERED.match(line)
        if m and cur and int(m.group(2)) == int(_NUMBERED.match(lines[cur[-1]]).group(2)) + 1:
            cur.append(i)
            continue
        if len(cur) > 1:
            runs.append(cur)
        cur = [i] if m else []
    if len(cur) > 1:
        runs.append(cur)
    for run in runs:
        items = [lines[i] for i in run]
        heads = [_NUMBERED.match(ln) for ln in items]
        bodies = [ln[m.end() :] for ln, m in zip(items, heads)]
        order = list(range(len(run)))
        rng.shuffle(order)
        for pos, (i, m) in enumerate(zip(run, heads)):
            out[i] = m.group(0) + bodies[order[pos]]
    return out


@dataclass
class _Trad:
    """Writes simplified lines back as the original writes them: traditional, with pinyin debris."""

    raw_of: dict[str, str]  # simplified line -> the original line (unchanged lines keep their bytes)
    simple: list[str]
    debris: dict[str, str]  # character -> its pinyin debris "(guān)"

    @classmethod
    def of(cls, text: str) -> _Trad:
        from whodoes.build.cleanup import normalize_spaces, remove_debris, to_simplified

        raw = text.split("\n")
        simple = to_simplified("\n".join(remove_debris(normalize_spaces(ln)) for ln in raw)).split("\n")
        if len(simple) != len(raw):  # pragma: no cover - OpenCC keeps line breaks
            simple = [to_simplified(remove_debris(normalize_spaces(ln))) for ln in raw]
        raw_of: dict[str, str] = {}
        for s, r in zip(simple, raw):
            raw_of.setdefault(s, r)
        debris: dict[str, str] = {}
        for m in re.finditer(rf"([{_CJK}])(\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\))", text):
            debris.setdefault(m.group(1), m.group(2))
        return cls(raw_of, simple, debris)

    def write(self, lines: list[str]) -> str:
        import opencc

        s2t = opencc.OpenCC("s2t")
        out = []
        for text in lines:
            if text in self.raw_of:
                out.append(self.raw_of[text])
                continue
            trad = s2t.convert(text)
            out.append("".join(c + self.debris.get(c, "") for c in trad))
        return "\n".join(out)


def vary(orig: Original, jur: tuple[str, str, str], rng: random.Random, copy: int = 0) -> str:
    """Copy number ``copy`` of ``orig``, varied, in jurisdiction ``jur``: its text."""
    units = _unit_mapping(orig, jur, rng)
    rename_units = _replacer(units, bare=True)
    rename_places = _replacer(_place_mapping(orig, jur, copy), bare=False)
    trad = _Trad.of(orig.text) if orig.traditional else None
    lines = list(trad.simple) if trad else orig.text.split("\n")
    lines, table = _vary_tabcell(lines, rng)
    if not table:
        lines, table = _vary_cellline(lines, rng)
    if not table:
        lines, table = _vary_pipe(lines, rng)
    lines = _vary_numbered(lines, table, rng)
    lines = [rename_places(rename_units(ln)) for ln in lines]
    return trad.write(lines) if trad else "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# the corpus


@dataclass
class Corpus:
    out: Path
    scale: int
    documents: int = 0
    bytes: int = 0
    files: list[str] = field(default_factory=list)


def _copy_name(file: str, slug: str, copy: int) -> str:
    stem = Path(file).stem
    parts = stem.split("-", 1)
    rest = parts[1] if len(parts) == 2 else stem
    return f"{slug}-{rest}-s{copy:04d}.txt"


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return json.dumps(str(v), ensure_ascii=False)


def _toml_entry(meta: dict) -> str:
    lines = ["[[document]]"]
    for k, v in meta.items():
        if v is None:
            continue
        lines.append(f"{k} = {_toml_value(v)}")
    return "\n".join(lines) + "\n"


def _vary_meta(orig: Original, jur: tuple[str, str, str], file: str, copy: int) -> dict:
    rename = _replacer(_place_mapping(orig, jur, copy), bare=False)
    meta = {"file": file}
    for key in ("title", "issuer"):
        if orig.meta.get(key):
            meta[key] = rename(orig.meta[key])
    meta["jurisdiction"] = jur[0]
    number = _doc_number(orig, jur, copy)
    if number:
        meta["doc_number"] = number
    for key in ("date", "period"):
        if orig.meta.get(key):
            meta[key] = orig.meta[key]
    meta["period_note"] = f"synthetic copy {copy} of {orig.file} (scripts/synth.py)"
    meta["original"] = orig.file
    return meta


def copy_jurisdictions(originals: list[Original], rng: random.Random) -> dict[str, tuple[str, str, str]]:
    """Original jurisdiction -> a new one, distinct within a copy (two plans of one place stay together)."""
    olds = sorted({o.jurisdiction for o in originals})
    picks = rng.sample(JURISDICTIONS, len(olds))
    return dict(zip(olds, picks))


def generate(
    scale: int,
    out: Path,
    sources: Path = SOURCES,
    *,
    seed: int = DEFAULT_SEED,
    originals: bool = True,
    progress=None,
) -> Corpus:
    """Write a corpus of ``scale`` times the plans of ``sources`` to ``out`` (emptied first)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    out = Path(out)
    if out.exists():
        for p in out.iterdir():
            if p.is_file() and (p.suffix == ".txt" or p.name == "metadata.toml"):
                p.unlink()
    out.mkdir(parents=True, exist_ok=True)
    origs = load_originals(Path(sources))
    corpus = Corpus(out=out, scale=scale)
    entries: list[str] = []

    def write(name: str, data: bytes, meta: dict):
        (out / name).write_bytes(data)
        corpus.documents += 1
        corpus.bytes += len(data)
        corpus.files.append(name)
        entries.append(_toml_entry(meta))

    first = 1
    if originals:
        for o in origs:
            write(o.file, o.data, o.meta)
        first = 2
    for copy in range(first, scale + 1):
        jurs = copy_jurisdictions(origs, random.Random(f"{seed}:{copy}"))
        for o in origs:
            jur = jurs[o.jurisdiction]
            rng = random.Random(f"{seed}:{copy}:{o.file}")
            name = _copy_name(o.file, jur[2], copy)
            text = vary(o, jur, rng, copy)
            write(name, text.encode("utf-8"), _vary_meta(o, jur, name, copy))
        if progress:
            progress(copy, scale)
    header = (
        f"# Synthetic corpus written by scripts/synth.py (scale {scale}, seed {seed}).\n"
        f"# Varied copies of the plans of {sources}; throw-away, never commit.\n\n"
    )
    (out / "metadata.toml").write_text(header + "\n".join(entries), encoding="utf-8")
    return corpus


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, required=True, help="N times today's corpus")
    ap.add_argument("--out", type=Path, required=True, help="folder to write (its *.txt are replaced)")
    ap.add_argument("--sources", type=Path, default=SOURCES)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--no-originals", action="store_true", help="N varied copies, without the real plans")
    args = ap.parse_args(argv)
    if args.scale < 1:
        ap.error("--scale must be at least 1")
    corpus = generate(args.scale, args.out, args.sources, seed=args.seed, originals=not args.no_originals)
    print(f"{corpus.documents} documents, {corpus.bytes / 1e6:.1f} MB -> {corpus.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
