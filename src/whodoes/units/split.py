"""Turn a unit cell into a list of unit names (the unit rules of SCHEMA.md).

1. The cell is already clean simplified text.
2. Split on 、 , ， ; ； and line breaks (not inside parentheses).
3. Trim white space and a trailing 。 or . from each piece; drop empty pieces and a lone "/".
4. A piece ending in 等X, where X names a group (相关部门, 有关部门, 部门, 单位, 普查成员单位,
   委机关有关部门, ...), becomes two pieces: the part before 等, then X.  A bare trailing 等 goes.
5. Everything else stays as written: names are not canonicalised here.
"""

from __future__ import annotations

import re

from whodoes.parse.markers import drop_notes, split_pieces

_NONE = {"/", "／", "-", "—", "——", "无"}
# X in "A等X" names a group when it ends with one of these, or starts with 相关/有关/各.
_GROUP_END = ("部门", "单位", "机构", "企业", "集团", "公司", "街道", "园区", "乡镇", "区县", "镇街", "成员单位", "委办局")
_GROUP_START = ("相关", "有关", "各", "其他", "其它")


def _is_group(x: str) -> bool:
    return x.startswith(_GROUP_START) or x.endswith(_GROUP_END)


def split_units(cell: str | None) -> list[str]:
    if not cell:
        return []
    out: list[str] = []
    for piece in split_pieces(drop_notes(cell)):
        piece = piece.strip().strip("★*＊☆※").strip()
        piece = re.sub(r"[。.]+$", "", piece).strip()
        if not piece or piece in _NONE:
            continue
        m = re.match(r"^(.+?)等(.+)$", piece)
        if m and _is_group(m.group(2)):
            out.append(m.group(1).strip())
            out.append(m.group(2).strip())
            continue
        if piece.endswith("等") and len(piece) > 1:
            piece = re.sub(r"[。.]+$", "", piece[:-1].strip()).strip()
        if piece and piece not in _NONE:
            out.append(piece)
    return out
