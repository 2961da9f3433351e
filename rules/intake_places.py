"""Kinds of record for data intake: 计划目标 (targets), 园区 (parks), 整体审核 (clusters).
Each Kind is registered with rules.intake; its planner is in queries/intake_places.py."""

from __future__ import annotations

from rules import indicators as ind
from rules.intake import Column, Kind, register

# Largest target a cell may hold: counts of rounds and amounts (吨, 吨标准煤). A province lists
# thousands of enterprises and saves millions of tonnes; anything above is a typing error (and
# 1e20 does not fit the database's integer column).
MAX_WHOLE = 1_000_000
MAX_DECIMAL = 1_000_000_000

# (plan_target column, header word, unit, whole number?, old header words read as synonyms)
TARGET_FIGURES = (
    ("audits_listed", "列入审核数", ind.unit("listed_in_year"), True, ("列入审核企业数",)),
    ("audits_completed", "完成审核数", ind.unit("completed_in_year"), True, ()),
    ("evaluations_passed", "通过评估数", ind.unit("eval_passed_in_year"), True, ()),
    ("acceptances", "通过验收数", ind.unit("accepted_in_year"), True, ()),
    ("energy_tce", "节能量", "吨标准煤", False, ()),
    ("cod_t", "化学需氧量减排量", "吨", False, ("COD减排量",)),
    ("nh3n_t", "氨氮减排量", "吨", False, ()),
    ("so2_t", "二氧化硫减排量", "吨", False, ()),
    ("nox_t", "氮氧化物减排量", "吨", False, ()),
    ("vocs_t", "挥发性有机物减排量", "吨", False, ("VOCs减排量",)),
)
TARGET_FIELDS = tuple(f for f, *_rest in TARGET_FIGURES)

TARGETS = Kind("targets", "计划目标", "计划目标", (
    Column("period", "规划期", "目标所属的规划期（实施方案），如 2021—2023年实施方案", kind="ref",
           ref="period", key=True, required=True, example="2021—2023年实施方案",
           synonyms=("实施方案", "规划期名称")),
    Column("year", "年度", "目标所属年度，须在规划期内", kind="int", unit="年", key=True,
           required=True, low=2000, high=2100, example=2023, synonyms=("目标年度", "年份")),
    Column("region", "地区", "目标所属的省、设区市或区县", kind="ref", ref="region", key=True,
           required=True, example="苏州市", synonyms=("行政区划", "地区名称", "城市")),
    Column("industry", "行业", "分行业目标的行业；全省或全市不分行业的目标填「全部行业」或留空",
           kind="ref", ref="industry_or_all", key=True, key_blank="", example="全部行业",
           synonyms=("所属行业", "重点行业")),
    *(Column(f, f"{word}（{unit}）", f"该年度{word}目标"
             + ("（审核轮数）" if whole else "") + "；留空保留已有目标，填（清空）取消该项目标",
             kind="int" if whole else "number", unit=unit, low=0,
             high=MAX_WHOLE if whole else MAX_DECIMAL, clearable=True,
             example=(3 if whole else 120.5), synonyms=(word, *old))
      for f, word, unit, whole, old in TARGET_FIGURES),
), note=("每行一项年度目标，以 规划期、年度、地区、行业 识别"
         "（行业留空或填「全部行业」表示不分行业）："
         "已有的目标被修改，其余行新增目标。空白单元格保留已有目标值，填写（清空）取消该项目标。"
         "市级用户只能导入本市及所辖区县的目标。"))

register(TARGETS)
