"""tests/handmade_parks.py with hostile names: every name an official can see (regions,
industries, parks, consultancies, enterprises, batches, cluster audits, options, experts, the
plan period, the province) is a formula, a Markdown construct, HTML or a tooltip placeholder.

Excel must store them as text, pages must show them literally, the map tooltip as they are.
"""

from __future__ import annotations

import copy

from sqlalchemy.engine import Engine

from tests import handmade, handmade_parks

# Spreadsheet formulas (OWASP "CSV injection": cells starting = + - @)
FORMULA = '=HYPERLINK("http://evil.example/x","点击")'
PLUS, MINUS, AT = "+1", "-1", "@SUM(A1:A2)"
# Markdown / directives / HTML / tooltip template
BOLD, MATH, COLOUR = "**粗体**", "$$x$$", ":red[红]"
LINK, HTML, TEMPLATE = "[点此](http://evil.example)", "<b>粗</b>", "{d}{n}"

NAMES = {
    "region": {"320100": FORMULA, "320500": BOLD, "320111": MATH, "320505": COLOUR,
               "320509": TEMPLATE},
    "industry": {"chemicals": PLUS, "electroplating": MINUS, "dyeing": AT, "magnesia": LINK},
    "park": {1: HTML + "{d}", 2: "=2+2园区", 3: "**三**园区"},
    "consultancy": {1: "=1+1咨询", 2: COLOUR + "咨询"},
    "enterprise": {handmade.E1: FORMULA, handmade.E2: PLUS + "乙", handmade.E3: MINUS + "丙",
                   handmade.E4: AT + "丁" + TEMPLATE, handmade.E5: BOLD + "戊"},
    "listing_batch": {1: "=批次1", 2: MATH + "批"},
    "plan_period": {1: LINK + "方案"},
    "cluster_audit": {1: "@整体审核" + LINK},
}
KEYS = {"region": "adcode", "industry": "code", "park": "park_id", "consultancy": "consultancy_id",
        "enterprise": "uscc", "listing_batch": "batch_id", "plan_period": "period_id",
        "cluster_audit": "cluster_id"}
PROVINCE = "**江苏**省"
EXPERTS = {1: "=王甲", 2: BOLD, 3: MATH, 4: LINK, 5: "-刘"}
OPTION_TITLE = "=方案" + COLOUR
EVERY = sorted({v for table in NAMES.values() for v in table.values()} | set(EXPERTS.values())
               | {PROVINCE, OPTION_TITLE})


def rows() -> dict:
    out = copy.deepcopy(handmade_parks.ROWS)
    for table, names in NAMES.items():
        key = KEYS[table]
        for r in out[table]:
            if r[key] in names:
                r["name"] = names[r[key]]
    for r in out["expert"]:
        r["name"] = EXPERTS[r["expert_id"]]
        r["organisation"] = "@大学"
    for r in out["audit_option"]:
        r["title"] = OPTION_TITLE
    for r in out["enterprise"]:
        r["address"] = "=地址" + LINK
    for r in out["penalty"]:
        r["authority"], r["description"] = "+处罚机关", BOLD + "说明"
    for r in out["app_meta"]:
        if r["key"] == "province_name":
            r["value"] = PROVINCE
    return out


def build(engine: Engine) -> None:
    handmade.build(engine, rows())
