"""Issue 13: unit names written in real plans (tests/fixtures/real, not the held-out part)
resolve to the right body through data/bodies.toml, and near names never to a near body.

Each expectation was written by hand from what the body is (its duties and the reform that
renamed it), before looking at the resolver's answer.  A row: the name as written, the
jurisdiction of its plan ("" when the plan does not say), and what it must resolve to: the
jurisdiction of the body and its body type (None: nothing knows it, it stays a unit of its own
and is listed by ``whodoes units --unknown``).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from whodoes.build.units.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "fixtures" / "real"


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load(ROOT / "data" / "units.toml")


RIGHT = [
    # former names of Chongqing's bodies, in the city's 2004 and 2008 plans
    ("市信息产业局", "重庆市", "重庆市", "经济信息委"),
    ("市市政委", "重庆市", "重庆市", "城市管理局"),
    ("市农办", "重庆市", "重庆市", "农业农村委"),
    ("市卫生局", "重庆市", "重庆市", "卫生健康委"),
    ("市精神文明办", "重庆市", "重庆市", "文明办"),
    ("综治办", "", "", "政法委"),
    ("农林委", "", "", "农业农村委"),
    # other short forms
    ("区供销联社", "铜梁区", "铜梁区", "供销合作社"),
    ("区畜牧业发展中心", "铜梁区", "铜梁区", "畜牧发展中心"),
    ("市公路处", "", "", "公路局"),
    # a 分局 of a type's 局 is that type
    ("区交通分局", "", "", "交通局"),
    ("区国土分局", "", "", "规划自然资源局"),
    ("区规划分局", "", "", "规划自然资源局"),
    ("工商分局", "", "", "市场监管局"),
    ("医疗保障分局", "", "", "医保局"),
    ("规划和自然资源分局", "", "", "规划自然资源局"),
    # bodies of other places, each a type of its own
    ("区水务局", "", "", "水务局"),
    ("区绿容局", "", "", "绿化市容局"),
    ("区建管委", "", "", "建设管理委"),
    ("区房管局", "", "", "房管局"),
    ("区科经局", "", "", "科技经信局"),
    ("区科技和经信局", "", "", "科技经信局"),
    ("区审改办", "", "", "审改办"),
    # sub-bodies and institutions, each named by itself
    ("文物股", "", "", "内设科室"),
    ("人教科", "", "", "内设科室"),
    ("征地中心", "", "", "事业中心"),
    ("执法大队", "", "", "执法队伍"),
    ("重庆铁路卫生监督所", "重庆市", "重庆市", "站所"),
    ("市疫情防控指挥部办公室", "", "", "指挥部"),
    ("农业发展银行云南省分行", "", "", "银行"),
    # the city's bodies in a district plan, the district's own
    ("市生态环境局", "大足区", "重庆市", "生态环境局"),
    ("区生态环境局", "大足区", "大足区", "生态环境局"),
    ("经开区经发局", "重庆市", "重庆经开区", "经济发展局"),  # in the city's plan, 经开区 is 重庆经开区
    # a city bureau's branch named by its place is that place's body of the type
    ("市生态环境局咸安分局", "咸宁市咸安区", "咸宁市咸安区", "生态环境局"),
    ("市规划自然资源局大足分局", "大足区", "大足区", "规划自然资源局"),
    ("市公安局渝北区分局", "重庆市", "渝北区", "公安局"),
]


@pytest.mark.parametrize("name,jurisdiction,body_jurisdiction,type_", RIGHT, ids=[r[0] for r in RIGHT])
def test_written_names_resolve_to_their_body(catalog, name, jurisdiction, body_jurisdiction, type_):
    unit = catalog.resolve(name, jurisdiction)
    assert (unit.jurisdiction, unit.type) == (body_jurisdiction, type_)


NEVER = [
    # name, plan jurisdiction, a type it must not be
    ("区水务局", "沙坪坝区", "水利局"),
    ("区水务局", "沙坪坝区", "税务局"),
    ("水务分局", "", "税务局"),
    ("区审改办", "", "政务服务管理办公室"),
    ("区科经局", "", "科技局"),
    ("区科经局", "", "经济信息委"),
    ("区房管局", "", "住房城乡建委"),
    ("区绿容局", "", "城市管理局"),
    ("区城管局执法大队", "武隆区", "城市管理局"),  # the 大队, not its bureau
    ("市公路处", "", "站所"),  # a name of a type before an ending
]


@pytest.mark.parametrize("name,jurisdiction,not_type", NEVER, ids=[f"{r[0]}-{r[2]}" for r in NEVER])
def test_near_names_are_not_the_near_body(catalog, name, jurisdiction, not_type):
    assert catalog.resolve(name, jurisdiction).type != not_type


UNKNOWN = [
    ("环保部", "武隆区"),  # the ministry, not a district's 生态环境局
    ("市生态环境局咸安分局", ""),  # a district's branch of its city's bureau: not a body of a known place
    ("市税务局第一分局", ""),  # a numbered branch: no place
    ("岳麓区", ""),  # a district government of another province: no place of the catalogue
    ("羌研会", ""),
    ("建设局", ""),  # 两江新区's 建设管理局 in its plans; elsewhere it may be the 住建 department: unknown
]


@pytest.mark.parametrize("name,jurisdiction", UNKNOWN, ids=[r[0] for r in UNKNOWN])
def test_names_nothing_knows_stay_unknown(catalog, name, jurisdiction):
    unit = catalog.resolve(name, jurisdiction)
    assert (unit.type, unit.curated, unit.kind) == (None, False, "body")


def test_a_zone_short_form_names_the_city_zone_only_in_the_city_plan(catalog):
    # 经开区 in a 大足区 plan is 大足's own zone, never 重庆经开区
    assert catalog.resolve("经开区经发局", "大足区").jurisdiction == "大足区"
    assert catalog.resolve("经开区经发局", "").jurisdiction == ""


def test_districts_and_counties_as_a_class_are_a_group(catalog):
    assert catalog.resolve("区县指挥中心", "重庆市").kind == "collective"
    assert catalog.resolve("各区县政府", "重庆市").kind == "collective"


# -- the jurisdiction of a plan that does not print it, from its markers ---------------------------

# document -> its jurisdiction (sources-cq.tsv, column 3), read from markers in the text
MARKED = {
    "cq-yuzhong-2023-work-report-tasks": "渝中区",  # 渝中区人民政府办公室发布《…》
    "cq-shapingba-2021-work-report-q1-progress": "沙坪坝区",  # signed 重庆市沙坪坝区人民政府督查办
    "cq-dazu-2024-work-report-overfulfilled": "大足区",  # 《2023年大足区人民政府工作报告…》; the page links 重庆市人民政府网
    "cq-city-2018-food-safety-tasks": "重庆市",  # units 市农委 … 重庆海关
    "cq-city-2019-food-safety-tasks": "重庆市",  # units 市食品药品监管局 … 重庆铁路卫生监督所
}
UNMARKED = ["cq-tongliang-2025-work-report-progress"]  # 区政府, 区发展改革委: no place named anywhere


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from whodoes.build.pipeline import build

    folder = tmp_path_factory.mktemp("marked")
    (folder / "sources").mkdir()
    for stem in [*MARKED, *UNMARKED]:
        # renamed: the jurisdiction must come from the text, never from the file name
        shutil.copy(REAL / f"{stem}.txt", folder / "sources" / f"plan{len(list((folder / 'sources').iterdir()))}.txt")
    out = folder / "plans.sqlite"
    build(folder / "sources", out, ROOT / "data" / "units.toml")
    conn = sqlite3.connect(out)
    yield dict(conn.execute("SELECT file, jurisdiction FROM documents ORDER BY file"))
    conn.close()


def test_jurisdiction_read_from_markers(built):
    expected = {f"plan{i}.txt": j for i, j in enumerate([*MARKED.values(), None])}
    assert built == expected


def test_jurisdiction_from_a_document_number():
    from whodoes.build.infer import jurisdiction_of_number
    from whodoes.build.parsed import places_of

    places = places_of(str(ROOT / "data" / "bodies.toml"))
    assert jurisdiction_of_number("渝北府办发〔2023〕12号", places) == "渝北区"
    assert jurisdiction_of_number("渝府办发〔2022〕5号", places) == "重庆市"
    assert jurisdiction_of_number("大足府发〔2024〕3号", places) == "大足区"
    assert jurisdiction_of_number("蔡政办〔2023〕1号", places) is None
    assert jurisdiction_of_number("经开区发〔2023〕1号", places) is None  # a generic short form names no one place


def test_add_infers_the_jurisdiction_as_the_build_does(tmp_path):
    from whodoes.build.add import prepare

    (tmp_path / "sources").mkdir()
    page = tmp_path / "page.txt"  # the file name says nothing
    shutil.copy(REAL / "cq-yuzhong-2023-work-report-tasks.txt", page)
    [item] = prepare([str(page)], tmp_path / "sources", units=ROOT / "data" / "units.toml")
    assert item.meta["jurisdiction"] == "渝中区"
    assert item.how["jurisdiction"] == "inferred from a government named in the text"
    shutil.copy(REAL / "cq-city-2018-food-safety-tasks.txt", page)
    [item] = prepare([str(page)], tmp_path / "sources", units=ROOT / "data" / "units.toml")
    assert (item.meta["jurisdiction"], item.how["jurisdiction"]) == ("重庆市", "inferred from the place its units name")
