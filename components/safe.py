"""Text from the database or the URL, shown as text: never as Markdown, HTML or a template.

Streamlit renders Markdown in titles, headers, captions, messages, metric labels and values,
expander, tab, pill, radio and button labels, page links and help tooltips. A name such as
`**粗体**`, `$$x$$`, `:red[红]`, `[点此](…外部网址…)` or `<b>x</b>` would be drawn as markup there.

`text` makes any string display literally in those places:
- every ASCII punctuation character is backslash-escaped (CommonMark: escapes stop emphasis,
  links, code, math `$`, directives `:red[…]`, HTML and entity references like `&amp;`);
- line breaks and tabs become spaces (a name is one line; a newline could start a heading);
- a few rewrites that Streamlit's Markdown pipeline applies to the *parsed* text, where escapes
  no longer help, are broken up with an invisible WORD JOINER (U+2060): emoji shortcodes
  (`:smile:`), typographic arrows (` -> `), bare web and mail addresses (`www.…`, `a@b.cn`).

`short` is `text` for a value echoed back from the URL: at most 40 characters and "…".
`tooltip` is for pydeck tooltip fields (see its docstring).
"""

from __future__ import annotations

import math
import re

WJ = "\u2060"  # WORD JOINER: zero width, no line break opportunity
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Rewrites done on parsed text nodes (remark-emoji, Streamlit's typographic symbols, GFM
# autolink literals): a word joiner inside the pattern keeps them from matching.
_ARROWS = re.compile(r"(?<!\S)(<->|->|<-|--|>=|<=|~=)(?!\S)")
_WWW = re.compile(r"(?i)\bwww(?=\.)")
_ODD = re.compile(r"[{\x00-\x1f\x7f\x85\u2028\u2029]")  # what `tooltip` changes
ECHO_LIMIT = 40


def _plain(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _CONTROL.sub("", _BREAKS.sub(" ", str(value)))


def text(value: object) -> str:
    """`value` as Markdown that displays exactly as the text itself ("" for None / NaN)."""
    s = _plain(value)
    s = _ARROWS.sub(lambda m: m.group(1)[0] + WJ + m.group(1)[1:], s)
    s = _WWW.sub(lambda m: m.group(0) + WJ, s)
    s = _PUNCT.sub(r"\\\1", s)
    # after escaping: a joiner after each colon (shortcodes, :material/…:, http:) and before
    # each @ (mail addresses); both characters are already escaped above.
    return s.replace(":", ":" + WJ).replace("\\@", WJ + "\\@")


def cut(value: object, limit: int = ECHO_LIMIT) -> str:
    """The first `limit` characters of a value, with "…" when it was longer (not escaped)."""
    s = _plain(value)
    return s if len(s) <= limit else s[:limit] + "…"


def short(value: object, limit: int = ECHO_LIMIT) -> str:
    """A value echoed from the URL or a search box: shortened, then shown as text."""
    return text(cut(value, limit))


def tooltip(value: object) -> str:
    """A value for a pydeck tooltip field. Streamlit fills the tooltip template ("<b>{n}</b>
    <br/>{d}") one placeholder after the other, each time replacing the first "{key}" it finds
    in the text built so far: a name containing "{d}" would receive the details, and the real
    "{d}" would stay on screen. A word joiner after every "{" leaves no placeholder in a value.
    (Streamlit escapes HTML in the values itself.)"""
    return _plain(value).replace("{", "{" + WJ)


def tooltips(values):
    """`tooltip` for a pandas Series of texts (missing values become ""), vectorised: the map
    has tens of thousands of names."""
    text = values.fillna("").astype(str)
    odd = text.str.contains(_ODD, regex=True)  # few names need any change
    if odd.any():
        text = text.copy()
        text[odd] = text[odd].map(tooltip)
    return text


def unjoin(shown: str) -> str:
    """What a reader sees: the text without the invisible joiners (for tests and exports)."""
    return shown.replace(WJ, "")
