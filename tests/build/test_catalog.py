"""Tests of data/units.toml and whodoes.build.units.catalog, on the real data file."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from whodoes.build.units.catalog import Catalog, CatalogError, Unit, is_collective, pinyin_keys

ROOT = Path(__file__).resolve().parents[2]
UNITS_TOML = ROOT / "data" / "units.toml"
SOURCES = ROOT / "data" / "sources"

DOCUMENTS = {  # jurisdiction -> its source files
    "两江新区": [
        "liangjiang-2018-green-development-action-plan.txt",
        "liangjiang-2021-ecological-protection-14th-plan.txt",
    ],
    "武隆区": ["wulong-2019-two-mountains-base-plan.txt"],
    "云阳县": ["yunyang-green-development-demonstration-opinions.txt"],
    "重庆市": ["chongqing-2022-guangyangwan-eco-city-opinions.txt"],
}

# Every name written in a unit clause or unit cell of the documents, after splitting on 、,，;；
# and line breaks, dropping a trailing 。, and splitting "X等相关部门" into X and 相关部门.
WRITTEN = {
    "两江新区": """
        两江产业集团 两江投资集团 两江航空产业投资集团公司 产业促进局 保税港区集团 公司 公安分局
        公安分局交巡警支队 办公室 区污普办 协同创新区公司 协调创新区公司 司法局 各园区 各园区公司
        各国有企业 各相关部门 各相关集团公司 各街道 各街道办事处 各集团 园区 园区公司 国土分局 土储中心
        城市管理局 城管局 委机关有关部门 安监局 审计局 宣传部 市场监管局 应急管理局 建管中心 建设局
        建设管理局 悦来投资集团 招商合作局 招商集团 招商合作局(招商集团) 政法委 教育局 数字经济产业园管委会
        新区全面深化改革领导小组成员单位 普查成员单位 有关国有企业 有关直属事业单位 有关街道办事处 有关部门
        有关驻区机构 机关事务中心 检察室 水土公司 江北嘴投资集团 消防救援支队 港务物流集团 环保分局
        现代服务业局 现代服务局 现服局 生态环境分局 相关部门 相关集团 相关集团公司 社会保障局 社会发展局
        社发局 科创局 科技创新局 税务局 纪工委监察室 组织人事部 经济运行局 自贸办 街道 规划分局
        规划自然资源局 规规划自然资源局 财政局 运行局 重庆地产集团 集团 鱼复公司 龙兴公司
    """.split(),
    "武隆区": """
        乡镇人民政府 区交通局 区人力社保局 区仙管委 区住房城乡建委 区公安局 区农业农村委 区卫生健康委
        区发展改革委 区司法局 区商务委 区商务局 区城管局 区委宣传部 区委组织部 区审计局 区工业园区管委会
        区扶贫办 区招商中心 区教委 区文化旅游委 区机关事务管理中心 区林业局 区水利局 区生态环境局
        区畜牧发展中心 区白管委 区科技局 区纪委监委机关 区经济信息委 区统计局 区规划自然资源局
        各街道办事处 有关街道办事处
    """.split(),
    "云阳县": ["县生态环境局"],
    "重庆市": """
        两江新区 人行重庆营管部 南岸区 市交通局 市人力社保局 市住房城乡建委 市公安局 市农业农村委 市医保局
        市卫生健康委 市发展改革委 市司法局 市商务委 市城市管理局 市大数据发展局 市委组织部 市市场监管局
        市教委 市文化旅游委 市水利局 市生态环境局 市监狱局 市科技局 市级有关部门 市经济信息委 市统计局
        市能源局 市规划自然资源局 市财政局 市通信管理局 市金融监管局 广阳岛绿色发展公司 江北区 渝中区
        重庆广阳岛片区长江经济带绿色发展示范建设领导小组办公室 重庆水务环境集团 重庆经开区 重庆银保监局
    """.split(),
}
WRITTEN_PAIRS = [(j, n) for j, names in WRITTEN.items() for n in names]


def _document_text(jurisdiction: str) -> str:
    """The documents of a jurisdiction as simplified text (pinyin debris and stray ? removed)."""
    text = "\n".join((SOURCES / f).read_text(encoding="utf-8") for f in DOCUMENTS[jurisdiction])
    if jurisdiction == "重庆市":
        import opencc

        text = re.sub(r"\([a-zA-Z\u00c0-\u024f\u0300-\u036f ]+\)", "", text).replace("?", "")
        text = opencc.OpenCC("t2s").convert(text)
    return text


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {j: _document_text(j) for j in DOCUMENTS}


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.load(UNITS_TOML)


def names_of(unit: Unit, how: str) -> dict[str, object]:
    return {e.name: e for e in unit.names if e.how == how}


# -- the data file against the documents -------------------------------------------------


@pytest.mark.parametrize("jurisdiction,name", WRITTEN_PAIRS)
def test_every_written_unit_name_resolves_to_one_curated_unit(catalog, jurisdiction, name):
    unit = catalog.lookup(name, jurisdiction)
    assert unit is not None, f"{name} ({jurisdiction}) is not in data/units.toml"
    assert unit.curated and unit.jurisdiction == jurisdiction
    assert catalog.resolve(name, jurisdiction) is unit


@pytest.mark.parametrize("jurisdiction", WRITTEN)
def test_listed_names_are_written_in_the_documents(texts, jurisdiction):
    # guards WRITTEN itself: a name missing from the documents would make the test above vacuous
    text = texts[jurisdiction].replace("(招商集团)", "")
    missing = [n for n in WRITTEN[jurisdiction] if n.replace("(招商集团)", "") not in text]
    assert missing == []


def test_every_alias_and_predecessor_is_written_in_a_document_of_its_jurisdiction(catalog, texts):
    missing = [
        (u.key, e.name)
        for u in catalog.units()
        for e in u.names
        if e.how in ("short", "variant", "typo", "predecessor") and e.name not in texts[u.jurisdiction]
    ]
    assert missing == []


def test_every_entry_has_a_reason():
    data = tomllib.loads(UNITS_TOML.read_text(encoding="utf-8"))
    entries = list(data["jurisdiction"]) + list(data["unit"])
    for u in data["unit"]:
        entries += u.get("aliases", []) + u.get("predecessors", [])
    assert len(entries) > 150
    assert [e for e in entries if not str(e.get("reason", "")).strip()] == []


def test_loaded_names_all_carry_their_reason(catalog):
    units = [u for u in catalog.units() if u.curated]
    assert len(units) > 100
    assert all(e.reason for u in units for e in u.names)


# -- renames, mergers, short forms, typos --------------------------------------------------


def test_renamed_environment_office(catalog):
    unit = catalog.resolve("环保分局", "两江新区")
    assert unit is catalog.resolve("生态环境分局", "两江新区")
    assert unit.key == "两江新区/生态环境分局"
    old = names_of(unit, "predecessor")["环保分局"]
    assert (old.year, old.change) == (2019, "renamed")


@pytest.mark.parametrize("old", ["国土分局", "规划分局"])
def test_merged_planning_and_land_offices(catalog, old):
    unit = catalog.resolve(old, "两江新区")
    assert unit.key == "两江新区/规划自然资源局"
    entry = names_of(unit, "predecessor")[old]
    assert (entry.year, entry.change) == (2019, "merged")


def test_safety_office_became_emergency_management(catalog):
    unit = catalog.resolve("安监局", "两江新区")
    assert unit.name == "应急管理局"
    assert names_of(unit, "predecessor")["安监局"].change == "renamed"


@pytest.mark.parametrize(
    "short,canonical",
    [
        ("运行局", "经济运行局"),
        ("城管局", "城市管理局"),
        ("建设局", "建设管理局"),
        ("科创局", "科技创新局"),
        ("社发局", "社会发展局"),
        ("现服局", "现代服务业局"),
        ("招商集团", "招商合作局"),
        ("办公室", "党工委管委会办公室"),
    ],
)
def test_short_forms_in_liangjiang(catalog, short, canonical):
    assert catalog.resolve(short, "两江新区").key == f"两江新区/{canonical}"


@pytest.mark.parametrize(
    "typo,canonical",
    [("现代服务局", "现代服务业局"), ("规规划自然资源局", "规划自然资源局"), ("协调创新区公司", "协同创新区公司")],
)
def test_source_typos_are_kept_as_typo_aliases(catalog, typo, canonical):
    unit = catalog.resolve(typo, "两江新区")
    assert unit.name == canonical
    assert typo in names_of(unit, "typo")


def test_full_width_brackets_match(catalog):
    assert catalog.resolve("招商合作局（招商集团）", "两江新区").name == "招商合作局"


# -- jurisdictions ---------------------------------------------------------------------


def test_wulong_city_management_is_not_liangjiangs(catalog):
    wulong = catalog.resolve("区城管局", "武隆区")
    liangjiang = catalog.resolve("城管局", "两江新区")
    assert wulong is not liangjiang
    assert (wulong.key, liangjiang.key) == ("武隆区/城市管理局", "两江新区/城市管理局")
    assert wulong.curated and wulong.name == liangjiang.name == "城市管理局"


def test_four_ecological_environment_bureaus(catalog):
    units = [
        catalog.resolve("市生态环境局", "重庆市"),
        catalog.resolve("区生态环境局", "武隆区"),
        catalog.resolve("县生态环境局", "云阳县"),
        catalog.resolve("生态环境分局", "两江新区"),
    ]
    assert all(u.curated for u in units)
    assert len({u.key for u in units}) == 4
    assert [u.jurisdiction for u in units] == ["重庆市", "武隆区", "云阳县", "两江新区"]


def test_prefix_is_stripped_only_in_its_own_jurisdiction(catalog):
    assert catalog.resolve("区生态环境局", "武隆区").key == "武隆区/生态环境局"
    assert catalog.resolve("生态环境局", "武隆区").key == "武隆区/生态环境局"
    assert catalog.resolve("重庆市生态环境局", "重庆市").key == "重庆市/生态环境局"
    # 两江新区 writes bare names: 区城管局 there is not its 城市管理局 and nothing else
    stray = catalog.resolve("区城管局", "两江新区")
    assert not stray.curated and stray.key == "两江新区/区城管局"


def test_short_forms_do_not_leak_into_other_jurisdictions(catalog):
    # 运行局 is a short form 两江新区's plans use, not a general one: unknown in 武隆区
    assert catalog.lookup("运行局", "武隆区") is None
    unit = catalog.resolve("运行局", "武隆区")
    assert not unit.curated and unit.key == "武隆区/运行局" and unit.type is None
    # 城管局 is a general short form (data/bodies.toml): in 重庆市 it is 重庆市's own 城市管理局
    unit = catalog.resolve("城管局", "重庆市")
    assert unit.key == "重庆市/城市管理局" and unit.type == "城市管理局"


def test_prefix_inside_a_name_is_not_a_prefix(catalog):
    assert catalog.resolve("市市场监管局", "重庆市").key == "重庆市/市场监管局"
    assert catalog.resolve("市场监管局", "两江新区").key == "两江新区/市场监管局"
    assert catalog.resolve("市委组织部", "重庆市").key == "重庆市/市委组织部"
    assert catalog.resolve("区委宣传部", "武隆区").key == "武隆区/区委宣传部"
    assert catalog.resolve("市级有关部门", "重庆市").kind == "collective"


def test_liangjiang_as_a_unit_of_the_city_document(catalog):
    unit = catalog.resolve("两江新区", "重庆市")
    assert unit.key == "重庆市/两江新区" and unit.kind == "body" and unit.curated


# -- collectives -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "jurisdiction,name",
    [
        ("两江新区", n)
        for n in (
            "相关部门",
            "各相关部门",
            "有关部门",
            "相关集团公司",
            "各街道",
            "街道",
            "各园区",
            "集团",
            "园区公司",
            "有关国有企业",
            "委机关有关部门",
            "有关驻区机构",
            "有关直属事业单位",
            "各街道办事处",
            "普查成员单位",
            "新区全面深化改革领导小组成员单位",
        )
    ]
    + [("武隆区", "乡镇人民政府"), ("武隆区", "有关街道办事处"), ("重庆市", "市级有关部门")],
)
def test_collectives_are_collective_units(catalog, jurisdiction, name):
    unit = catalog.resolve(name, jurisdiction)
    assert unit.curated and unit.kind == "collective"


@pytest.mark.parametrize("name", ["生态环境分局", "招商合作局", "水土公司", "自贸办"])
def test_named_bodies_are_bodies(catalog, name):
    assert catalog.resolve(name, "两江新区").kind == "body"


def test_relevant_and_all_collectives_stay_apart(catalog):
    assert catalog.resolve("有关国有企业", "两江新区") is not catalog.resolve("各国有企业", "两江新区")
    assert catalog.resolve("有关街道办事处", "两江新区") is not catalog.resolve("各街道办事处", "两江新区")
    assert catalog.resolve("有关部门", "两江新区") is catalog.resolve("相关部门", "两江新区")


@pytest.mark.parametrize(
    "name",
    [
        "相关部门",
        "有关部门",
        "各相关部门",
        "各街道",
        "各国有企业",
        "有关国有企业",
        "委机关有关部门",
        "市级有关部门",
        "区级有关部门",
        "其他单位",
        "普查成员单位",
        "新区全面深化改革领导小组成员单位",
    ],
)
def test_is_collective_true(name):
    assert is_collective(name)


@pytest.mark.parametrize(
    "name",
    [
        "城管局",
        "生态环境分局",
        "区委宣传部",
        "市委组织部",
        "两江新区",
        "重庆经开区",
        "市场监管局",
        "公安分局交巡警支队",
        "协同创新区公司",
        "组织人事部",
    ],
)
def test_is_collective_false(name):
    assert not is_collective(name)


# -- resolving unknown names, recording written forms --------------------------------------


def test_unknown_names_become_remembered_implicit_units(catalog):
    curated_count = len(catalog.units())
    unit = catalog.resolve("未知管理局", "武隆区")
    assert (unit.key, unit.kind, unit.curated) == ("武隆区/未知管理局", "body", False)
    assert [(e.name, e.how) for e in unit.names] == [("未知管理局", "written")]
    assert catalog.resolve("未知管理局", "武隆区") is unit
    assert catalog.resolve("未知管理局", "两江新区") is not unit
    group = catalog.resolve("其他有关单位", "武隆区")
    assert group.kind == "collective" and not group.curated
    units = catalog.units()
    assert units[curated_count:] == [unit, catalog.lookup("未知管理局", "两江新区"), group]
    assert all(u.curated for u in units[:curated_count])


def test_written_forms_are_recorded_once(catalog):
    unit = catalog.resolve("区生态环境局", "武隆区", where="wulong-2019")
    catalog.resolve("区生态环境局", "武隆区")
    written = [e for e in unit.names if e.how == "written"]
    assert [(e.name, e.reason) for e in written] == [("区生态环境局", "written so in wulong-2019")]
    # a listed form is not recorded again
    unit = catalog.resolve("城管局", "两江新区")
    assert [e.how for e in unit.names if e.name == "城管局"] == ["short"]


def test_units_start_in_file_order(catalog):
    data = tomllib.loads(UNITS_TOML.read_text(encoding="utf-8"))
    expected = [f"{u['jurisdiction']}/{u['name']}" for u in data["unit"]]
    assert [u.key for u in catalog.units()] == expected
    assert catalog.jurisdictions == {"两江新区": [], "武隆区": ["区"], "云阳县": ["县"], "重庆市": ["市"]}


# -- validation ------------------------------------------------------------------------

GOOD = """
[[jurisdiction]]
name = "甲区"
prefixes = ["区"]
reason = "r"

[[jurisdiction]]
name = "乙区"
prefixes = ["区"]
reason = "r"

[[unit]]
name = "城市管理局"
jurisdiction = "甲区"
kind = "body"
reason = "r"
aliases = [{ name = "城管局", kind = "short", reason = "r" }]
predecessors = [{ name = "市政局", year = 2019, change = "renamed", reason = "r" }]

[[unit]]
name = "城市管理局"
jurisdiction = "乙区"
kind = "body"
reason = "the same names in another jurisdiction are fine"
aliases = [{ name = "城管局", kind = "short", reason = "r" }]
"""


def load_text(tmp_path: Path, text: str) -> Catalog:
    path = tmp_path / "units.toml"
    path.write_text(text, encoding="utf-8")
    return Catalog.load(path)


def test_small_valid_file(tmp_path):
    catalog = load_text(tmp_path, GOOD)
    assert [u.key for u in catalog.units()] == ["甲区/城市管理局", "乙区/城市管理局"]
    assert catalog.resolve("区市政局", "甲区").key == "甲区/城市管理局"


@pytest.mark.parametrize(
    "change,message",
    [
        (
            (
                'name = "城市管理局"\njurisdiction = "甲区"',
                'name = "城市管理局"\njurisdiction = "甲区"\ncolour = "red"',
            ),
            "unknown key 'colour'",
        ),
        (('reason = "the same names in another jurisdiction are fine"\n', ""), "missing 'reason'"),
        (
            (
                '{ name = "城管局", kind = "short", reason = "r" }]\npredecessors',
                '{ name = "城管局", kind = "short", reason = " " }]\npredecessors',
            ),
            "reason must be a non-empty string",
        ),
        (('jurisdiction = "乙区"', 'jurisdiction = "丙区"'), "unknown jurisdiction '丙区'"),
        (
            ('kind = "body"\nreason = "r"', 'kind = "agency"\nreason = "r"'),
            "kind 'agency' is not one of body, collective",
        ),
        (('kind = "short"', 'kind = "nickname"'), "kind 'nickname' is not one of short, variant, typo"),
        (('change = "renamed"', 'change = "split"'), "change 'split' is not one of renamed, merged"),
        (("year = 2019", 'year = "2019"'), "year must be an integer"),
        (('{ name = "市政局", year', '{ name = "城管局", year'), "name '城管局' is already used in 甲区"),
        (
            (
                '[[unit]]\nname = "城市管理局"\njurisdiction = "乙区"',
                '[[unit]]\nname = "城管局"\njurisdiction = "甲区"',
            ),
            "already used in 甲区 by 甲区/城市管理局",
        ),
        (('prefixes = ["区"]', 'prefixes = "区"'), "prefixes must be a list"),
        (
            ('name = "城市管理局"\njurisdiction = "甲区"', 'name = "城市管理局"\njurisdiction = "甲区"\nname = "x"'),
            "invalid TOML",
        ),
        (('kind = "body"\nreason = "r"', 'kind = "body"\nreason = "r'), "invalid TOML"),
    ],
)
def test_malformed_files_give_one_line_errors(tmp_path, change, message):
    old, new = change
    assert GOOD.count(old) >= 1
    with pytest.raises(CatalogError) as info:
        load_text(tmp_path, GOOD.replace(old, new, 1))
    text = str(info.value)
    assert message in text
    assert "\n" not in text and text.startswith(str(tmp_path / "units.toml") + ": ")


def test_missing_file(tmp_path):
    with pytest.raises(CatalogError, match="cannot read"):
        Catalog.load(tmp_path / "nope.toml")


# -- pinyin ----------------------------------------------------------------------------


def test_pinyin_keys():
    assert pinyin_keys("城管局") == ("chengguanju", "cgj")
    assert pinyin_keys("重庆经开区") == ("chongqingjingkaiqu", "cqjkq")
    assert pinyin_keys("绿色") == ("lvse", "ls")
    assert pinyin_keys("5G网络（试点）") == ("5gwangluoshidian", "5gwlsd")
    for name in ("生态环境分局", "区委宣传部", "招商合作局(招商集团)"):
        full, initials = pinyin_keys(name)
        assert full.isascii() and full.isalnum() and full.islower()
        assert len(initials) == len(re.sub(r"[()]", "", name))


def test_catalog_import_does_not_load_pinyin_or_opencc():
    code = (
        "import sys, whodoes.build.units.catalog; print(sorted(m for m in ('pypinyin', 'opencc') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
