"""Data tables that make the sample look like a real province: industries, mixes, magnitudes, odds.

Everything an official could question ("why so many chemical firms in 连云港?") is a row here,
not a branch in code. Sources: domain.md §5 (magnitudes) and §8 (scale).
"""

from __future__ import annotations

import datetime as dt

# The 13 national key industries (环办科财〔2020〕27号), in the notice's order: (code, name).
NATIONAL_INDUSTRIES = (
    ("energy", "能源"),
    ("metal", "冶金"),
    ("coking", "焦化"),
    ("bldmat", "建材"),
    ("nonfer", "有色"),
    ("chem", "化工"),
    ("dyeing", "印染"),
    ("paper", "造纸"),
    ("api", "原料药"),
    ("plating", "电镀"),
    ("food", "农副食品加工"),
    ("coating", "工业涂装"),
    ("print", "包装印刷"),
)

# Industries a province added on top of the national 13: province -> (code, name, mix weight,
# extra weight by city name). Liaoning added magnesia (镁砂), made in 营口/鞍山/丹东.
PROVINCIAL_INDUSTRIES = {
    "210000": (("magnesia", "镁砂", 0.3, {"营口市": 8.0, "鞍山市": 6.0, "丹东市": 2.0}),),
}

# Enterprises at scale 1 for a province of Jiangsu's industrial weight (domain.md §8: a large
# province holds a few thousand audited enterprises over 2021–2026).
BASE_ENTERPRISES = 4500
BASE_PARKS = 65
BASE_CONSULTANCIES = 40
BASE_EXPERTS = 160
BASE_PARK_CLUSTERS = 7
BASE_INDUSTRY_CLUSTERS = 2

# Industrial weight of a province relative to Jiangsu; others: by their number of counties.
PROVINCE_FACTOR = {
    "320000": 1.0, "440000": 1.0, "370000": 1.0, "330000": 0.9, "130000": 0.7, "410000": 0.7,
    "420000": 0.6, "210000": 0.5, "340000": 0.6, "510000": 0.6, "110000": 0.15, "120000": 0.25,
    "310000": 0.3, "500000": 0.35,
}

# Relative number of enterprises per city (Jiangsu). Other provinces: by county count and area.
CITY_WEIGHT = {
    "苏州市": 1.7, "无锡市": 1.25, "常州市": 1.05, "南京市": 1.0, "南通市": 1.0, "徐州市": 0.9,
    "盐城市": 0.8, "泰州市": 0.8, "扬州市": 0.7, "镇江市": 0.6, "连云港市": 0.6, "淮安市": 0.55,
    "宿迁市": 0.5,
}

# Industry mix by city name; industries not listed get MIX_FLOOR so every trade appears somewhere.
CITY_MIX = {
    "南京市": {"chem": 6, "metal": 4, "energy": 3, "coating": 3, "api": 2, "print": 2, "bldmat": 2},
    "无锡市": {"plating": 6, "dyeing": 5, "coating": 5, "chem": 3, "metal": 3, "nonfer": 2},
    "徐州市": {"energy": 6, "coking": 5, "bldmat": 5, "metal": 4, "chem": 3, "food": 3},
    "常州市": {"plating": 6, "coating": 5, "chem": 4, "dyeing": 3, "metal": 3, "nonfer": 2},
    "苏州市": {"plating": 7, "dyeing": 6, "coating": 6, "print": 4, "chem": 3, "paper": 2},
    "南通市": {"chem": 6, "dyeing": 5, "food": 4, "coating": 3, "api": 2, "energy": 2},
    "连云港市": {"api": 7, "chem": 6, "metal": 3, "energy": 2, "food": 2},
    "淮安市": {"food": 6, "print": 4, "chem": 3, "bldmat": 2, "energy": 2, "api": 2},
    "盐城市": {"chem": 5, "food": 5, "dyeing": 4, "coating": 3, "energy": 2},
    "扬州市": {"chem": 4, "coating": 4, "api": 2, "metal": 2, "plating": 2, "food": 2},
    "镇江市": {"paper": 6, "chem": 5, "energy": 3, "bldmat": 3, "metal": 2, "coating": 2},
    "泰州市": {"api": 6, "chem": 6, "coating": 3, "plating": 2, "food": 2},
    "宿迁市": {"food": 6, "print": 5, "dyeing": 3, "bldmat": 2, "coating": 2},
}
MIX_FLOOR = 0.4
# Any other province: a national mix, varied per city by a random factor.
GENERIC_MIX = {
    "chem": 5, "coating": 4, "food": 4, "bldmat": 3, "print": 3, "plating": 2.5, "energy": 2,
    "metal": 2, "dyeing": 1.5, "nonfer": 1.5, "paper": 1.5, "api": 1.5, "coking": 1,
}
# Cities that word results 合格/不合格 instead of 通过/不通过 (local practice, domain.md §4).
QUALIFIED_WORDING_CITIES = ("盐城市", "宿迁市")
QUALIFIED_WORDING_SHARE = 0.2  # other provinces: this share of cities, at random

CHEMICAL_INDUSTRIES = ("chem", "api", "coking")  # belong in 化工园区
HEAVY_INDUSTRIES = ("energy", "metal", "coking", "bldmat", "nonfer", "paper")
ENERGY_INTENSIVE = ("energy", "metal", "coking", "bldmat", "nonfer", "paper", "magnesia")
HAZARDOUS_INDUSTRIES = ("chem", "api", "plating", "coating", "print", "dyeing", "nonfer")

SCALES = ("大型", "中型", "小型", "微型")
SCALE_ODDS = {"heavy": (0.18, 0.35, 0.40, 0.07), "other": (0.05, 0.22, 0.53, 0.20)}
SCALE_SIZE = {"大型": 3.0, "中型": 1.3, "小型": 0.6, "微型": 0.3}  # multiplies reductions
PERMIT_CLASS_ODDS = {"heavy": (0.85, 0.13, 0.02), "other": (0.50, 0.40, 0.10)}

# Listing reason odds (双超, 双有, 高耗能, 自愿) by kind of industry.
REASONS = ("双超", "双有", "高耗能", "自愿")
REASON_ODDS = {
    "energy_intensive": (0.35, 0.15, 0.45, 0.05),
    "hazardous": (0.22, 0.70, 0.03, 0.05),
    "other": (0.70, 0.15, 0.08, 0.07),
}

# Parks: (type, share of non-chemical parks); level odds (国家级, 省级, 市级) per type.
PARK_TYPE_ODDS = (("经济技术开发区", 0.35), ("高新技术产业开发区", 0.25), ("工业集中区", 0.40))
PARK_LEVEL_ODDS = {
    "化工园区": (0.05, 0.75, 0.20),
    "经济技术开发区": (0.30, 0.70, 0.0),
    "高新技术产业开发区": (0.30, 0.70, 0.0),
    "工业集中区": (0.0, 0.30, 0.70),
}
# Park names by (type, level), falling back to (type, None). National development zones carry the
# city's name and "经济技术开发区"; provincial ones are usually "经济开发区" after the county.
PARK_NAME_FORMS = {
    ("化工园区", None): ("{place}化工园区", "{place}精细化工园区", "{place}化学工业园区",
                     "{place}新材料产业园", "{city}滨江化工园区"),
    ("经济技术开发区", "国家级"): ("{city}经济技术开发区", "{place}经济技术开发区"),
    ("经济技术开发区", None): ("{place}经济开发区",),
    ("高新技术产业开发区", "国家级"): ("{city}高新技术产业开发区", "{place}高新技术产业开发区"),
    ("高新技术产业开发区", None): ("{place}高新技术产业开发区", "{place}高新技术产业园区"),
    ("工业集中区", None): ("{place}工业集中区", "{place}城东工业集中区", "{place}城南工业集中区",
                      "{place}城西工业集中区", "{place}城北工业集中区", "{place}临港工业集中区"),
}
PARK_RADIUS_KM = {"化工园区": (1.8, 3.5), "国家级": (2.5, 4.5), "default": (1.0, 2.5)}
# Chemical firms belong in chemical parks (进区入园): most sit in one of their county, many of the
# others in one elsewhere in their city; other firms sit in a park of their county or not. Firms
# of counties without a park move into a park of their city as needed to reach the target share
# (so a small sample with few parks still has a plausible share of park enterprises).
PARK_SHARE_CHEM = 0.85
PARK_SHARE_CHEM_CITY = 0.6
PARK_SHARE_OTHER = 0.5
PARK_SHARE_TARGET = 0.38
PARK_SHARE_CITY_MAX = 0.5

# Listing batches: relative size of first listings by year (the 2021 backlog is the biggest).
YEAR_WEIGHT = {2021: 1.6, 2022: 1.2, 2023: 1.0, 2024: 0.9, 2025: 0.8}
LATER_YEAR_WEIGHT = 0.6
SECOND_BATCH_ODDS = 0.75

# The audit clock as enterprises live it: behaviour odds and result odds.
BEHAVIOUR_ODDS = (("on_time", 0.83), ("late", 0.12), ("stalled", 0.05))
STALL_ODDS = (("no_disclosure", 0.3), ("no_start", 0.3), ("no_report", 0.4))
EVAL_PASS = {"on_time": 0.92, "late": 0.82}
ACCEPT_PASS = 0.95
CLUSTER_EVAL_PASS = 0.92
CP_LEVEL_ODDS = (("Ⅰ级", 0.15), ("Ⅱ级", 0.65), ("Ⅲ级", 0.20))
FIRST_LISTS = (dt.date(2021, 1, 4), dt.date(2021, 9, 1))  # spring and autumn of FIRST_YEAR
FIVE_YEAR_RELIST_ODDS = 0.6  # 双有 enterprises audited five years ago, re-listed this year
MAX_ROUNDS = 3

# Per-audit mean reductions (domain.md §5, plus the columns it names without a figure).
OUTCOME_MEANS = {
    "energy_tce": 400.0, "water_t": 20000.0, "cod_t": 10.0, "nh3n_t": 0.6, "so2_t": 10.0,
    "nox_t": 8.0, "vocs_t": 12.0, "particulates_t": 15.0, "heavy_metals_kg": 40.0,
    "hazwaste_t": 25.0,
}
OUTCOME_SIGMA = 0.9  # lognormal: about an order of magnitude between the 5th and 95th percentile
# Relative size of each reduction by industry; 0 = not relevant (the column stays NULL).
# Columns: energy, water, cod, nh3n, so2, nox, vocs, particulates, heavy metals, hazardous waste.
INDUSTRY_PROFILE = {
    "energy": (4.0, 1.5, 0.3, 0.0, 4.0, 4.0, 0.0, 3.0, 0.0, 0.2),
    "metal": (3.0, 1.0, 0.3, 0.0, 2.5, 2.5, 0.0, 3.0, 0.3, 0.5),
    "coking": (3.0, 1.0, 1.0, 2.0, 3.0, 3.0, 0.8, 3.0, 0.0, 0.8),
    "bldmat": (2.0, 0.3, 0.0, 0.0, 2.0, 3.0, 0.0, 3.0, 0.0, 0.0),
    "nonfer": (1.5, 0.8, 0.3, 0.0, 1.5, 0.8, 0.0, 1.5, 4.0, 1.0),
    "chem": (0.8, 1.0, 1.2, 1.5, 0.5, 0.5, 2.5, 0.3, 0.0, 2.0),
    "dyeing": (0.5, 3.0, 3.0, 2.0, 0.2, 0.2, 0.2, 0.0, 0.0, 0.2),
    "paper": (1.0, 3.0, 3.0, 1.0, 0.5, 0.5, 0.0, 0.3, 0.0, 0.0),
    "api": (0.4, 0.8, 1.5, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0, 2.5),
    "plating": (0.15, 0.8, 0.4, 0.5, 0.0, 0.0, 0.0, 0.0, 5.0, 1.5),
    "food": (0.3, 1.5, 2.0, 1.5, 0.2, 0.2, 0.0, 0.2, 0.0, 0.0),
    "coating": (0.15, 0.2, 0.2, 0.0, 0.0, 0.0, 2.0, 0.5, 0.0, 0.8),
    "print": (0.1, 0.1, 0.1, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.5),
}
DEFAULT_PROFILE = INDUSTRY_PROFILE["bldmat"]  # provincial additions such as 镁砂 are kiln trades
# Share of saved energy that is electricity (the rest is fuel or steam).
ELECTRICITY_SHARE = {"energy": 0.15, "metal": 0.25, "coking": 0.15, "bldmat": 0.35,
                     "nonfer": 0.5, "paper": 0.3}
DEFAULT_ELECTRICITY_SHARE = 0.5
TCE_PER_MWH = 0.1229  # 1 MWh of electricity in tonnes of standard coal (calorific equivalent)
CO2_PER_TCE = 2.5  # t CO2 per tce of fuel saved
CO2_PER_MWH = 0.5703  # t CO2 per MWh, national grid factor (2022)
# Economic benefit, 万元 per unit saved per year.
PRICE_WAN = {"fuel_tce": 0.09, "electricity_mwh": 0.065, "water_t": 0.0004}

# Credit grades: target shares (domain.md §8, Guangdong) and how much an overdue/failed audit
# in the year pulls an enterprise down.
CREDIT_SHARES = (("环保诚信", 0.14), ("环保良好", 0.735), ("环保警示", 0.10), ("环保不良", 0.025))
CREDIT_RISK_SHIFT = 1.6
# Trades that run industry-wide cluster audits (行业整体审核) in one city.
CLUSTER_INDUSTRIES = ("plating", "dyeing", "coating", "print", "food")
CLUSTER_SIZE = (5, 20)
