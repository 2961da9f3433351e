"""The shared sidebar filters: city, industry, park, listing year or plan period, as-of date.

Their values live in st.session_state (so they survive page changes) and are mirrored into the
URL query string (so a link reproduces the view). Parsing, serialising and the summary in words
are pure functions.

The sidebar shows the filters in force as a line of words; the widgets open in a popover. Drawn
open in every page's sidebar, they were a quarter of what a browser spent drawing the overview
(its content is only drawn when opened): ten officials opening the page at once share two cores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components import safe_text
from components.fmt import cn_date
from queries.scope import Filters

# session_state keys of the shared widgets (prefix "f_"), and their URL parameter names.
URL_KEYS = {"f_city": "city", "f_industry": "industry", "f_park": "park", "f_time": "time",
            "f_asof": "asof"}
ALL_TIME = "all"


@dataclass(frozen=True)
class Parsed:
    values: dict
    warnings: tuple[str, ...]


def time_options(years: list[int], periods: pd.DataFrame) -> dict[str, str]:
    """Choices of the time filter: all years, one listing year, or one plan period."""
    opts = {ALL_TIME: "全部年份"}
    opts.update({f"y{y}": f"{y}年列入" for y in years})
    opts.update({f"p{r.period_id}": str(r.name) for r in periods.itertuples()})
    return opts


def parse_params(params: dict[str, str], choices: dict[str, pd.DataFrame], today: dt.date
                 ) -> Parsed:
    """Turn URL parameters into widget values; unknown values are dropped with a Chinese warning."""
    warnings: list[str] = []

    def codes(name: str, allowed: list[str], label: str) -> list[str]:
        raw = [v for v in params.get(name, "").split(",") if v]
        bad = [v for v in raw if v not in allowed]
        if bad:
            listed = "、".join(bad)
            warnings.append(f"链接中的{label} {listed} 不存在或不在您的权限范围内，已忽略。")
        return [v for v in raw if v in allowed]

    values = {
        "f_city": codes("city", list(choices["cities"]["adcode"]), "城市代码"),
        "f_industry": codes("industry", list(choices["industries"]["code"]), "行业代码"),
        "f_park": [int(v) for v in codes("park", [str(p) for p in choices["parks"]["park_id"]],
                                         "园区编号")],
    }
    years = [int(y) for y in choices["years"]["year"]]
    time_opts = time_options(years, choices["periods"])
    t = params.get("time", ALL_TIME)
    if t not in time_opts:
        warnings.append(f"链接中的时间范围 {t} 无效，已改为全部年份。")
        t = ALL_TIME
    values["f_time"] = t
    asof = params.get("asof")
    values["f_asof"] = today
    if asof:
        try:
            values["f_asof"] = dt.date.fromisoformat(asof)
        except ValueError:
            warnings.append(f"链接中的截至日期 {asof} 无法识别（应为 YYYY-MM-DD），已改为今天。")
    return Parsed(values, tuple(warnings))


def to_params(values: dict, today: dt.date) -> dict[str, str]:
    """Widget values -> URL parameters; defaults are left out so links stay short."""
    out = {}
    for key in ("f_city", "f_industry", "f_park"):
        if values.get(key):
            out[URL_KEYS[key]] = ",".join(str(v) for v in values[key])
    if values.get("f_time", ALL_TIME) != ALL_TIME:
        out["time"] = values["f_time"]
    if values.get("f_asof") and values["f_asof"] != today:
        out["asof"] = values["f_asof"].isoformat()
    return out


def to_filters(values: dict, periods: pd.DataFrame) -> Filters:
    t = values.get("f_time", ALL_TIME)
    years: tuple[int, ...] = ()
    period_id = None
    if t.startswith("y"):
        years = (int(t[1:]),)
    elif t.startswith("p"):
        period_id = int(t[1:])
        row = periods.loc[periods["period_id"] == period_id].iloc[0]
        years = tuple(range(int(row["start_year"]), int(row["end_year"]) + 1))
    return Filters(cities=tuple(values.get("f_city") or ()),
                   industries=tuple(values.get("f_industry") or ()),
                   parks=tuple(values.get("f_park") or ()),
                   listing_years=years, period_id=period_id,
                   as_of=values.get("f_asof") or dt.date.today())


def _some(codes: list, names: pd.Series, everything: str, unit: str) -> str:
    if not codes:
        return everything
    picked = [str(names.get(c, c)) for c in codes]
    return "、".join(picked) if len(picked) <= 2 else f"{picked[0]}等 {len(picked)} 个{unit}"


def summary(values: dict, choices: dict[str, pd.DataFrame], today: dt.date,
            everywhere: str = "全省") -> str:
    """The filters in force in words: "全省 · 全部行业 · 全部园区（含园区外） · 全部年份" (the
    first word is the viewer's jurisdiction, `everywhere`, when no city is picked), then the
    as-of date on its own line (today when the date was emptied, as `to_filters` counts).
    Three or more picks read "南京市等 3 个城市"."""
    years = [int(y) for y in choices["years"]["year"]]
    parts = [
        _some(values.get("f_city"), choices["cities"].set_index("adcode")["name"], everywhere,
              "城市"),
        _some(values.get("f_industry"), choices["industries"].set_index("code")["name"],
              "全部行业", "行业"),
        _some(values.get("f_park"), choices["parks"].set_index("park_id")["name"],
              "全部园区（含园区外）", "园区"),
        time_options(years, choices["periods"]).get(values.get("f_time") or ALL_TIME, "全部年份"),
    ]
    return " · ".join(parts) + f"  \n数据截至 {cn_date(values.get('f_asof') or today)}"


def sidebar(choices: dict[str, pd.DataFrame], today: dt.date, everywhere: str = "全省"
            ) -> Filters:
    """Render the shared filters in the sidebar and return them; keeps the URL in step.
    `everywhere` names the viewer's whole jurisdiction (全省, 苏州市 …)."""
    ss = st.session_state
    if "f_ready" not in ss:  # first run of this session: start from the link
        parsed = parse_params(dict(st.query_params), choices, today)
        ss.update(parsed.values)
        ss["f_ready"] = True
        ss["f_link_warnings"] = parsed.warnings
        ss["f_link_params"] = dict(st.query_params)  # the link as opened, before clean-up
    for w in ss.get("f_link_warnings", ()):
        st.sidebar.warning(w)

    cities = choices["cities"].set_index("adcode")["name"]
    industries = choices["industries"].set_index("code")["name"]
    parks = choices["parks"]
    periods = choices["periods"]
    years = [int(y) for y in choices["years"]["year"]]

    # The widgets live in a popover, drawn in the browser only while it is open: the browser
    # then has no value of theirs to send when the user changes pages, so each keeps its value
    # for the session (persist_state) instead of being reset to its default.
    # Session state already holds this run's values (the browser's changes arrive before the
    # run), so the words can go above the widgets that set them.
    if ss["f_city"]:
        parks = parks[parks["city_adcode"].isin(ss["f_city"])]
    park_names = parks.set_index("park_id")["name"]
    ss["f_park"] = [p for p in ss.get("f_park", []) if p in park_names.index]
    values = {k: ss.get(k) for k in URL_KEYS}
    with st.sidebar:
        st.markdown("**筛选条件**")
        st.caption(safe_text.md(summary(values, choices, today, everywhere)))
        box = st.popover("修改筛选条件", icon=":material/tune:", width="stretch")
    with box:
        st.multiselect("城市", list(cities.index), key="f_city", format_func=cities.get,
                       placeholder=everywhere, persist_state="session")
        st.multiselect("行业", list(industries.index), key="f_industry",
                       format_func=industries.get, placeholder="全部行业", persist_state="session")
        st.multiselect("园区", list(park_names.index), key="f_park",
                       format_func=park_names.get, placeholder="全部（含园区外）",
                       persist_state="session")
        time_opts = time_options(years, periods)
        st.selectbox("列入年份 / 规划期", list(time_opts), key="f_time",
                     format_func=time_opts.get, persist_state="session")
        st.date_input("数据截至日期", key="f_asof", max_value=dt.date(2100, 12, 31),
                      help="所有数字按此日期重算：此日期之后发生的事项不计入。",
                      persist_state="session")

    wanted = to_params(values, today)
    for url_key in URL_KEYS.values():
        if url_key in st.query_params and url_key not in wanted:
            del st.query_params[url_key]
    for k, v in wanted.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v
    return to_filters(values, periods)
