"""Draw an altair chart from its Vega-Lite spec, built once per data and shared by sessions.

Building an altair chart and validating it costs up to ~0.1 s; on the overview and the plan
page every session and every rerun paid it again. The spec is cached on the builder's name and
arguments; its datasets still reach the browser as Arrow (st.vega_lite_chart moves them out of
the spec).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

# Validating a spec against the Vega-Lite schema costs ≈ 0.1–0.2 s a cold page; the tests switch
# it on (tests/conftest.py), so every chart a page test draws is validated there.
VALIDATE = False


@st.cache_data(show_spinner=False, max_entries=64)
def _spec(name: str, _builder: Callable, *args) -> dict:
    return _builder(*args).to_dict(validate=VALIDATE)


def chart(builder: Callable, *args, height: int | str = "content") -> None:
    """st.altair_chart(builder(*args)) with the spec cached (draw it inside `with column:`)."""
    st.vega_lite_chart(spec=_spec(f"{builder.__module__}.{builder.__qualname__}", builder,
                                     *args), width="stretch", height=height)
