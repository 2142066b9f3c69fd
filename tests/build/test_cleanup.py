"""Text clean-up: pinyin debris, stray '?', traditional -> simplified, NBSP."""

from hypothesis import given, strategies as st

from whodoes.build.cleanup import clean_lines, clean_text, is_traditional, remove_debris


def test_pinyin_debris_after_characters_is_removed():
    assert remove_debris("重慶市人民政府關(guān)于高質(zhì)量") == "重慶市人民政府關于高質量"
    assert remove_debris("廣陽島綠色發(fā)展公司") == "廣陽島綠色發展公司"


def test_neutral_tone_debris_is_removed_but_real_parentheses_stay():
    assert remove_debris("我的(de)任务") == "我的任务"
    assert remove_debris("招商合作局(招商集团)") == "招商合作局(招商集团)"
    assert remove_debris("规划(2018-2035)") == "规划(2018-2035)"
    assert remove_debris("两江新区(GDP)") == "两江新区(GDP)"


def test_stray_question_marks_next_to_characters_are_removed():
    assert remove_debris("目????標????任????務") == "目標任務"
    assert remove_debris("2022年1月25日?") == "2022年1月25日"
    assert remove_debris("what? yes") == "what? yes"


def test_traditional_document_becomes_simplified_line_by_line():
    text = "渝府〔2022〕5號\n關(guān)于高質(zhì)量創(chuàng)建廣陽灣\n\u00a0\n市生態(tài)環(huán)境局"
    lines, traditional = clean_lines(text)
    assert traditional
    assert [l.text for l in lines] == ["渝府〔2022〕5号", "关于高质量创建广阳湾", "", "市生态环境局"]
    assert lines[2].empty_cell and not lines[2].blank
    assert [l.number for l in lines] == [1, 2, 3, 4]


def test_simplified_text_is_left_alone():
    assert not is_traditional("两江新区实施生态优先绿色发展行动计划")
    assert clean_text("区生态环境局牵头") == "区生态环境局牵头"


@given(st.text(max_size=200))
def test_cleanup_never_fails_and_keeps_line_count(text):
    lines, _ = clean_lines(text)
    assert len(lines) == len(text.split("\n"))
    for ln in lines:
        assert "\u00a0" not in ln.text
