"""The shared sidebar filters: city, industry, park, listing year or plan period, as-of date.

Their values live in st.session_state (so they survive page changes) and are mirrored into the
URL query string (so a link reproduces the view). Parsing, serialising and the summary in words
are pure functions.

The sidebar shows the filters in force as a line of words, and how current the data of the area
is (数据更新至, queries/currency); the widgets open in a popover. When the data stops before today,
the as-of date defaults to the data's day, not today: the days between are days nobody reported
yet, not days of delay. A date in the link or picked by the user wins. Drawn
open in every page's sidebar, they were a quarter of what a browser spent drawing the overview
(its content is only drawn when opened): ten officials opening the page at once share two cores.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components import safe
from components.fmt import cn_date
from queries.scope import Filters

# session_state keys of the shared widgets (prefix "f_"), and their URL parameter names.
URL_KEYS = {"f_city": "city", "f_industry": "industry", "f_park": "park", "f_time": "time",
            "f_asof": "asof"}
ALL_TIME = "all"
# The as-of dates the pages support: the clock adds months and years to them, and nothing in
# an audit database is dated before 2000. Configurable (ASOF_MIN / ASOF_MAX, YYYY-MM-DD).
ASOF_MIN_ENV, ASOF_MAX_ENV = "ASOF_MIN", "ASOF_MAX"
ASOF_DEFAULT_RANGE = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))
LISTED_BAD = 3  # bad values named in a warning; the rest are counted


@dataclass(frozen=True)
class Parsed:
    values: dict
    warnings: tuple[str, ...]


def asof_range(env: dict | None = None) -> tuple[dt.date, dt.date]:
    """The supported as-of range from ASOF_MIN / ASOF_MAX; the default for a missing or
    unreadable setting (`asof_range_problem` says which), and never wider than 1900–2999."""
    env = os.environ if env is None else env
    lo, hi = ASOF_DEFAULT_RANGE
    out = []
    for name, default in ((ASOF_MIN_ENV, lo), (ASOF_MAX_ENV, hi)):
        try:
            day = dt.date.fromisoformat(env.get(name, "").strip())
        except ValueError:
            day = default
        out.append(day if dt.date(1900, 1, 1) <= day <= dt.date(2999, 12, 31) else default)
    return (out[0], out[1]) if out[0] <= out[1] else ASOF_DEFAULT_RANGE


def asof_range_problem(env: dict | None = None) -> str | None:
    """A Chinese note for the operator when ASOF_MIN / ASOF_MAX is set but not used."""
    env = os.environ if env is None else env
    given = {n: env.get(n, "").strip() for n in (ASOF_MIN_ENV, ASOF_MAX_ENV)}
    lo, hi = asof_range(env)
    used = {ASOF_MIN_ENV: lo.isoformat(), ASOF_MAX_ENV: hi.isoformat()}
    bad = [n for n, v in given.items() if v and v != used[n]]
    if not bad:
        return None
    return (f"配置项 {'、'.join(bad)} 无效（应为 1900-01-01 至 2999-12-31 之间的 YYYY-MM-DD，"
            f"且起始不晚于结束），已使用 {cn_date(lo)} 至 {cn_date(hi)}。")


def default_asof(today: dt.date, bounds: tuple[dt.date, dt.date],
                 data_day: dt.date | None = None) -> dt.date:
    """Today, or the day the area's data was last reported when that is earlier; the nearest
    supported day when the result is outside the range."""
    day = min(today, data_day) if data_day is not None else today
    return min(max(day, bounds[0]), bounds[1])


@dataclass(frozen=True)
class Currency:
    """How current the data of an area is: the earliest day its cities were last reported, and
    the city with that day when the chosen cities differ."""

    day: dt.date | None
    oldest: str | None = None

    def line(self) -> str:
        if self.day is None:
            return ""
        oldest = f"（{safe.text(self.oldest)}最早，各市不同）" if self.oldest else ""
        return f"数据更新至 {cn_date(self.day)}{oldest}"


def area_currency(currency: pd.DataFrame | None, cities: list | tuple | None) -> Currency:
    """The area's currency from queries.currency.data_currency: the chosen cities (all of the
    jurisdiction's when none is chosen); a city whose day is unknown is left out."""
    if currency is None or currency.empty:
        return Currency(None)
    rows = currency[currency["city_adcode"].isin(cities)] if cities else currency
    rows = rows[rows["reported"].notna()]
    if rows.empty:
        return Currency(None)
    days = [pd.Timestamp(d).date() for d in rows["reported"]]
    first = min(days)
    oldest = rows["city"].iloc[days.index(first)] if len(set(days)) > 1 else None
    return Currency(first, oldest)


def time_options(years: list[int], periods: pd.DataFrame) -> dict[str, str]:
    """Choices of the time filter: all years, one listing year, or one plan period."""
    opts = {ALL_TIME: "全部年份"}
    opts.update({f"y{y}": f"{y}年列入" for y in years})
    opts.update({f"p{r.period_id}": str(r.name) for r in periods.itertuples()})
    return opts


def _named(bad: list[str]) -> str:
    """Bad values for a warning: the first few, shortened and shown as text, then a count."""
    shown = "、".join(f"“{safe.short(v)}”" for v in bad[:LISTED_BAD])
    return shown + (f"等 {len(bad)} 个值" if len(bad) > LISTED_BAD else "")


def link_params(params: dict) -> dict[str, str]:
    """The shared filters of a URL, to carry into a link to another page; anything else in
    the URL (unknown keys, of any size) is left behind."""
    return {k: str(v) for k, v in params.items() if k in URL_KEYS.values()}


def park_id_of(text: str) -> int | None:
    """A park id written in a link: ASCII digits only ("²" and "٣" are digits to Python) and
    within the database's integer range; None otherwise."""
    text = str(text).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9) or text != str(int(text)):
        return None  # "007" is not how the app writes park 7
    return int(text) or None


def parse_params(params: dict[str, str], choices: dict[str, pd.DataFrame], today: dt.date,
                 bounds: tuple[dt.date, dt.date] = ASOF_DEFAULT_RANGE,
                 currency: pd.DataFrame | None = None) -> Parsed:
    """Turn URL parameters into widget values. Any string is accepted: an unknown or malformed
    value is dropped (or the default used) with a short Chinese warning that shows the value
    shortened and as text. Without a valid as-of date the default is today, or the day the
    linked cities' data was last reported when that is earlier (`currency`); values then holds
    it as f_asof_auto too (None when the link set the date)."""
    warnings: list[str] = []

    def codes(name: str, allowed: list[str], label: str) -> list[str]:
        raw = [v.strip() for v in str(params.get(name, "")).split(",") if v.strip()]
        ok = set(allowed)
        bad = [v for v in dict.fromkeys(raw) if v not in ok]
        if bad:
            warnings.append(f"链接中的{label} {_named(bad)} 不存在或不在您的权限范围内，已忽略。")
        return list(dict.fromkeys(v for v in raw if v in ok))

    values = {
        "f_city": codes("city", list(choices["cities"]["adcode"].astype(str)), "城市代码"),
        "f_industry": codes("industry", list(choices["industries"]["code"].astype(str)),
                            "行业代码"),
        # the allowed ids are the parks' own, compared as text: "²", "007" or a 10,000-digit
        # number is simply not one of them (int() is only applied to a known id)
        "f_park": [int(v) for v in codes("park", [str(int(p)) for p in
                                                  choices["parks"]["park_id"]], "园区编号")],
    }
    years = [int(y) for y in choices["years"]["year"]]
    time_opts = time_options(years, choices["periods"])
    t = str(params.get("time", ALL_TIME) or ALL_TIME)
    if t not in time_opts:
        warnings.append(f"链接中的时间范围“{safe.short(t)}”无效，已改为全部年份。")
        t = ALL_TIME
    values["f_time"] = t
    asof = str(params.get("asof", "") or "").strip()
    default = default_asof(today, bounds, area_currency(currency, values["f_city"]).day)
    values["f_asof"] = values["f_asof_auto"] = default
    instead = "已改为今天" if default == today else f"已改为数据更新日 {cn_date(default)}"
    if asof:
        try:
            day = dt.date.fromisoformat(asof) if len(asof) <= 10 else None
        except ValueError:
            day = None
        if day is None:
            warnings.append(f"链接中的截至日期“{safe.short(asof)}”无法识别（应为 YYYY-MM-DD），"
                            f"{instead}。")
        elif not bounds[0] <= day <= bounds[1]:
            warnings.append(f"链接中的截至日期 {cn_date(day)} 超出支持范围（{cn_date(bounds[0])}"
                            f"至{cn_date(bounds[1])}），{instead}。")
        else:
            values["f_asof"] = day
            values["f_asof_auto"] = None
    return Parsed(values, tuple(warnings))


def to_params(values: dict, today: dt.date) -> dict[str, str]:
    """Widget values -> URL parameters; defaults are left out so links stay short (`today` is
    the default as-of date)."""
    out = {}
    for key in ("f_city", "f_industry", "f_park"):
        if values.get(key):
            out[URL_KEYS[key]] = ",".join(str(v) for v in values[key])
    if values.get("f_time", ALL_TIME) != ALL_TIME:
        out["time"] = values["f_time"]
    if values.get("f_asof") and values["f_asof"] != today:
        out["asof"] = values["f_asof"].isoformat()
    return out


def to_filters(values: dict, periods: pd.DataFrame, default: dt.date | None = None) -> Filters:
    """The filters of the widget values; an emptied as-of date counts as `default` (today)."""
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
                   as_of=values.get("f_asof") or default or dt.date.today())


def _some(codes: list, names: pd.Series, everything: str, unit: str) -> str:
    if not codes:
        return everything
    picked = [safe.text(names.get(c, c)) for c in codes]  # names from the database
    return "、".join(picked) if len(picked) <= 2 else f"{picked[0]}等 {len(picked)} 个{unit}"


def summary(values: dict, choices: dict[str, pd.DataFrame], today: dt.date,
            everywhere: str = "全省") -> str:
    """The filters in force in words: "全省 · 全部行业 · 全部园区（含园区外） · 全部年份" (the
    first word is the viewer's jurisdiction, `everywhere`, when no city is picked), then the
    as-of date on its own line (today when the date was emptied, as `to_filters` counts).
    Three or more picks read "南京市等 3 个城市"."""
    years = [int(y) for y in choices["years"]["year"]]
    parts = [
        _some(values.get("f_city"), choices["cities"].set_index("adcode")["name"],
              safe.text(everywhere), "城市"),
        _some(values.get("f_industry"), choices["industries"].set_index("code")["name"],
              "全部行业", "行业"),
        _some(values.get("f_park"), choices["parks"].set_index("park_id")["name"],
              "全部园区（含园区外）", "园区"),
        safe.text(time_options(years, choices["periods"]).get(values.get("f_time") or ALL_TIME,
                                                               "全部年份")),
    ]
    return " · ".join(parts) + f"  \n数据截至 {cn_date(values.get('f_asof') or today)}"


def sidebar(choices: dict[str, pd.DataFrame], today: dt.date, everywhere: str = "全省",
            currency: pd.DataFrame | None = None) -> Filters:
    """Render the shared filters in the sidebar and return them; keeps the URL in step.
    `everywhere` names the viewer's whole jurisdiction (全省, 苏州市 …); `currency` is
    queries.currency.data_currency of the jurisdiction."""
    ss = st.session_state
    bounds = asof_range()
    if "f_ready" not in ss:  # first run of this session: start from the link
        parsed = parse_params(dict(st.query_params), choices, today, bounds, currency)
        ss.update(parsed.values)
        ss["f_ready"] = True
        ss["f_link_warnings"] = parsed.warnings
        ss["f_link_params"] = dict(st.query_params)  # the link as opened, before clean-up
    for w in ss.get("f_link_warnings", ()):
        st.sidebar.warning(w)
    setting = asof_range_problem()
    if setting:
        st.sidebar.warning(setting)

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
    # The default as-of date follows the chosen cities' data (and a new import) for as long as
    # the user has not picked a date: one they picked differs from the last default set.
    current = area_currency(currency, ss["f_city"])
    default = default_asof(today, bounds, current.day)
    auto = ss.get("f_asof_auto")
    if auto is not None and ss.get("f_asof") != auto:
        ss["f_asof_auto"] = auto = None
    if auto is not None:
        ss["f_asof"] = ss["f_asof_auto"] = default
    values = {k: ss.get(k) for k in URL_KEYS}
    with st.sidebar:
        st.markdown("**筛选条件**")
        st.caption(summary(values, choices, default, everywhere))  # names escaped inside
        if current.day is not None:
            moved = (f"；截至日期默认取此日（今天是 {cn_date(today)}，之后的天数不计为逾期）"
                     if default < today and values.get("f_asof") == default else "")
            st.caption(current.line() + moved)
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
        st.date_input("数据截至日期", key="f_asof", min_value=bounds[0], max_value=bounds[1],
                      help="所有数字按此日期重算：此日期之后发生的事项不计入。"
                           f"可选 {cn_date(bounds[0])}至{cn_date(bounds[1])}。",
                      persist_state="session")

    wanted = to_params(values, default)
    for url_key in URL_KEYS.values():
        if url_key in st.query_params and url_key not in wanted:
            del st.query_params[url_key]
    for k, v in wanted.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v
    return to_filters(values, periods, default)
