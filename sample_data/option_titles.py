"""Audit options (方案) as they appear in real cleaner production reports, by industry.

One option per line: title | category (vocab.OPTION_CATEGORIES) | what it reduces. The reduction
tags decide which outcome columns an option may carry, so a compressor retrofit saves electricity
and never COD: e = fuel/steam energy, el = electricity, w = water, cod, n = NH3-N, s = SO2,
x = NOx, v = VOCs, p = particulates, hm = heavy metals, hw = hazardous waste.
"""

from __future__ import annotations

from dataclasses import dataclass

TAG_COLUMNS = {
    "w": "water_t", "cod": "cod_t", "n": "nh3n_t", "s": "so2_t", "x": "nox_t", "v": "vocs_t",
    "p": "particulates_t", "hm": "heavy_metals_kg", "hw": "hazwaste_t",
}  # e and el are split from energy_tce (see options.py)
LOW, HIGH = "无/低费", "中/高费"

GENERIC = {
    LOW: """
建立健全清洁生产管理制度 | 管理 |
完善能源计量器具配备 | 管理 | e el
加强设备巡检与维护保养 | 管理 | el
跑冒滴漏专项排查治理 | 管理 | w cod
原辅材料分类存放与限额领用 | 原辅材料和能源 | hw
完善车间用水定额考核 | 管理 | w
建立能源消耗台账及月度分析 | 管理 | e el
危废暂存间规范化管理 | 废弃物 | hw
一般固废分类收集回收利用 | 废弃物 |
车间照明更换LED灯具 | 设备 | el
办公区空调温度分时控制 | 管理 | el
压缩空气管网泄漏检测与修复 | 设备 | el
蒸汽管道及阀门保温修复 | 设备 | e
疏水阀检修更换 | 设备 | e
冷却塔风机时控改造 | 过程控制 | el
水泵叶轮切削节能改造 | 设备 | el
用水点加装节水阀门 | 设备 | w
厂区雨污分流管网检查修复 | 废弃物 | cod
生产排班优化避峰用电 | 管理 | el
清洁生产知识全员培训 | 员工 |
岗位操作规程修订与培训 | 员工 |
设立清洁生产合理化建议奖励 | 员工 |
关键岗位持证上岗考核 | 员工 |
包装物回收重复利用 | 原辅材料和能源 |
化学品仓库防渗漏改造 | 废弃物 | hw
变压器经济运行调整 | 过程控制 | el
电动机空载自动停机改造 | 过程控制 | el
厂区绿化改用收集雨水 | 原辅材料和能源 | w
实验室废液分类收集 | 废弃物 | hw
废矿物油集中收集处置 | 废弃物 | hw
在线监测设备定期校验 | 过程控制 |
生产工艺参数优化调整 | 过程控制 | e
物料投加计量精细化管理 | 过程控制 |
设备保温层修补 | 设备 | e
厂区道路定期清扫洒水抑尘 | 管理 | p
优化生产计划减少开停车 | 管理 | e el
产品包装规格优化 | 产品 |
提高产品一次合格率 | 产品 | e
""",
    HIGH: """
空压机变频改造 | 设备 | el
空压机余热回收利用 | 设备 | e
屋顶分布式光伏发电项目 | 原辅材料和能源 | el
高效节能电机替代 | 设备 | el
蒸汽冷凝水回收系统 | 设备 | e w
中水回用系统建设 | 废弃物 | w cod
能源管理中心建设 | 过程控制 | e el
循环水系统节能改造 | 设备 | el w
燃气锅炉低氮燃烧改造 | 技术工艺 | x
危废仓库智能化改造 | 废弃物 | hw
污水处理站提标改造 | 废弃物 | cod n
""",
}

BY_INDUSTRY = {
    "energy": {
        LOW: """
锅炉燃烧配风优化调整 | 过程控制 | e x
输煤系统皮带廊封闭 | 设备 | p
汽轮机通流部分清洗 | 设备 | e
凝汽器胶球清洗 | 设备 | e
脱硫浆液pH值优化控制 | 过程控制 | s
粉煤灰综合利用 | 废弃物 |
煤场喷淋抑尘 | 管理 | p
""",
        HIGH: """
汽轮机通流改造 | 技术工艺 | e
锅炉烟气超低排放改造 | 技术工艺 | s x p
低温省煤器余热回收 | 设备 | e
SCR脱硝催化剂升级 | 技术工艺 | x
湿式电除尘器改造 | 设备 | p
循环水泵变频改造 | 设备 | el
煤场全封闭改造 | 设备 | p
""",
    },
    "metal": {
        LOW: """
加热炉空燃比优化 | 过程控制 | e x
轧机冷却水循环利用 | 原辅材料和能源 | w
除尘器滤袋定期更换 | 设备 | p
钢渣分类回收利用 | 废弃物 |
煤气放散管理优化 | 管理 | e
""",
        HIGH: """
烧结烟气循环改造 | 技术工艺 | e s x p
高炉煤气余压发电改造 | 技术工艺 | el
转炉煤气回收系统扩容 | 设备 | e
加热炉蓄热式燃烧改造 | 技术工艺 | e x
原料场全封闭改造 | 设备 | p
烧结机头烟气超低排放改造 | 技术工艺 | s x p
""",
    },
    "coking": {
        LOW: """
焦炉炉门密封维护 | 设备 | v p
熄焦水闭路循环 | 原辅材料和能源 | w cod
化产回收系统泄漏检测与修复 | 过程控制 | v
煤调湿参数优化 | 过程控制 | e
焦油渣回配炼焦 | 废弃物 | hw
""",
        HIGH: """
干熄焦余热发电改造 | 技术工艺 | e el p
焦炉烟气脱硫脱硝一体化 | 技术工艺 | s x
蒸氨废水预处理改造 | 废弃物 | cod n
装煤推焦地面站除尘改造 | 设备 | p
焦炉上升管余热回收 | 设备 | e
""",
    },
    "bldmat": {
        LOW: """
窑头窑尾密封改造 | 设备 | e
生料配料优化 | 过程控制 | e
物料输送点集尘罩完善 | 设备 | p
熟料冷却机风量调整 | 过程控制 | e
粉磨系统钢球级配优化 | 过程控制 | el
""",
        HIGH: """
水泥窑纯低温余热发电 | 技术工艺 | el
立磨替代球磨改造 | 设备 | el
窑尾SCR脱硝改造 | 技术工艺 | x
袋式除尘器升级改造 | 设备 | p
玻璃窑全氧燃烧改造 | 技术工艺 | e x
篦冷机升级改造 | 设备 | e
""",
    },
    "nonfer": {
        LOW: """
电解槽极距优化 | 过程控制 | el
阳极残极回收 | 废弃物 | hw
熔炼炉炉门密封 | 设备 | e p
酸雾收集罩改造 | 设备 |
含重金属废水分质收集 | 废弃物 | hm w
""",
        HIGH: """
铝电解槽节能改造 | 技术工艺 | el
熔炼烟气制酸系统改造 | 技术工艺 | s
含重金属废水深度处理回用 | 废弃物 | hm w cod
再生铝熔炼炉蓄热燃烧 | 技术工艺 | e x
烟尘收集布袋除尘升级 | 设备 | p hm
""",
    },
    "chem": {
        LOW: """
储罐呼吸阀氮封改造 | 设备 | v
反应釜投料方式优化 | 过程控制 | v
泄漏检测与修复(LDAR) | 管理 | v
冷凝器冷却介质优化 | 过程控制 | e v
母液回收套用 | 原辅材料和能源 | cod hw
装卸车油气回收 | 设备 | v
取样口密闭采样改造 | 设备 | v
""",
        HIGH: """
VOCs废气RTO焚烧处理 | 废弃物 | v
精馏塔热集成节能改造 | 技术工艺 | e
连续流微通道反应工艺改造 | 技术工艺 | e v hw cod
MVR蒸发替代多效蒸发 | 技术工艺 | e el w
高盐废水分盐资源化 | 废弃物 | cod hw
溶剂回收精馏装置 | 原辅材料和能源 | v hw
DCS自动控制系统升级 | 过程控制 | e v
""",
    },
    "dyeing": {
        LOW: """
染色小浴比工艺优化 | 过程控制 | w cod e
退浆废水分质收集 | 废弃物 | cod
定型机排气温湿度控制 | 过程控制 | e v
染化料自动称量配送 | 过程控制 | cod
水洗工序逆流漂洗 | 技术工艺 | w
蒸汽冷凝水回用锅炉 | 原辅材料和能源 | e w
""",
        HIGH: """
印染废水深度处理回用 | 废弃物 | w cod n
定型机废气余热回收及净化 | 设备 | e v p
冷轧堆前处理工艺改造 | 技术工艺 | w cod e
小浴比气流染色机替代 | 设备 | w cod e
碱减量废水碱回收 | 原辅材料和能源 | cod
数码印花替代传统印花 | 技术工艺 | w cod
""",
    },
    "paper": {
        LOW: """
白水回收利用优化 | 原辅材料和能源 | w cod
真空泵冷却水回用 | 原辅材料和能源 | w
烘缸疏水系统优化 | 设备 | e
化学品投加精确计量 | 过程控制 | cod
浆渣综合利用 | 废弃物 |
""",
        HIGH: """
纸机热泵供汽系统改造 | 技术工艺 | e
厌氧反应器沼气回收 | 废弃物 | cod e
造纸废水深度处理回用 | 废弃物 | w cod n
透平真空泵替代水环真空泵 | 设备 | el w
碱回收炉提标改造 | 技术工艺 | cod s
""",
    },
    "api": {
        LOW: """
溶媒回收率提升 | 原辅材料和能源 | v hw
离心机密闭出料 | 设备 | v
发酵罐空气过滤优化 | 过程控制 | e
母液套用工艺优化 | 原辅材料和能源 | cod hw
真空系统冷阱回收 | 设备 | v
""",
        HIGH: """
高浓度废水铁碳微电解芬顿预处理 | 废弃物 | cod n
溶剂回收精馏塔改造 | 原辅材料和能源 | v hw
酶催化工艺替代化学合成 | 技术工艺 | cod hw v
RTO蓄热焚烧废气处理 | 废弃物 | v
发酵菌渣无害化处理 | 废弃物 | hw
结晶工艺连续化改造 | 技术工艺 | e v
""",
    },
    "plating": {
        LOW: """
镀件带出液回收 | 原辅材料和能源 | hm
镀槽液位及温度自动控制 | 过程控制 | e
挂具绝缘维护减少带出 | 设备 | hm
镀液定期过滤延长寿命 | 过程控制 | hw hm
喷淋清洗替代浸洗 | 技术工艺 | w hm
酸雾收集系统检修 | 设备 |
""",
        HIGH: """
电镀槽逆流漂洗改造 | 技术工艺 | w hm cod
含铬废水膜法回收 | 废弃物 | hm w
三价铬替代六价铬镀铬 | 原辅材料和能源 | hm hw
无氰电镀工艺替代 | 技术工艺 | hm hw
电镀自动生产线改造 | 设备 | w hm el
重金属废水分质处理及回用 | 废弃物 | hm w cod
镀液在线净化再生 | 技术工艺 | hm hw
""",
    },
    "food": {
        LOW: """
清洗用水分级回用 | 原辅材料和能源 | w cod
冷库门帘及保温修复 | 设备 | el
原料预处理损耗控制 | 过程控制 | cod
蒸煮工序余热利用 | 原辅材料和能源 | e
副产物综合利用 | 废弃物 | cod n
锅炉排污水回收 | 原辅材料和能源 | w e
""",
        HIGH: """
制冷机组节能改造 | 设备 | el
废水厌氧处理沼气利用 | 废弃物 | cod n e
燃煤锅炉改天然气锅炉 | 原辅材料和能源 | s x p
蒸发浓缩MVR改造 | 技术工艺 | e
屠宰废水处理提标改造 | 废弃物 | cod n
""",
    },
    "coating": {
        LOW: """
调漆间密闭负压收集 | 设备 | v
更换高效低压喷枪 | 设备 | v
涂料桶加盖密闭管理 | 管理 | v
喷涂参数优化提高上漆率 | 过程控制 | v
废漆渣规范收集 | 废弃物 | hw
烘道保温改造 | 设备 | e
""",
        HIGH: """
水性涂料替代溶剂型涂料 | 原辅材料和能源 | v hw
粉末喷涂替代液体喷涂 | 技术工艺 | v hw
喷涂机器人自动化改造 | 设备 | v
沸石转轮+RCO废气治理 | 废弃物 | v
烘干炉余热回收利用 | 设备 | e
前处理无磷硅烷化工艺 | 技术工艺 | w cod hw
""",
    },
    "print": {
        LOW: """
集中供墨系统 | 原辅材料和能源 | v
清洗溶剂回收利用 | 原辅材料和能源 | v hw
印刷机台局部密闭收集 | 设备 | v
版材及废纸分类回收 | 废弃物 |
润版液减醇控制 | 过程控制 | v
""",
        HIGH: """
水性油墨替代溶剂型油墨 | 原辅材料和能源 | v
UV-LED固化替代热风烘干 | 技术工艺 | e v
复合工艺无溶剂化改造 | 技术工艺 | v
活性炭吸附脱附催化燃烧设施 | 废弃物 | v
烘箱热风循环利用 | 设备 | e
""",
    },
    "magnesia": {
        LOW: """
轻烧窑燃烧配风优化 | 过程控制 | e x
菱镁矿粉料封闭输送 | 设备 | p
""",
        HIGH: """
反射窑改悬浮焙烧窑 | 技术工艺 | e s x p
窑炉烟气除尘脱硫改造 | 设备 | s p
""",
    },
}


@dataclass(frozen=True)
class OptionTitle:
    title: str
    cost_class: str
    category: str
    tags: tuple[str, ...]
    specific: bool  # belongs to the industry rather than to every industry


def _parse(block: str, cost_class: str, specific: bool) -> list[OptionTitle]:
    out = []
    for line in block.strip().splitlines():
        title, category, tags = (part.strip() for part in line.split("|"))
        out.append(OptionTitle(title, cost_class, category, tuple(tags.split()), specific))
    return out


def titles_for(industry_code: str) -> tuple[list[OptionTitle], list[OptionTitle]]:
    """(no/low-cost, medium/high-cost) option titles an enterprise of this industry may propose."""
    own = BY_INDUSTRY.get(industry_code, {})
    low, high = (
        _parse(own.get(c, ""), c, True) + _parse(GENERIC[c], c, False) for c in (LOW, HIGH)
    )
    return low, high
