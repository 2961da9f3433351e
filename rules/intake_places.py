"""Kinds of record for data intake: 计划目标 (targets), 园区 (parks), 整体审核 (clusters).
Each Kind is registered with rules.intake; its planner is in queries/intake_places.py. A park's
boundary comes in a file of its own (GeoJSON or a zipped shapefile): read_boundaries."""

from __future__ import annotations

import io
import math
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rules import indicators as ind
from rules import vocab
from rules.identifiers import uscc_problem
from rules.intake import Column, Kind, Problem, decode_text, fold, header_label, register
from rules.uploads import UploadLimits

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
         "市级用户只能导入本市及所辖区县的目标。"), label="")

register(TARGETS)


# ---- 园区 (parks) ---------------------------------------------------------------------------

PARKS = Kind("parks", "园区", "园区", (
    Column("name", "园区名称", "园区的正式全称（识别园区；带园区编号时可改名）", key=True,
           required=True, example="苏州示例化工园区", synonyms=("园区", "名称", "园区全称")),
    Column("park_id", "园区编号", "已有园区的编号（含现有记录的模板中列出）；新增园区留空",
           kind="int", low=1, high=999_999_999, example=None, synonyms=("编号", "园区ID")),
    Column("level", "园区级别", "园区的批准级别", kind="choice", choices=vocab.PARK_LEVELS,
           required=True, example="省级", synonyms=("级别",)),
    Column("park_type", "园区类型", "园区的类型", kind="choice", choices=vocab.PARK_TYPES,
           required=True, example="化工园区", synonyms=("类型",)),
    Column("city", "所在设区市", "园区所在的设区市", kind="ref", ref="city", required=True,
           example="苏州市", synonyms=("设区市", "所在城市", "城市")),
    Column("county", "所在区县", "园区管理机构所在的区县，须在所填设区市内", kind="ref",
           ref="county", required=True, example="吴江区",
           synonyms=("区县", "所属区县", "行政区划")),
    Column("lon", "经度（度）", "园区代表点经度，GCJ-02（高德、腾讯地图取点）；"
           "上传边界文件时留空则取边界内的一点", kind="number", unit="度", low=73, high=136,
           clearable=True, example=120.68, synonyms=("经度坐标", "东经")),
    Column("lat", "纬度（度）", "园区代表点纬度，GCJ-02", kind="number", unit="度", low=3,
           high=54, clearable=True, example=30.98, synonyms=("纬度坐标", "北纬")),
    Column("has_boundary", "已有边界", "仅供核对：数据库中是否已有园区边界（有/无），不写入；"
           "边界随边界文件上传", kind="info", example="无", synonyms=("边界",)),
), note=("每行一个园区，以园区名称识别（填写园区编号时按编号识别，可修改名称）：已有的园区被修改，"
         "其余行新增园区。园区边界另以文件上传：GeoJSON（.geojson）或压缩的 Shapefile（.zip，"
         "含 .shp、.shx、.dbf，宜含 .prj），每个面要素带「园区名称」（或「名称」）属性，"
         "坐标为 GCJ-02 经纬度；边界文件中的园区须在表格中有一行（可只填园区名称）。"), label="")

# A boundary file: the property naming the park (a shapefile's field names hold 10 bytes, so
# 园区名称 in UTF-8 does not fit: 名称 and 园区 are read too).
NAME_FIELDS = ("园区名称", "园区名", "名称", "园区", "NAME", "YQMC", "MC", "PARK_NAME")
MAX_PARK_KM2 = 1_000.0  # the largest development zones are a few hundred km²
EQUAL_AREA = "EPSG:6933"  # for areas (WGS 84 / NSIDC EASE-Grid 2.0, equal-area)
DIGITS = 6  # about 0.1 m


@dataclass(frozen=True)
class Boundary:
    """One park's boundary as read from the file: GeoJSON text (GCJ-02 degrees), a point inside
    it, its area and extent, and the features it came from."""

    name: str
    geojson: str
    lon: float
    lat: float
    area_km2: float
    bounds: tuple[float, float, float, float]
    features: tuple[int, ...]
    converted: str = ""  # the projected CRS it was converted from ("" if in degrees)


def read_boundaries(data: bytes, file_name: str = "", limits: UploadLimits | None = None
                    ) -> tuple[list[Boundary], list[Problem]]:
    """The park boundaries of a GeoJSON file or a zipped shapefile: polygons by park name,
    features of one name merged. Errors (a file that is not one, a feature without a name or
    not a polygon, self-intersecting, absurdly large) come back as Problems naming the feature."""
    import geopandas as gpd  # local: keeps the rules package light to import
    import shapely

    limits = limits or UploadLimits()
    where = f"边界文件{file_name and '「' + file_name + '」'}"
    if not data:
        return [], [Problem(f"{where}为空（0 字节）。")]
    if len(data) > limits.max_bytes:
        return [], [Problem(f"{where}过大（上限 {limits.max_mb} MB）。")]
    frame, problems = _read_geo(data, limits, where)
    if frame is None:
        return [], problems
    name_col = next((c for c in frame.columns if c != "geometry" and header_label(c)
                     in {header_label(n) for n in NAME_FIELDS}), None)
    if name_col is None:
        fields = "、".join(str(c) for c in frame.columns if c != "geometry") or "（无）"
        return [], [Problem(f"{where}的要素没有「园区名称」属性（现有属性：{fields}）。"
                            "请为每个面要素填写园区名称（Shapefile 字段可命名为「名称」）。")]
    converted = ""
    if frame.crs is not None and frame.crs.is_projected:
        converted = frame.crs.to_string()
        frame = frame.to_crs("EPSG:4326")
    out_problems: list[Problem] = []
    groups: dict[str, list[int]] = {}
    for i, (name, geom) in enumerate(zip(frame[name_col], frame.geometry, strict=True),
                                     start=1):
        text = "" if name is None or (isinstance(name, float) and math.isnan(name)) else \
            str(name).strip()
        if not text:
            out_problems.append(feature_problem(where, (i,), "", "没有园区名称，请填写。"))
            continue
        if geom is None or geom.is_empty:
            out_problems.append(feature_problem(where, (i,), text, "没有几何图形（空要素）。"))
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            out_problems.append(feature_problem(
                where, (i,), text, f"是{GEOM_WORDS.get(geom.geom_type, geom.geom_type)}，"
                "不是面：园区边界须为多边形。"))
        elif not _in_degrees(geom.bounds):
            out_problems.append(feature_problem(
                where, (i,), text, "坐标不是经纬度（应为 GCJ-02 经纬度，或带 .prj 的投影坐标），"
                "请核对坐标系。"))
        elif not shapely.is_valid(geom):
            out_problems.append(feature_problem(
                where, (i,), text, f"多边形无效（{shapely.is_valid_reason(geom)}），"
                "请在 GIS 软件中修复（如自相交）后再上传。"))
        else:
            groups.setdefault(text, []).append(i - 1)
    boundaries = []
    for name, idx in groups.items():
        geom = shapely.union_all(list(frame.geometry.iloc[idx]))
        geom = shapely.set_precision(geom, 10 ** -DIGITS)
        area = float(gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(EQUAL_AREA).area.iloc[0]
                     ) / 1e6
        features = tuple(i + 1 for i in idx)
        if area > MAX_PARK_KM2:
            out_problems.append(feature_problem(
                where, features, name, f"面积约 {area:,.0f} 平方千米，超过 {MAX_PARK_KM2:,.0f} "
                "平方千米，不像一个园区的边界：请核对是否误传了区县边界，或坐标单位有误。"))
            continue
        point = geom.representative_point()
        boundaries.append(Boundary(name, shapely.to_geojson(geom), round(point.x, DIGITS),
                                   round(point.y, DIGITS), round(area, 3), tuple(geom.bounds),
                                   features, converted))
    return boundaries, out_problems


def feature_problem(where: str, features: tuple[int, ...], name: str, message: str) -> Problem:
    """A problem with features of a boundary file, said as 边界文件「b.zip」第 3 个要素（园区名称
    「…」）：… (a file of features has no rows or columns to point at)."""
    which = "、".join(str(i) for i in features)
    named = f"（园区名称「{name}」）" if name else ""
    return Problem(f"{where}第 {which} 个要素{named}：{message}")


GEOM_WORDS = {"Point": "点", "MultiPoint": "点", "LineString": "线", "MultiLineString": "线",
              "GeometryCollection": "几何集合"}


def _in_degrees(bounds: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = bounds
    return -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90


def _read_geo(data: bytes, limits: UploadLimits, where: str):
    """A GeoDataFrame of the file, or (None, why not)."""
    import geopandas as gpd

    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _read_zipped_shapefile(data, limits, where)
    text, _encoding = decode_text(data)
    if text is None or not text.lstrip().startswith("{"):
        return None, [Problem(f"{where}不是 GeoJSON 文件，也不是压缩的 Shapefile（.zip）。"
                              "请上传 .geojson 文件，"
                              "或把 .shp、.shx、.dbf、.prj 一起压缩成 .zip。")]
    try:
        return gpd.read_file(io.BytesIO(text.encode("utf-8")), engine="pyogrio"), []
    except Exception:  # noqa: BLE001 - GDAL raises many kinds on malformed input
        return None, [Problem(f"{where}不是有效的 GeoJSON（无法读取），请用 GIS 软件重新导出。")]


SHAPE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def _read_zipped_shapefile(data: bytes, limits: UploadLimits, where: str):
    import geopandas as gpd

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = [m for m in z.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > limits.max_unzipped_bytes:
                return None, [Problem(f"{where}解压后过大（上限 "
                                      f"{limits.max_unzipped_bytes // (1024 * 1024)} MB）。")]
            shps = [m for m in members if m.filename.lower().endswith(".shp")
                    and not m.filename.startswith("__MACOSX")]
            if len(shps) != 1:
                return None, [Problem(f"{where}中有 {len(shps)} 个 .shp 文件，应恰好一个："
                                      "请把一个图层的 .shp、.shx、.dbf、.prj 压缩成 .zip 上传。")]
            stem = shps[0].filename[:-4]
            parts = {m.filename[len(stem):].lower(): m for m in members
                     if m.filename[:len(stem)] == stem
                     and m.filename[len(stem):].lower() in SHAPE_PARTS}
            missing = [p for p in (".shx", ".dbf") if p not in parts]
            if missing:
                return None, [Problem(f"{where}缺少 {'、'.join(missing)} 文件：Shapefile 的 "
                                      ".shp、.shx、.dbf 须一起压缩。")]
            with tempfile.TemporaryDirectory() as folder:
                for ext, m in parts.items():
                    (Path(folder) / f"boundary{ext}").write_bytes(z.read(m))
                path = str(Path(folder) / "boundary.shp")
                if ".cpg" in parts:
                    return gpd.read_file(path, engine="pyogrio"), []
                # no code page: Chinese GIS software mostly writes GBK; UTF-8 first
                for encoding in ("utf-8", "gb18030"):
                    try:
                        return gpd.read_file(path, engine="pyogrio", encoding=encoding), []
                    except UnicodeDecodeError:
                        continue
                raise ValueError("encoding")
    except Exception:  # noqa: BLE001 - zipfile and GDAL raise many kinds on broken input
        return None, [Problem(f"{where}已损坏或不是有效的 Shapefile 压缩包，请重新导出后再上传。")]


register(PARKS)


# ---- 整体审核 (clusters) --------------------------------------------------------------------

MEMBER_SEPARATORS = re.compile(r"[、,，;；\s]+")


def _cluster_result(stage: str, word: str) -> tuple[Column, ...]:
    return (
        Column(f"{stage}_date", f"{word}日期", f"整体审核{word}的日期；填写时须同时填写{word}结论",
               kind="date", clearable=True, example="2024-10-15",
               synonyms=(f"{word}时间", f"{word}会日期")),
        Column(f"{stage}_result", f"{word}结论", f"{word}结论，按当地用语", kind="choice",
               choices=vocab.RESULT_WORDS, clearable=True, example="通过",
               synonyms=(f"{word}结果", f"是否通过{word}")),
    )


CLUSTERS = Kind("clusters", "整体审核", "整体审核", (
    Column("name", "整体审核名称", "园区或行业整体清洁生产审核的名称（识别记录；带编号时可改名）",
           key=True, required=True, example="苏州示例化工园区2024年园区整体清洁生产审核",
           synonyms=("名称", "整体审核")),
    Column("cluster_id", "整体审核编号", "已有整体审核的编号（含现有记录的模板中列出）；新增留空",
           kind="int", low=1, high=999_999_999, synonyms=("编号",)),
    Column("kind", "整体审核类型", "园区整体审核或行业整体审核", kind="choice",
           choices=vocab.CLUSTER_KINDS, required=True, example="园区", synonyms=("类型",)),
    Column("park", "园区", "园区整体审核的园区（行业整体审核不填）", kind="ref", ref="park",
           clearable=True, example="苏州示例化工园区", synonyms=("园区名称", "所在园区")),
    Column("industry", "行业", "行业整体审核的行业（园区整体审核可不填）", kind="ref",
           ref="industry", clearable=True, example="化工", synonyms=("所属行业",)),
    Column("city", "所在设区市", "整体审核所在的设区市；填写园区时可不填（取园区所在市）",
           kind="ref", ref="city", example="苏州市", synonyms=("设区市", "城市")),
    Column("consultancy", "咨询机构", "承担整体审核的咨询机构", kind="ref", ref="consultancy",
           clearable=True, example="", synonyms=("咨询服务机构", "技术服务机构")),
    Column("start_date", "启动日期", "整体审核启动的日期", kind="date", clearable=True,
           example="2024-04-01", synonyms=("启动审核日期", "开始日期")),
    *_cluster_result("evaluation", "评估"),
    *_cluster_result("acceptance", "验收"),
    Column("members", "成员企业", "参加整体审核的企业的统一社会信用代码，用顿号（、）分隔；"
           "填写即以此为全部成员（各企业最近一轮审核计入本整体审核），留空保留原成员，"
           "填（清空）移出全部成员", clearable=True, max_len=20_000, example="",
           synonyms=("成员", "成员企业信用代码", "参加企业")),
), note=("每行一项园区或行业整体审核，以名称识别（填写编号时按编号识别，可改名）："
         "已有的被修改，其余行新增。成员企业一栏列出全部成员的统一社会信用代码（用、分隔），"
         "各企业最近一轮审核计入本整体审核；日期须按 启动 ≤ 评估 ≤ 验收 的顺序。"
         "市级用户只能导入本市的整体审核。"), label="")


def member_codes(text: str) -> tuple[list[str], list[str]]:
    """The USCCs of a 成员企业 cell (folded, in order, each once) and the pieces that are not
    valid USCCs (with the reason)."""
    codes, bad = [], []
    for piece in MEMBER_SEPARATORS.split(fold(text).upper()):
        if not piece:
            continue
        problem = uscc_problem(piece)
        if problem:
            bad.append(f"{piece}（{problem}）")
        elif piece not in codes:
            codes.append(piece)
    return codes, bad


register(CLUSTERS)
