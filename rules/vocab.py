"""Controlled vocabularies: the allowed values of coded columns, in the words officials use.

The database enforces these with CHECK constraints (queries/schema.py), import validation uses
them, and pages show them as they are. Industries are *not* here: they are rows of the `industry`
table, because provinces add their own.
"""

REGION_LEVELS = ("省", "市", "区县")

PARK_LEVELS = ("国家级", "省级", "市级")
PARK_TYPES = ("化工园区", "经济技术开发区", "高新技术产业开发区", "工业集中区", "综合保税区")

ENTERPRISE_SCALES = ("大型", "中型", "小型", "微型")
PERMIT_CLASSES = ("重点管理", "简化管理", "登记管理")
# HJ 608-2017: the letter after the 3-digit site sequence. P = permit, W = registration (登记).
PERMIT_KINDS = ("许可证", "登记")

# 清洁生产促进法 Art. 27 triggers, plus voluntary audits.
LISTING_REASONS = ("双超", "双有", "高耗能", "自愿")
AUDIT_MODES = ("单独审核", "园区整体审核", "行业整体审核")
CLUSTER_KINDS = ("园区", "行业")

# Results are stored in the local wording and as a normalised pass/fail.
RESULT_WORDS = ("通过", "不通过", "合格", "不合格")
PASS_WORDS = ("通过", "合格")

CP_LEVELS = ("Ⅰ级", "Ⅱ级", "Ⅲ级")
CP_LEVEL_LABELS = {"Ⅰ级": "Ⅰ级 国际领先", "Ⅱ级": "Ⅱ级 国内先进", "Ⅲ级": "Ⅲ级 国内一般"}

COST_CLASSES = ("无/低费", "中/高费")
# The eight directions of the audit method (清洁生产审核方法).
OPTION_CATEGORIES = (
    "原辅材料和能源", "技术工艺", "设备", "过程控制", "产品", "废弃物", "管理", "员工",
)
OPTION_STATUSES = ("拟实施", "实施中", "已实施", "放弃")

PANEL_STAGES = ("评估", "验收")
PANEL_ROLES = ("组长", "成员")
EXPERT_STATUSES = ("在库", "暂停", "退出")
TRAINING_AUDIENCES = ("专家", "咨询机构", "企业", "管理人员")  # 年度培训计划的对象

# 企业环境信用评价 (2013 national measure) plus the black list some provinces add.
CREDIT_GRADES = ("环保诚信", "环保良好", "环保警示", "环保不良", "环保黑名单")
CREDIT_COLOURS = {
    "环保诚信": "绿", "环保良好": "蓝", "环保警示": "黄", "环保不良": "红", "环保黑名单": "黑",
}

PENALTY_KINDS = (
    "未按规定实施审核", "审核报告弄虚作假", "未按规定公布信息", "超标排放", "其他",
)

# Reduction columns of an option: (column, Chinese label, unit). Pollutant figures are reductions
# of discharge (排放量); hazardous waste is a reduction of generation (产生量).
OUTCOME_COLUMNS = (
    ("econ_benefit_wan", "经济效益", "万元/年"),
    ("energy_tce", "节能量", "吨标准煤/年"),
    ("electricity_mwh", "节电量", "兆瓦时/年"),
    ("water_t", "节水量", "吨/年"),
    ("co2_t", "二氧化碳减排量", "吨/年"),
    ("cod_t", "化学需氧量(COD)减排量", "吨/年"),
    ("nh3n_t", "氨氮减排量", "吨/年"),
    ("so2_t", "二氧化硫减排量", "吨/年"),
    ("nox_t", "氮氧化物减排量", "吨/年"),
    ("vocs_t", "挥发性有机物(VOCs)减排量", "吨/年"),
    ("particulates_t", "颗粒物减排量", "吨/年"),
    ("heavy_metals_kg", "重金属减排量", "千克/年"),
    ("hazwaste_t", "危险废物减量(产生量)", "吨/年"),
)
