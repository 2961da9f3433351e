"""Charts as PNG images for Word documents (matplotlib, offline, with a CJK font).

Interactive charts on pages are altair; documents need static images, and matplotlib renders
Chinese with the machine's Noto Sans CJK font (Debian fonts-noto-cjk) without any network.
"""

from __future__ import annotations

import functools
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "SimHei", "Microsoft YaHei")
GREEN, GREY, RED = "#1f6f43", "#9aa5a0", "#c0392b"


@functools.cache
def cjk_family() -> str | None:
    """The first installed font family that can draw Chinese, or None."""
    found = _installed_cjk()
    if found is None:  # matplotlib's font cache predates the font's installation: add it
        for path in font_manager.findSystemFonts():
            if any(k in path for k in ("NotoSansCJK", "NotoSansSC", "wqy-zenhei")):
                font_manager.fontManager.addfont(path)
        found = _installed_cjk()
    return found


def _installed_cjk() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FAMILIES if f in installed), None)


def _figure(width_in: float, height_in: float):
    family = cjk_family()
    params = {"font.family": [family] if family else ["sans-serif"],
              "axes.spines.top": False, "axes.spines.right": False, "font.size": 10}
    with plt.rc_context(params):
        fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=150)
    return fig, ax, params


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def bar_png(labels: list[str], values: list[float], title: str, unit: str,
            highlight: list[bool] | None = None, horizontal: bool = True) -> bytes:
    """A bar chart; bars flagged in `highlight` are drawn red (e.g. behind plan)."""
    fig, ax, params = _figure(6.0, max(2.2, 0.32 * len(labels) + 0.8) if horizontal else 3.2)
    with plt.rc_context(params):
        colors = [RED if h else GREEN for h in (highlight or [False] * len(labels))]
        if horizontal:
            ax.barh(labels[::-1], values[::-1], color=colors[::-1])
            ax.set_xlabel(unit)
            for y, v in enumerate(values[::-1]):
                ax.text(v, y, f" {v:,.1f}".rstrip("0").rstrip("."), va="center", fontsize=8)
        else:
            ax.bar(labels, values, color=colors)
            ax.set_ylabel(unit)
        ax.set_title(title)
        return _png(fig)


def line_png(x: list[str], series: dict[str, list[float]], title: str, unit: str) -> bytes:
    """Lines over a shared x axis (e.g. quarters), one per series name."""
    fig, ax, params = _figure(6.0, 3.0)
    with plt.rc_context(params):
        palette = [GREEN, GREY, RED, "#2e86c1"]
        for i, (name, ys) in enumerate(series.items()):
            ax.plot(x, ys, marker="o", label=name, color=palette[i % len(palette)])
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.legend(frameon=False)
        ax.tick_params(axis="x", labelrotation=45)
        return _png(fig)
