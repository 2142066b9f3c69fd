"""A government web page saved from a browser (.html/.htm) -> Document, with lxml.

* The character set is the page's own (a byte-order mark, ``<meta charset>`` or
  ``http-equiv``; GB2312 and GBK are read as GB18030, their superset), else
  detected (charset-normalizer).
* The article body is the block holding most of the page's text that is not link
  text; the site's navigation, breadcrumbs, related-file lists, print / close
  links and footer are outside it, and blocks marked as such inside it are dropped.
* The page's own metadata gives title, issuer, date and number: the 索引号 / 发布机构
  / 成文日期 / 发文字号 block and ``<meta name="ArticleTitle">`` / ``PubDate``.
* Tables keep rowspan and colspan; ``<br>`` and ``<p>`` inside a cell are line breaks
  of the cell.  A table holding other tables, or of one column, is a frame: what it
  holds is read in its place.
"""

from __future__ import annotations

import codecs
import re

from whodoes.build.document.model import Cell, Document, Paragraph, Provenance, Table
from whodoes.build.sources import SourceError

_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’"
_SOFT_BREAK = re.compile(rf"(?<=[{_WIDE}])[ \t]*[\r\n]+[ \t\r\n]*(?=[{_WIDE}])")
_SPACE = re.compile(r"[ \t\r\n\f]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_CHROME = re.compile(
    r"(?:^|[\s_-])(?:nav\w*|menu\w*|breadcrumb\w*|crumb\w*|position|location|footer?\w*|header|banner|share\w*|"
    r"print\w*|close|related|xgwj|xglj|tools?|sidebar|search\w*|login|weixin|wx)(?:$|[\s_-])",
    re.I,
)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "head",
    "nav",
    "header",
    "footer",
    "form",
    "iframe",
    "select",
    "button",
    "object",
    "svg",
    "template",
)
BLOCKS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "blockquote",
    "pre",
    "center",
    "address",
    "tr",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "hr",
    "main",
    "aside",
    "figure",
    "figcaption",
    "caption",
}
_LABELS = {
    "索引号": "index",
    "发布机构": "issuer",
    "发文机关": "issuer",
    "成文日期": "date",
    "发文字号": "doc_number",
    "文号": "doc_number",
    "标题": "title",
    "发布日期": "published",
}
_LABEL = re.compile(r"^(索引号|发布机构|发文机关|成文日期|发文字号|文号|标题|发布日期)[:：]?(.*)$")


def decode_page(data: bytes, name: str) -> tuple[str, str]:
    """The page's text and the character set it was read in."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, "replace"), enc
    m = _META_CHARSET.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii").lower()
        enc = "gb18030" if declared in ("gb2312", "gbk", "gb_2312-80", "x-gbk", "gb18030") else declared
        try:
            return data.decode(enc), declared
        except (LookupError, UnicodeDecodeError):
            pass  # the page says wrong: detect
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # build path only

    best = from_bytes(data).best()
    if best is None:
        raise SourceError(f"{name}: not a web page in a character set whodoes can tell") from None
    return str(best), best.encoding


def _clean(text: str) -> str:
    return _SPACE.sub(" ", _SOFT_BREAK.sub("", text))


def _is_chrome(el) -> bool:
    """Site furniture inside the article block: marked as navigation, sharing, printing ... by
    its class or id, or a list of links (a block whose text is nearly all link text)."""
    if el.tag in ("table", "tr", "td", "th", "tbody"):
        return False
    marks = f"{el.get('class') or ''} {el.get('id') or ''}"
    if marks.strip() and _CHROME.search(marks):
        return True
    if el.tag in ("ul", "ol", "div", "dl", "nav") and el.find(".//a") is not None:
        text = len(re.sub(r"\s+", "", el.text_content() or ""))
        links = sum(len(re.sub(r"\s+", "", a.text_content() or "")) for a in el.iter("a"))
        return text > 0 and links >= 0.8 * text
    return False


def page_metadata(root) -> dict[str, str]:
    """title, issuer, date, doc_number from the page's meta tags and its 索引号 block."""
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name, content = (el.get("name") or "").lower(), (el.get("content") or "").strip()
        if name == "articletitle" and content:
            meta["title"] = content
        elif name == "pubdate" and content:
            meta.setdefault("published", content[:10])
        elif name == "contentsource" and content:
            meta.setdefault("source", content)
    block: dict[str, str] = {}
    for el in root.iter("td", "th", "span", "li", "p", "div", "b", "strong", "label", "dt", "dd"):
        if len(el) > 3:
            continue
        text = re.sub(r"\s+", "", el.text_content() or "")
        m = _LABEL.match(text)
        if not m or len(text) > 120:
            continue
        value = m.group(2)
        if not value:
            nxt = el.getnext()
            value = re.sub(r"\s+", "", nxt.text_content()) if nxt is not None else ""
        if value and not _LABEL.match(value):
            block.setdefault(_LABELS[m.group(1)], value)
    if block.get("issuer"):
        meta["issuer"] = block["issuer"]
    if block.get("doc_number"):
        meta["doc_number"] = block["doc_number"]
    date = block.get("date") or block.get("published") or meta.get("published")
    m = re.match(r"(\d{4})[-年./](\d{1,2})[-月./](\d{1,2})", date or "")
    if m:
        meta["date"] = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    meta.pop("published", None)
    meta.pop("source", None)
    return meta


def _text_weight(el) -> int:
    """Characters of text in ``el`` that are not link text (links weigh against a block)."""
    text = len(re.sub(r"\s+", "", el.text_content() or ""))
    links = sum(len(re.sub(r"\s+", "", a.text_content() or "")) for a in el.iter("a"))
    return text - 2 * links


def article_body(root):
    """The block holding the article: the smallest block with most of the best block's text."""
    candidates = [el for el in root.iter("div", "article", "section", "td", "main", "body")]
    if not candidates:
        return root
    weights = {el: _text_weight(el) for el in candidates}
    best = max(candidates, key=lambda el: weights[el])
    while True:  # go down while one child block keeps nearly all of the text
        inner = [c for c in best.iter("div", "article", "section", "td", "main") if c is not best]
        better = [c for c in inner if weights.get(c, 0) >= 0.85 * weights[best]]
        if not better:
            return best
        best = better[-1] if len(better) == 1 else max(better, key=lambda c: (weights[c], -len(list(c.iter()))))
        if len(better) > 1:
            better = [c for c in better if weights[c] == weights[best]]
            best = better[-1]


class _Walker:
    """The body in reading order: paragraphs (text between block boundaries) and tables."""

    def __init__(self):
        self.items: list = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = _clean("".join(self.buffer)).strip()
        if text:
            self.items.append(Paragraph(text, Provenance()))
        self.buffer = []

    def walk(self, el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP_TAGS or (tag and _is_chrome(el)):
            self.buffer.append(el.tail or "")
            return
        if tag == "table":
            self.flush()
            self.table(el)
        elif tag == "br":
            self.flush()
        elif tag:
            block = tag in BLOCKS
            if block:
                self.flush()
            self.buffer.append(el.text or "")
            for child in el:
                self.walk(child)
            if block:
                self.flush()
        self.buffer.append(el.tail or "")

    def table(self, el) -> None:
        rows = el.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        nested = el.xpath(".//table")
        table = _grid(rows)
        if table is None or nested or table.n_cols == 1:  # a frame around the text
            for row in rows:
                for cell in row.xpath("./td|./th"):
                    self.buffer.append(cell.text or "")
                    for child in cell:
                        self.walk(child)
                    self.flush()
            return
        self.items.append(table)


def cell_text(td) -> str:
    """A cell's text with its <br> and <p> as line breaks."""
    parts: list[str] = [td.text or ""]
    for el in td.iterdescendants():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP_TAGS:
            continue
        if tag == "br" or tag in BLOCKS:
            parts.append("\n")
        parts.append(el.text or "" if tag != "br" else "")
        if tag in BLOCKS:
            parts.append("\n")
        parts.append(el.tail or "")
    lines = [_clean(x).strip() for x in "".join(parts).split("\n")]
    return "\n".join(x for x in lines if x)


def _grid(rows) -> Table | None:
    """HTML rows -> a Table, placing each cell by rowspan and colspan."""
    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    n_cols = 0
    for r, tr in enumerate(rows):
        col = 0
        for td in tr.xpath("./td|./th"):
            while (r, col) in taken:
                col += 1
            rs = max(1, min(int(re.sub(r"\D", "", td.get("rowspan") or "1") or 1), len(rows) - r))
            cs = max(1, min(int(re.sub(r"\D", "", td.get("colspan") or "1") or 1), 100))
            cells.append(Cell(r, col, cell_text(td), row_span=rs, col_span=cs))
            taken.update((r + i, col + j) for i in range(rs) for j in range(cs))
            col += cs
        n_cols = max(n_cols, col)
    if not cells:
        return None
    return Table(cells, len(rows), n_cols, Provenance())


def read_html(data: bytes, name: str) -> Document:
    """A web page's article as a Document, with the page's own metadata."""
    import lxml.html  # build path only

    text, charset = decode_page(data, name)
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as e:  # lxml's ParserError on an empty or broken page
        raise SourceError(f"{name}: not a readable web page ({type(e).__name__})") from None
    meta = page_metadata(root)
    body = article_body(root)
    walker = _Walker()
    walker.walk(body)
    walker.flush()
    if meta.get("title") and not any(isinstance(i, Paragraph) and meta["title"] in i.text for i in walker.items[:5]):
        walker.items.insert(0, Paragraph(meta["title"], Provenance(), heading=1))
    return Document(walker.items, format="html", metadata=meta, encoding=charset)
