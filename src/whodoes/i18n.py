"""The language of the interface: English or Chinese (issue 16).

The code writes English (``_("no unit matches {query}")``); the Chinese comes from the
gettext catalogue ``whodoes/locale/zh_CN/LC_MESSAGES/whodoes.po``, compiled to ``.mo`` and
shipped with the package (``python scripts/i18n.py extract`` / ``compile``, docs/DESIGN.md).

The language, decided once before any text is written or the Typer app declared:
``--lang zh|en`` (whodoes.commandline takes it off the command line), else
``WHODOES_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: the first set;
``zh*`` is Chinese), else English.

English needs nothing: ``_`` gives its argument back and gettext is not even imported (it
imports ``re``: milliseconds on the query path).  The catalogue is read on the first
Chinese text.  Column names (``column``) have their own context, "column", so that a
field name (``task``) and a word of a message are translated apart; ``--header zh`` asks
for them whatever the interface language.
"""

from __future__ import annotations

import os

DOMAIN = "whodoes"
LOCALEDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
CATALOGUE = {"zh": "zh_CN"}  # language -> the catalogue's folder under LOCALEDIR
LANGUAGES = ("en", "zh")
ENV_VAR = "WHODOES_LANG"
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")

_chosen: list[str] = []  # the language, once decided
_header: list[str] = []  # --header zh|en, when given
_loaded: dict = {}  # language -> its gettext translation


def normalize(value: str | None) -> str | None:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans``, ``中文`` -> "zh"; ``en``, ``C``, ``POSIX`` ... -> "en";
    empty -> None; anything else -> "en" (a locale we have no catalogue for)."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if text.startswith(("zh", "chinese")) or text in ("中文", "cn"):
        return "zh"
    return "en"


def check(value: str) -> str:
    """A --lang value: "zh" or "en", else ValueError (whodoes.commandline makes it a usage error)."""
    text = (value or "").strip().lower()
    lang = normalize(text)
    if lang == "en" and not (text in ("english", "c") or text.startswith("en")):
        lang = None  # a language we have no catalogue for: said, not silently English
    if lang is None:
        raise ValueError(value)
    return lang


def from_environment(environ=None) -> str:
    """The language the environment asks for: WHODOES_LANG, else the locale, else English."""
    env = os.environ if environ is None else environ
    for var in (ENV_VAR, *LOCALE_VARS):
        lang = normalize(env.get(var))
        if lang:
            return lang
    return "en"


def set_language(lang: str | None) -> str:
    """Decide the language (None: from the environment); returns it."""
    _chosen[:] = [lang if lang in LANGUAGES else from_environment()]
    return _chosen[0]


def language() -> str:
    """The interface language, decided from the environment on first use."""
    if not _chosen:
        set_language(None)
    return _chosen[0]


def translation(lang: str | None = None):
    """The gettext translation of ``lang`` (default: the interface language); None for English."""
    lang = lang or language()
    if lang not in CATALOGUE:
        return None
    if lang not in _loaded:
        import gettext

        _loaded[lang] = gettext.translation(DOMAIN, LOCALEDIR, languages=[CATALOGUE[lang]], fallback=True)
    return _loaded[lang]


def _(message: str) -> str:
    """``message`` in the interface language."""
    t = translation() if message else None
    return t.gettext(message) if t is not None else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the interface language."""
    t = translation()
    if t is None:
        return singular if n == 1 else plural
    return t.ngettext(singular, plural, n)


def pgettext(context: str, message: str, lang: str | None = None) -> str:
    """``message`` in ``context`` (e.g. "column"), in ``lang`` or the interface language."""
    t = translation(lang)
    return t.pgettext(context, message) if t is not None else message


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is declared; translated where it is shown."""
    return message


def column(name: str, lang: str | None = None) -> str:
    """A column's header: its field name in English, its Chinese name in Chinese."""
    return pgettext("column", name, lang)


def headers(names, lang: str | None = None) -> list[str]:
    """``column`` of each name."""
    return [column(n, lang) for n in names]


def set_header(lang: str | None) -> None:
    """``--header zh|en`` (None: not given)."""
    _header[:] = [lang] if lang in LANGUAGES else []


def header_language(fmt: str) -> str:
    """The language of column headers in ``fmt``: --header, else on a terminal the interface
    language, else English (csv/tsv/markdown/xlsx keep the field names scripts read)."""
    if _header:
        return _header[0]
    return language() if fmt == "table" else "en"


def for_typer() -> None:
    """Let typer's and click's own words (Usage, Options, No such option ...) follow the
    interface language: they call the stdlib ``gettext.gettext`` (the global domain, the
    language from LANGUAGE), so the global domain becomes ours and LANGUAGE the language
    chosen.  Called before typer is imported: typer translates its panel titles on import."""
    import gettext

    lang = language()
    os.environ["LANGUAGE"] = CATALOGUE.get(lang, lang)
    gettext.bindtextdomain(DOMAIN, LOCALEDIR)
    gettext.textdomain(DOMAIN)
