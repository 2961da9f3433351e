"""Chinese for the few English words Streamlit's own widgets draw and offer no option for.

st.file_uploader (Streamlit 1.67) writes "Upload" on its button, "20MB per file" beside it and
"Drag and drop a file here" while a file is dragged over it; there is no parameter or theme
setting for these texts (the label is ours, the rest is not). A style sheet hides the English
(font-size 0, so the button keeps its size, focus and click) and draws the Chinese in its
place with ::after. The size limit is not in the Chinese text: each uploader's label states its
own limit. The selectors are Streamlit's data-testid attributes, plus the build's class of the
drag hint (it has no data-testid): when Streamlit is upgraded, check the uploader in Chromium
(tests/test_indicators_browser.py does) and adjust here. Nothing is loaded from the web.
"""

from __future__ import annotations

import streamlit as st

_DROPZONE = '[data-testid="stFileUploaderDropzone"]'
CSS = f"""
{_DROPZONE} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p {{
  font-size: 0; }}
{_DROPZONE} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p::after {{
  content: "选择文件"; font-size: 0.875rem; }}
{_DROPZONE} [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
{_DROPZONE} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: "或将文件拖放到此处"; font-size: 0.875rem; }}
{_DROPZONE} .euud7oh2 {{ font-size: 0; }}
{_DROPZONE} .euud7oh2::after {{ content: "松开鼠标即可上传"; font-size: 0.875rem; }}
"""


def inject() -> None:
    """The style sheet, once per run (a <style>-only st.html takes no room on the page)."""
    st.html(f"<style>{CSS}</style>")
