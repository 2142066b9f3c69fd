"""Unit cells -> lists of names, per the unit rules of SCHEMA.md."""

from hypothesis import given
from hypothesis import strategies as st

from whodoes.build.parse.split import split_units


def test_separators_full_and_half_width():
    assert split_units("区经济信息委、区工业园区管委会,有关街道办事处、乡镇人民政府") == [
        "区经济信息委",
        "区工业园区管委会",
        "有关街道办事处",
        "乡镇人民政府",
    ]
    assert split_units("建设局、国土分局、规划分局;集团、园区公司。") == [
        "建设局",
        "国土分局",
        "规划分局",
        "集团",
        "园区公司",
    ]
    assert split_units("委机关有关部门，有关驻区机构；有关直属事业单位") == [
        "委机关有关部门",
        "有关驻区机构",
        "有关直属事业单位",
    ]


def test_deng_group_becomes_two_pieces_and_bare_deng_goes():
    assert split_units("国土分局、规划分局、环保分局等相关部门。") == ["国土分局", "规划分局", "环保分局", "相关部门"]
    assert split_units("社发局、城管局等普查成员单位。") == ["社发局", "城管局", "普查成员单位"]
    assert split_units("教育局、宣传部、生态环境分局等委机关有关部门") == [
        "教育局",
        "宣传部",
        "生态环境分局",
        "委机关有关部门",
    ]
    assert split_units("运行局等。") == ["运行局"]
    assert split_units("环保分局、规划分局、招商合作局、产业促进局等。")[-1] == "产业促进局"


def test_parentheses_and_none_stay_as_written():
    assert split_units("招商合作局(招商集团)、产业促进局") == ["招商合作局(招商集团)", "产业促进局"]
    assert split_units("/") == []
    assert split_units("") == []
    assert split_units(None) == []
    assert split_units("各相关部门") == ["各相关部门"]


@given(st.text(alphabet="局委办、,，;；。等相关部门/ (招商)\n", max_size=40))
def test_split_pieces_are_clean(cell):
    for piece in split_units(cell):
        assert piece and piece == piece.strip()
        assert piece != "/"
        assert not piece.endswith(("。", "."))
        assert not any(sep in piece for sep in "\n")
