"""Text from the database, a file or a URL shown as text: Streamlit renders Markdown (and its
own :color[...] and $math$ syntax) in titles, captions and messages, so such text is escaped."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def md(text) -> str:
    """`text` with every Markdown special character escaped, for st.markdown, st.caption,
    st.title, st.info and the like."""
    return _SPECIAL.sub(r"\\\1", "" if text is None else str(text))
