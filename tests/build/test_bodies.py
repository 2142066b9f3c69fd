"""data/bodies.toml, the general catalogue of government bodies, and whodoes.build.units.bodies."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from whodoes.build.units.bodies import Bodies, BodiesError, default_short_forms
from whodoes.build.units.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
BODIES = ROOT / "data" / "bodies.toml"


@pytest.fixture(scope="module")
def bodies() -> Bodies:
    return Bodies.load(BODIES)


def test_every_entry_has_its_reason_and_source():
    data = tomllib.loads(BODIES.read_text(encoding="utf-8"))
    entries = data["body"] + data["places"]
    assert len(data["body"]) >= 60
    assert [e.get("type", e.get("names")) for e in entries if not e.get("reason") or not e.get("source")] == []
    predecessors = [p for b in data["body"] for p in b.get("predecessors", [])]
    assert len(predecessors) >= 20 and all(p["reason"].strip() for p in predecessors)


def test_chongqing_has_38_districts_and_counties_and_its_new_areas(bodies):
    kinds = [p.kind for p in bodies.places.values()]
    assert kinds.count("区") == 26 and kinds.count("县") == 8 and kinds.count("自治县") == 4
    for name in ("两江新区", "西部科学城重庆高新区", "万盛经开区", "重庆市"):
        assert name in bodies.places
    assert bodies.places["武隆区"].prefixes == ["区"] and bodies.places["巫山县"].prefixes == ["县"]
    assert bodies.places["两江新区"].prefixes == []  # its plans write bare names
    assert bodies.place_of("石柱县") == bodies.place_of("石柱") == "石柱土家族自治县"
    assert bodies.place_of("武隆") == "武隆区" and bodies.place_of("两江") == "两江新区"


def test_default_short_forms():
    assert default_short_forms("武隆区", "区") == ["武隆"]
    assert default_short_forms("忠县", "县") == []  # one character is not a name
    assert default_short_forms("酉阳土家族苗族自治县", "自治县") == ["酉阳县", "酉阳"]


# the 2018-2019 reform as generic successors (issue 13), and names that are not predecessors
REFORM = {
    "环保局": "生态环境局",
    "国土局": "规划自然资源局",
    "规划局": "规划自然资源局",
    "安监局": "应急管理局",
    "农委": "农业农村委",
    "文化委": "文化旅游委",
    "旅游局": "文化旅游委",
    "卫计委": "卫生健康委",
    "工商局": "市场监管局",
    "质监局": "市场监管局",
    "食药监局": "市场监管局",
}


@pytest.mark.parametrize("old,new", REFORM.items())
def test_reform_predecessors(bodies, old, new):
    found = bodies.type_of(old)
    assert found is not None and found.type == new and found.how == "predecessor" and found.reason


def test_renshe_stays(bodies):
    found = bodies.type_of("人社局")
    assert found.type == "人力社保局" and found.how == "short"
    assert bodies.type_of("人力资源和社会保障局").how == "full"


@pytest.mark.parametrize(
    "name,type_,how",
    [
        ("发改委", "发展改革委", "short"),
        ("发改局", "发展改革委", "short"),
        ("发展和改革委员会", "发展改革委", "full"),
        ("城管局", "城市管理局", "short"),
        ("规资局", "规划自然资源局", "short"),
        ("住建委", "住房城乡建委", "short"),
        ("经信委", "经济信息委", "short"),
        ("卫健委", "卫生健康委", "short"),
        ("应急局", "应急管理局", "short"),
        ("宣传部", "宣传部", "canonical"),
        ("税务局", "税务局", "canonical"),
        ("人行支行", "人行支行", "canonical"),
        ("供电公司", "供电公司", "canonical"),
        ("蔡家岗街道", "街道办事处", "ending"),
        ("镇安镇", "镇人民政府", "ending"),
    ],
)
def test_names_of_types(bodies, name, type_, how):
    found = bodies.type_of(name)
    assert (found.type, found.how) == (type_, how)


@pytest.mark.parametrize("name", ["环保部", "城管句", "乡镇", "街道", "水务处长", "分局", "环保部分局"])
def test_not_a_type(bodies, name):
    # 环保部 is the ministry, not a district's bureau; a typo is nobody
    assert bodies.type_of(name) is None


@pytest.mark.parametrize(
    "name,type_",
    [
        # a 分局 of a type's 局 is that type (两江新区's own 分局 names are facts of data/units.toml,
        # which the catalog applies first)
        ("交通分局", "交通局"),
        ("国土分局", "规划自然资源局"),
        ("规划分局", "规划自然资源局"),
        ("环保分局", "生态环境局"),
        ("工商分局", "市场监管局"),
        ("医疗保障分局", "医保局"),
        ("规划和自然资源分局", "规划自然资源局"),
        # 水务局 is a type of its own, never 水利局 or 税务局; 水务分局 is its branch
        ("水务局", "水务局"),
        ("水务分局", "水务局"),
        ("水利局", "水利局"),
        ("税务局", "税务局"),
    ],
)
def test_branches_and_near_names_are_their_own_types(bodies, name, type_):
    assert bodies.type_of(name).type == type_


def test_prefixes_longest_first(bodies):
    assert bodies.prefixes("武隆区") == ["武隆区", "武隆", "区委", "区"]
    assert bodies.prefixes("两江新区", own=[]) == ["重庆两江新区", "两江新区", "两江"]
    assert bodies.prefixes("北京市大兴区") == ["北京市大兴区", "区委", "区"]  # not in the catalogue: by its ending
    assert bodies.prefixes("") == ["区委", "县委", "市委", "省委", "区", "县", "市", "省"]


def test_a_name_belongs_to_one_type(tmp_path):
    bad = tmp_path / "bodies.toml"
    bad.write_text(
        BODIES.read_text(encoding="utf-8")
        + """
[[body]]
type = "城管委员会"
full = "城管委员会"
kind = "government"
short = ["城管局"]
reason = "x"
source = "x"
""",
        encoding="utf-8",
    )
    with pytest.raises(BodiesError, match="城管局"):
        Bodies.load(bad)


# -- applied at build time ------------------------------------------------------------------


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.load(ROOT / "data" / "units.toml")


@pytest.mark.parametrize(
    "written,jurisdiction,key,type_",
    [
        ("区发展改革委", "北碚区", "北碚区/发展改革委", "发展改革委"),
        ("北碚区发改委", "北碚区", "北碚区/发展改革委", "发展改革委"),
        ("区环保局", "北碚区", "北碚区/生态环境局", "生态环境局"),
        ("县规划自然资源局", "巫山县", "巫山县/规划自然资源局", "规划自然资源局"),
        ("区公安分局", "北碚区", "北碚区/公安局", "公安局"),
        ("区委宣传部", "北碚区", "北碚区/宣传部", "宣传部"),
        ("蔡家岗街道", "北碚区", "北碚区/蔡家岗街道", "街道办事处"),
        ("市生态环境局", "北碚区", "重庆市/生态环境局", "生态环境局"),  # the city's, named in a district plan
        ("环保局", "两江新区", "两江新区/生态环境分局", "生态环境局"),  # the jurisdiction's own unit of the type
        ("区城市管理局(区整违办)", "北碚区", "北碚区/城市管理局", "城市管理局"),
        ("区发改委", "", "/发展改革委", "发展改革委"),  # jurisdiction unknown: any prefix
    ],
)
def test_written_names_resolve_to_bodies_of_a_type(catalog, written, jurisdiction, key, type_):
    unit = catalog.resolve(written, jurisdiction)
    assert (unit.key, unit.type) == (key, type_)


@pytest.mark.parametrize("written", ["各镇街", "相关镇街", "沿河镇街", "沿江各乡镇", "区属各重点国企", "有关街道"])
def test_groups_are_never_a_body_type(catalog, written):
    unit = catalog.resolve(written, "北碚区")
    assert unit.kind == "collective" and unit.type is None


def test_unknown_names_stay_units_of_their_own(catalog):
    unit = catalog.resolve("区宇宙飞船局", "北碚区")
    assert (unit.key, unit.type, unit.curated) == ("北碚区/区宇宙飞船局", None, False)
