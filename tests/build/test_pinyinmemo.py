"""The pinyin memo (whodoes.build.pinyinmemo): the same answers as pypinyin, kept from one
build to the next, and never in the way when its file is missing or damaged."""

from whodoes.build.phrasebook import readings_of
from whodoes.build.pinyinmemo import PinyinMemo
from whodoes.build.units.catalog import pinyin_keys

TEXTS = ["重庆市城市管理局", "区长江办", "海绵城市", "A级景区2023", "长寿区"]


def test_the_memo_answers_as_pypinyin_and_remembers_across_processes(tmp_path):
    path = tmp_path / "pinyin.sqlite"
    first = PinyinMemo(path)
    assert [first.keys(t) for t in TEXTS] == [pinyin_keys(t) for t in TEXTS]
    assert first.readings("长") == readings_of("长") == ["zhang", "chang"]
    first.save()
    again = PinyinMemo(path)  # as the next build reads it
    assert set(again.known) == {"k" + t for t in TEXTS} | {"r长"}
    assert [again.keys(t) for t in TEXTS] == [pinyin_keys(t) for t in TEXTS]
    assert again.new == {}  # nothing computed again


def test_a_damaged_or_unwritable_memo_is_only_a_slower_build(tmp_path):
    bad = tmp_path / "pinyin.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    memo = PinyinMemo(bad)
    assert memo.known == {} and memo.keys("城管局") == ("chengguanju", "cgj")
    memo.save()  # cannot write into it: silently nothing
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        memo = PinyinMemo(folder / "sub" / "pinyin.sqlite")
        assert memo.keys("河长制") == pinyin_keys("河长制")
        memo.save()
    finally:
        folder.chmod(0o700)
