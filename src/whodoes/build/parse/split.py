"""Turn a unit cell into a list of unit names (the unit rules of docs/SCHEMA.md).

1. The cell is already clean simplified text.
2. Split on 、 , ， ; ； and line breaks (not inside parentheses).
3. Trim white space and a trailing 。 or . from each piece; drop empty pieces and a lone "/".
4. A piece ending in 等X, where X names a group (相关部门, 有关部门, 部门, 单位, 普查成员单位,
   委机关有关部门, ...), becomes two pieces: the part before 等, then X.  A bare trailing 等 goes.
5. Everything else stays as written: names are not canonicalised here.
"""

from __future__ import annotations

import re

from whodoes.build.parse.markers import close_gaps, drop_notes, split_pieces

_NONE = {"/", "／", "-", "—", "——", "无"}
# X in "A等X" names a group when it ends with one of these, or starts with 相关/有关/各.
_GROUP_END = (
    "部门",
    "单位",
    "机构",
    "企业",
    "集团",
    "公司",
    "街道",
    "园区",
    "乡镇",
    "区县",
    "镇街",
    "成员单位",
    "委办局",
)
_GROUP_START = ("相关", "有关", "各", "其他", "其它")


def _is_group(x: str) -> bool:
    return x.startswith(_GROUP_START) or x.endswith(_GROUP_END)


# "各县、市、区政府", "各州、市人民政府": a collective that enumerates levels is one name (rule 6).
_COLLECTIVE_HEAD = re.compile(r"^各(?:省|州|市|区|县|乡|镇|旗|盟|区县)$")
_LEVEL = re.compile(r"^(?:州|市|区|县|乡|镇|街道|旗|盟|自治县|县级市)(?:人民政府|政府|党委|管委会|办事处)?$")


def _join_levels(pieces: list[str]) -> list[str]:
    out: list[str] = []
    for piece in pieces:
        p = piece.strip()
        if out and _LEVEL.match(p) and (_COLLECTIVE_HEAD.match(out[-1]) or _LEVEL_RUN.search(out[-1])):
            out[-1] += "、" + p
        else:
            out.append(piece)
    return out


_LEVEL_RUN = re.compile(r"^各(?:省|州|市|区|县|乡|镇|旗|盟|区县)(?:、(?:州|市|区|县|乡|镇|街道|旗|盟|自治县|县级市))+$")


def split_units(cell: str | None) -> list[str]:
    if not cell:
        return []
    out: list[str] = []
    for piece in _join_levels(split_pieces(close_gaps(drop_notes(cell)))):
        piece = piece.strip().strip("★*＊☆※").strip()
        piece = re.sub(r"[。.\s]+$", "", piece).strip()
        if not piece or piece in _NONE:
            continue
        m = re.match(r"^(.+?)等(.+)$", piece)
        if m and _is_group(m.group(2)):
            out.append(m.group(1).strip())
            out.append(m.group(2).strip())
            continue
        if piece.endswith("等") and len(piece) > 1:
            piece = re.sub(r"[。.\s]+$", "", piece[:-1].strip()).strip()
        if piece and piece not in _NONE:
            out.append(piece)
    return out
