"""Fictional names for the sample data: companies, consultancies, experts, addresses.

Trade names (字号) are invented by pairing two fixed character pools, so every company name is
made up; parks, by contrast, are named the way real parks are named: after their county or city.
All choices go through the caller's numpy Generator, so names are deterministic.
"""

from __future__ import annotations

import re

import numpy as np

# Two pools of characters that read well in a company's trade name; pairs of them are invented.
TRADE_FIRST = tuple(
    "澄泓瀚睿恒鑫汇锦昱沁岚澜禾砚湛翊璟晟峻珩朗铂钧桓煦甄霁琨芮蔚骐泽弘邦瑞嘉兆祺灏晔"
)
TRADE_SECOND = tuple("川源泰丰达通远盛宏辰华越宁和融诚拓峰宸舟恩航悦德裕晖曜科元聚昇瀛")

# Words that tell an official which trade a company is in, by industry code.
INDUSTRY_WORDS = {
    "energy": ("热电", "能源", "电力", "热力"),
    "metal": ("钢铁", "特钢", "金属制品", "冶金"),
    "coking": ("焦化", "煤化工"),
    "bldmat": ("水泥", "建材", "玻璃", "新型建材"),
    "nonfer": ("铝业", "铜业", "有色金属", "合金材料"),
    "chem": ("化工", "化学", "精细化工", "新材料"),
    "dyeing": ("印染", "纺织印染", "染整"),
    "paper": ("纸业", "造纸", "特种纸"),
    "api": ("制药", "药业", "生物医药", "医药化工"),
    "plating": ("电镀", "表面处理", "金属表面处理"),
    "food": ("食品", "粮油", "肉类食品", "淀粉", "饲料"),
    "coating": ("机械", "汽车零部件", "装备制造", "钢结构", "家具"),
    "print": ("包装", "印务", "彩印", "包装材料"),
    "magnesia": ("镁业", "耐火材料", "镁质材料"),
}
DEFAULT_INDUSTRY_WORDS = ("实业", "材料")

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严武戴莫孔向汤"
)
GIVEN = tuple(
    "建国志明伟华军平文海红丽敏静强磊洋勇艳杰涛斌超霞鹏飞宇琳婷晨晓峰刚燕辉波宁芳颖俊健新林云凯"
    "亮欣蕾春秋立荣玉兰振炜锋群慧雯佳嘉彬浩然昊天悦梅娟莉哲"
)
TITLES = ("教授级高级工程师", "高级工程师", "教授", "副教授")
TITLE_WEIGHTS = (0.3, 0.5, 0.15, 0.05)
SENIOR_TITLES = ("教授级高级工程师", "教授")

# Where pool experts work; {p} = province short name, {c} = city short name, {t} = trade name.
ORGANISATIONS = (
    "{p}省环境科学研究院",
    "{p}省节能技术服务中心",
    "{c}市环境监测中心",
    "{c}{t}理工学院环境与化学工程学院",
    "{c}{t}大学环境学院",
    "{p}{t}工程设计研究院有限公司",
    "{p}{t}环境工程技术有限公司",
    "{c}{t}化工设计院有限公司",
)
CONSULTANCY_NAMES = (
    "{p}{t}环境科技有限公司",
    "{c}{t}环保科技有限公司",
    "{p}{t}节能环保咨询有限公司",
    "{c}{t}环境技术服务有限公司",
    "{p}{t}清洁生产技术咨询有限公司",
)
ROAD_FIRST = tuple(
    "兴业 创业 科技 工业 发展 长江 人民 建设 振兴 富民 开发 新华 滨河 纬一 纬二 纬三 经一 经二 "
    "经三 经五 环园 通江 疏港 创新 纺织 港城 东方 金港 青年 友谊".split()
)
ROAD_SUFFIX = ("路", "路", "大道", "街")

ETHNIC = (
    "蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 "
    "哈萨克族 傣族 黎族 傈僳族 佤族 畲族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 "
    "达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 "
    "乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 "
    "门巴族 珞巴族 基诺族 各族"
).split()
_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|自治旗|地区|林区|新区|省|市|县|区|盟|旗)$")


def short_name(name: str) -> str:
    """江苏省 → 江苏, 泰兴市 → 泰兴, 恩施土家族苗族自治州 → 恩施; one-character stems stay whole."""
    stem = _SUFFIX.sub("", name)
    changed = True
    while changed:
        changed = False
        for word in ETHNIC:
            if stem.endswith(word) and len(stem) > len(word):
                stem, changed = stem[: -len(word)], True
    return stem if len(stem) >= 2 else name


def place_name(county: str, city: str) -> str:
    """Prefix for a park or company: a district with its city (南京江宁), a county alone (泰兴)."""
    if county == city:
        return short_name(city)
    if county.endswith("区"):
        district, town = short_name(county), short_name(city)
        return town if district == town else town + district
    return short_name(county)


def pick(rng: np.random.Generator, items, p=None):
    return items[int(rng.choice(len(items), p=p))]


def trade_name(rng: np.random.Generator) -> str:
    return pick(rng, TRADE_FIRST) + pick(rng, TRADE_SECOND)


def person_name(rng: np.random.Generator) -> str:
    given = pick(rng, GIVEN) + (pick(rng, GIVEN) if rng.random() < 0.7 else "")
    return pick(rng, SURNAMES) + given


def road_address(rng: np.random.Generator) -> str:
    return f"{pick(rng, ROAD_FIRST)}{pick(rng, ROAD_SUFFIX)}{int(rng.integers(1, 400))}号"


def unique(make, taken: set[str], tries: int = 200) -> str:
    """Call make() until it returns a name not in `taken`; record and return it."""
    for _ in range(tries):
        name = make()
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("名称池不足以生成不重复的名称")
