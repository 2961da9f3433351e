"""Would an official believe the sample? Geography, identifiers, the clock, magnitudes, counts."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
import shapely

from queries import boundaries
from queries.db import get_engine
from rules import vocab
from rules.identifiers import is_valid_permit, is_valid_uscc
from sample_data import profiles
from sample_data.generate import build

SCALE = 0.2  # about 900 enterprises, 13 parks
AS_OF = dt.date(2026, 11, 24)
STEPS = ("listing_date", "disclosure_date", "start_date", "report_date", "evaluation_date",
         "acceptance_date")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('realism') / 'js.db'}")
    counts = build(engine, scale=SCALE, as_of=AS_OF)

    def read(sql: str) -> pd.DataFrame:
        with engine.connect() as conn:
            result = conn.exec_driver_sql(sql)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    yield read, counts
    engine.dispose()


def table(db, name: str) -> pd.DataFrame:
    return db[0](f"SELECT * FROM {name}")


def dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series)


# -- boundaries --------------------------------------------------------------------------------

def test_jiangsu_has_13_cities_and_95_counties():
    regions = boundaries.province_regions("320000")
    assert regions["level"].value_counts().to_dict() == {"区县": 95, "市": 13, "省": 1}
    assert regions.iloc[0].tolist()[:3] == ["320000", "江苏省", "省"]
    cities = regions[regions["level"] == "市"]
    assert "苏州市" in set(cities["name"]) and "宿迁市" in set(cities["name"])
    counties = regions[regions["level"] == "区县"]
    assert set(counties["parent_adcode"]) == set(cities["adcode"])
    assert (counties["adcode"].str[:4] == counties["parent_adcode"].str[:4]).all()


def test_municipality_city_code():
    beijing = boundaries.province_regions("110000")
    assert beijing.loc[beijing["level"] == "市", "adcode"].tolist() == ["110100"]
    chongqing = boundaries.province_regions("500000")
    assert chongqing.loc[chongqing["level"] == "市", "adcode"].tolist() == ["500100"]
    assert not boundaries.region_geometries(["500100"]).geometry.iloc[0].is_empty


@pytest.mark.parametrize("code", ["320100", "999999", "", "32000"])
def test_unknown_province_is_refused_in_chinese(code):
    with pytest.raises(boundaries.UnknownProvinceError, match="省级行政区划代码"):
        boundaries.province_regions(code)
    assert issubclass(boundaries.UnknownProvinceError, ValueError)


def test_geometries_and_simplified_boundaries():
    gdf = boundaries.region_geometries(["320583", "320100"])
    assert gdf["adcode"].tolist() == ["320583", "320100"]
    assert gdf.crs.to_epsg() == 4326 and gdf.geometry.is_valid.all()
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 116 < minx < maxx < 122.5 and 30.5 < miny < maxy < 35.5
    counties = boundaries.simplified_boundaries("320000", "区县")
    assert len(counties) == 95 and len(counties.to_json()) < 400_000
    assert len(boundaries.simplified_boundaries("320000", "市")) == 13
    with pytest.raises(ValueError):
        boundaries.simplified_boundaries("320000", "乡镇")


# -- geography of the sample -------------------------------------------------------------------

def test_regions_match_cnmaps_with_points_inside(db):
    region = table(db, "region")
    expected = boundaries.province_regions("320000")
    assert region["adcode"].tolist() == expected["adcode"].tolist()
    assert region["name"].tolist() == expected["name"].tolist()
    geoms = boundaries.region_geometries(region["adcode"]).geometry.values
    assert shapely.contains_xy(geoms, region["lon"], region["lat"]).all()


def _inside(geoms: dict, codes, lon, lat) -> np.ndarray:
    return np.array([shapely.contains_xy(geoms[c], x, y) for c, x, y in zip(codes, lon, lat)])


def test_enterprises_sit_in_their_county_and_park(db):
    ent, park = table(db, "enterprise"), table(db, "park")
    county = dict(zip(*[boundaries.region_geometries(ent["county_adcode"].unique())[c]
                        for c in ("adcode", "geometry")]))
    assert _inside(county, ent["county_adcode"], ent["lon"], ent["lat"]).all()
    polygons = {pid: shapely.from_geojson(g) for pid, g in zip(park["park_id"],
                                                                 park["boundary_geojson"])}
    members = ent[ent["park_id"].notna()]
    assert _inside(polygons, members["park_id"].astype(int), members["lon"], members["lat"]).all()
    others = ent[ent["park_id"].isna()]
    anywhere = shapely.union_all(list(polygons.values()))
    assert not shapely.contains_xy(anywhere, others["lon"], others["lat"]).any()
    assert (ent["lon"].round(6) == ent["lon"]).all() and (ent["lat"].round(6) == ent["lat"]).all()
    in_park = ent["park_id"].notna().mean()
    assert 0.2 <= in_park <= 0.5, in_park  # 30–45 % at scale 1, where parks are denser
    chem = ent["industry_code"].isin(profiles.CHEMICAL_INDUSTRIES)
    assert ent.loc[chem, "park_id"].notna().mean() > in_park  # chemicals go to chemical parks


def test_city_is_the_parent_of_the_county(db):
    ent, region = table(db, "enterprise"), table(db, "region")
    parent = dict(zip(region["adcode"], region["parent_adcode"]))
    assert (ent["county_adcode"].map(parent) == ent["city_adcode"]).all()


def test_parks_are_named_polygons_inside_their_county(db):
    park, region = table(db, "park"), table(db, "region")
    assert park["name"].is_unique
    assert park["level"].isin(vocab.PARK_LEVELS).all()
    assert park["park_type"].isin(vocab.PARK_TYPES).all()
    names = dict(zip(region["adcode"], region["name"]))
    for row in park.itertuples():
        poly = shapely.from_geojson(row.boundary_geojson)
        assert json.loads(row.boundary_geojson)["type"] == "Polygon" and poly.is_valid
        county = boundaries.region_geometries([row.county_adcode]).geometry.iloc[0]
        assert county.contains(poly), row.name
        assert poly.contains(shapely.Point(row.lon, row.lat))
        minx, miny, maxx, maxy = poly.bounds
        assert 0.01 < maxy - miny < 0.1  # 1–10 km across
        # Named after the county or the city, the way real parks are.
        city = names[row.city_adcode].removesuffix("市")
        county_stem = names[row.county_adcode][:2]
        assert row.name.startswith((city, county_stem)), row.name


# -- identifiers -------------------------------------------------------------------------------

def test_usccs_and_permit_numbers_are_valid(db):
    ent, permit, cons = table(db, "enterprise"), table(db, "permit"), table(db, "consultancy")
    assert ent["uscc"].map(is_valid_uscc).all()
    assert (ent["uscc"].str[2:8] == ent["county_adcode"]).all()
    assert ent["uscc"].str.startswith("91").all()
    assert cons["uscc"].map(is_valid_uscc).all()
    assert not set(cons["uscc"]) & set(ent["uscc"])
    assert all(is_valid_permit(p, u) for p, u in zip(permit["permit_no"], permit["uscc"]))
    letter = permit["permit_no"].str[-1]
    assert ((letter == "W") == (permit["kind"] == "登记")).all()
    assert set(ent["uscc"]) == set(permit["uscc"])  # every enterprise files a permit


def test_permits_run_five_years(db):
    permit = table(db, "permit")
    issue, expiry = dates(permit["issue_date"]), dates(permit["expiry_date"])
    assert issue.min() >= pd.Timestamp(2017, 1, 1) and issue.max() <= pd.Timestamp(AS_OF)
    has = expiry.notna()
    assert ((expiry[has] - issue[has]).dt.days.between(1825, 1827)).all()
    assert (permit.loc[~has, "kind"] == "登记").all()
    expired = (expiry < pd.Timestamp(AS_OF)).mean()
    soon = expiry.between(pd.Timestamp(AS_OF), pd.Timestamp(AS_OF) + pd.Timedelta(days=183))
    # most permits are renewed in time; a few sites let theirs lapse
    assert 0.005 < expired < 0.08 and 0.03 < soon.mean() < 0.2


def test_names_are_unique_and_fictional(db):
    ent, cons = table(db, "enterprise"), table(db, "consultancy")
    assert ent["name"].is_unique and cons["name"].is_unique
    assert ent["name"].str.endswith("有限公司").all()
    assert ent["scale"].isin(vocab.ENTERPRISE_SCALES).all()
    assert ent["permit_class"].isin(vocab.PERMIT_CLASSES).all()
    assert (ent["permit_class"] != "登记管理").mean() > 0.8
    assert ent["address"].str.startswith("江苏省").all()


# -- the audit clock ---------------------------------------------------------------------------

def test_round_dates_are_ordered_and_not_after_as_of(db):
    rounds = table(db, "audit_round")
    frame = pd.DataFrame({c: dates(rounds[c]) for c in STEPS})
    for earlier, later in zip(STEPS, STEPS[1:]):
        both = frame[earlier].notna() & frame[later].notna()
        assert (frame.loc[both, earlier] <= frame.loc[both, later]).all(), (earlier, later)
        # A later milestone never exists without the earlier one.
        assert not (frame[earlier].isna() & frame[later].notna()).any(), (earlier, later)
    assert (frame.max() <= pd.Timestamp(AS_OF)).all()
    for name in ("permit", "penalty", "listing_batch", "expert", "audit_option", "cluster_audit"):
        df = table(db, name)
        for col in [c for c in df.columns if c.endswith("_date") and c != "expiry_date"]:
            assert (dates(df[col]).dropna() <= pd.Timestamp(AS_OF)).all(), (name, col)


def test_listing_follows_the_batches(db):
    rounds, batch = table(db, "audit_round"), table(db, "listing_batch")
    publish = dict(zip(batch["batch_id"], batch["publish_date"]))
    assert (rounds["batch_id"].map(publish) == rounds["listing_date"]).all()
    assert batch["year"].min() == 2021 and batch["year"].max() == 2026
    assert batch["name"].str.fullmatch(r"20\d\d年第[一二]批").all()


def test_most_rounds_keep_the_clock(db):
    r = table(db, "audit_round")
    listing = dates(r["listing_date"])
    reported = r["report_date"].notna()
    late = (dates(r["report_date"]) - listing).dt.days > 366
    assert 0.78 < 1 - late[reported].mean() < 0.95
    disclosed_late = (dates(r["disclosure_date"]) - listing).dt.days > 31
    assert 0.02 < disclosed_late[r["disclosure_date"].notna()].mean() < 0.2
    old = listing < pd.Timestamp(2024, 1, 1)
    never = r["start_date"].isna() & old
    assert 0 < never.sum() < 0.08 * old.sum()  # a few never started


def test_results_are_worded_locally_and_consistent(db):
    r = table(db, "audit_round")
    for stage in ("evaluation", "acceptance"):
        done = r[r[f"{stage}_date"].notna()]
        words = done[f"{stage}_result"]
        assert ((words.isin(vocab.PASS_WORDS)) == done[f"{stage}_pass"].astype(bool)).all()
        assert done[f"{stage}_score"].between(60, 98).all()
        failed = done[~done[f"{stage}_pass"].astype(bool)]
        assert ((failed[f"{stage}_score"] < 70) | failed[f"{stage}_veto"].astype(bool)).all()
        assert set(words) >= {"通过", "不通过"} or stage == "acceptance"
    evaluated = r[r["evaluation_date"].notna()]
    assert 0.85 < evaluated["evaluation_pass"].mean() < 0.95
    accepted = r[r["acceptance_date"].notna()]
    assert 0.9 < accepted["acceptance_pass"].mean() < 0.99
    assert (r.loc[r["acceptance_date"].notna(), "evaluation_pass"] == 1).all()
    levels = accepted.loc[accepted["acceptance_pass"] == 1, "cp_level"]
    assert levels.notna().all() and levels.value_counts().idxmax() == "Ⅱ级"
    assert r.loc[r["acceptance_pass"] != 1, "cp_level"].isna().all()
    assert "合格" in set(r["evaluation_result"])  # 盐城/宿迁 word it their way


def test_failed_rounds_are_relisted_later(db):
    r = table(db, "audit_round").set_index("audit_id")
    relisted = r[r["relisted_from"].notna()]
    assert len(relisted) > 0
    for aid, row in relisted.iterrows():
        prev = r.loc[int(row["relisted_from"])]
        assert prev["uscc"] == row["uscc"] and prev["round_no"] == row["round_no"] - 1
        assert prev["listing_date"] < row["listing_date"]
        failed = prev["evaluation_pass"] == 0 or prev["acceptance_pass"] == 0
        assert failed or pd.isna(prev["report_date"]), aid
    rounds_per = r.groupby("uscc")["round_no"].agg(["min", "max", "count"])
    assert (rounds_per["min"] == 1).all() and (rounds_per["max"] == rounds_per["count"]).all()
    assert (rounds_per["count"] == 1).mean() > 0.7
    five_year = r[(r["round_no"] > 1) & r["relisted_from"].isna()]
    assert (five_year["listing_reason"] == "双有").all()
    assert (dates(five_year["listing_date"]).dt.year == 2026).all()
    shares = r["listing_reason"].value_counts(normalize=True)
    assert shares["双有"] > shares["双超"] > shares["高耗能"] > shares["自愿"] > 0


def test_recent_batches_are_still_open(db):
    r = table(db, "audit_round")
    recent = r[dates(r["listing_date"]).dt.year == 2026]
    assert recent["acceptance_date"].isna().all()
    assert recent["start_date"].notna().any() and recent["start_date"].isna().any()
    assert r.loc[dates(r["listing_date"]).dt.year == 2025, "evaluation_date"].notna().any()


def test_clusters_share_their_members_dates(db):
    clusters, r, ent = table(db, "cluster_audit"), table(db, "audit_round"), table(db,
                                                                                   "enterprise")
    assert set(clusters["kind"]) == {"园区", "行业"}
    r = r.merge(ent[["uscc", "park_id", "industry_code", "city_adcode"]], on="uscc")
    for c in clusters.itertuples():
        members = r[r["cluster_id"] == c.cluster_id]
        assert profiles.CLUSTER_SIZE[0] <= len(members) <= profiles.CLUSTER_SIZE[1]
        mode = "园区整体审核" if c.kind == "园区" else "行业整体审核"
        assert (members["audit_mode"] == mode).all()
        for col in ("start_date", "evaluation_date", "acceptance_date"):
            own = getattr(c, col)
            same = members[col].isna() if pd.isna(own) else members[col] == own
            assert same.all(), (c.name, col)
        assert (members["consultancy_id"] == c.consultancy_id).all()
        for col in ("evaluation_pass", "acceptance_pass"):
            own = getattr(c, col)
            same = members[col].isna() if pd.isna(own) else members[col] == own
            assert same.all(), (c.name, col)
        if pd.notna(c.evaluation_pass) and c.evaluation_pass:
            assert pd.notna(c.acceptance_date) or pd.isna(c.start_date) or (
                dates(members["evaluation_date"]).max() > pd.Timestamp(AS_OF) - pd.Timedelta(
                    days=450))  # accepted unless the evaluation was recent
        assert (members["city_adcode"] == c.city_adcode).all()
        if c.kind == "园区":
            assert (members["park_id"] == c.park_id).all()
        else:
            assert (members["industry_code"] == c.industry_code).all()
    solo = r[r["cluster_id"].isna()]
    assert (solo["audit_mode"] == "单独审核").all()


# -- options and outcomes ----------------------------------------------------------------------

def test_options_per_audit(db):
    opt, r = table(db, "audit_option"), table(db, "audit_round")
    assert set(opt["audit_id"]) == set(r.loc[r["report_date"].notna(), "audit_id"])
    per = opt.groupby(["audit_id", "cost_class"]).size().unstack()
    assert per["无/低费"].between(15, 40).all() and per["中/高费"].between(2, 8).all()
    low, high = opt[opt["cost_class"] == "无/低费"], opt[opt["cost_class"] == "中/高费"]
    assert low["investment_wan"].between(0.1, 10).all()
    assert high["investment_wan"].between(10, 3000).all()
    assert high["investment_wan"].median() < high["investment_wan"].mean()  # right-skewed
    assert (low["status"] == "已实施").mean() > 0.8
    assert opt["category"].isin(vocab.OPTION_CATEGORIES).all()
    assert opt["status"].isin(vocab.OPTION_STATUSES).all()
    assert opt.groupby("audit_id")["title"].apply(lambda t: t.is_unique).all()


def test_implementation_dates_follow_the_round(db):
    opt = table(db, "audit_option").merge(table(db, "audit_round"), on="audit_id")
    done = opt["status"] == "已实施"
    assert (done == opt["implemented_date"].notna()).all()
    when = dates(opt["implemented_date"])
    assert (when[done] >= dates(opt["start_date"])[done]).all()
    assert (when[done] <= pd.Timestamp(AS_OF)).all()
    high = done & (opt["cost_class"] == "中/高费")
    assert (when[high] >= dates(opt["evaluation_date"])[high]).all()
    accepted = high & opt["acceptance_date"].notna()
    assert (when[accepted] <= dates(opt["acceptance_date"])[accepted]).all()


def test_reductions_have_the_documented_magnitudes(db):
    opt = table(db, "audit_option")
    n = opt["audit_id"].nunique()
    per_audit = opt.groupby("audit_id")[list(profiles.OUTCOME_MEANS)].sum()
    for column, target in profiles.OUTCOME_MEANS.items():
        mean = opt[column].sum() / n
        assert 0.85 * target <= mean <= 1.15 * target, (column, mean, target)
    energy = per_audit["energy_tce"]
    assert energy.quantile(0.9) / energy.quantile(0.1) > 8  # about an order of magnitude
    assert (opt[["electricity_mwh", "co2_t", "econ_benefit_wan"]].fillna(0) >= 0).all().all()
    saved = opt["energy_tce"].fillna(0)
    co2 = opt["co2_t"].fillna(0)
    assert co2.sum() / saved.sum() == pytest.approx(3.0, rel=0.4)


def test_industry_profiles_show(db):
    opt = table(db, "audit_option").merge(table(db, "audit_round")[["audit_id", "uscc"]])
    opt = opt.merge(table(db, "enterprise")[["uscc", "industry_code"]])
    by = opt.groupby("industry_code")
    assert by["heavy_metals_kg"].sum()[["plating", "nonfer"]].min() > 0
    assert by["heavy_metals_kg"].sum().get("print", 0) == 0  # printing has no heavy metals
    assert by["so2_t"].sum().get("coating", 0) == 0
    assert by["vocs_t"].sum()["print"] > by["vocs_t"].sum().get("food", 0)
    energy = by["energy_tce"].sum() / by["audit_id"].nunique()
    assert energy["energy"] > 5 * energy["print"]


# -- people, credit, penalties, plans ----------------------------------------------------------

def test_panels_have_three_to_five_experts_and_one_leader(db):
    panel, expert = table(db, "panel_assignment"), table(db, "expert")
    key = panel["audit_id"].fillna(-panel["cluster_id"])
    groups = panel.groupby([key, panel["stage"]])
    assert groups.size().between(3, 5).all()
    assert (groups["role"].apply(lambda s: (s == "组长").sum()) == 1).all()
    r = table(db, "audit_round")
    solo = r[r["cluster_id"].isna()]
    reviews = solo["evaluation_date"].notna().sum() + solo["acceptance_date"].notna().sum()
    assert (panel["audit_id"].notna() & (panel["role"] == "组长")).sum() == reviews
    assert expert["status"].value_counts().idxmax() == "在库"
    assert expert["score"].between(0, 12).all()
    assert expert["title"].isin(["教授级高级工程师", "高级工程师", "教授", "副教授"]).all()


def test_credit_grades_follow_the_national_shares(db):
    credit = table(db, "credit_rating")
    assert sorted(credit["year"].unique()) == [2021, 2022, 2023, 2024, 2025]
    shares = credit["grade"].value_counts(normalize=True)
    for grade, share in profiles.CREDIT_SHARES:
        assert abs(shares.get(grade, 0) - share) < 0.05, (grade, shares.get(grade))


def test_penalties_are_lawful(db):
    pen = table(db, "penalty")
    assert pen["kind"].isin(vocab.PENALTY_KINDS).all()
    audit = pen[pen["kind"] == "未按规定实施审核"]["amount_yuan"]
    assert audit.between(50_000, 500_000).all()
    assert (pen.loc[pen["kind"] == "未按规定公布信息", "amount_yuan"] <= 100_000).all()
    assert pen["authority"].str.endswith("生态环境局").all()


def test_plan_targets_add_up(db):
    target, period = table(db, "plan_target"), table(db, "plan_period")
    assert period["name"].tolist() == ["2021—2023年实施方案", "2024—2026年实施方案"]
    province = target[target["industry_code"].isna()]
    assert (province["region_adcode"] == "320000").all() and len(province) == 6
    cities = target[target["industry_code"].notna()]
    sums = cities.groupby(["period_id", "year"])["audits_listed"].sum()
    assert (province.set_index(["period_id", "year"])["audits_listed"] == sums).all()


def test_counts_fit_the_scale(db):
    _, counts = db
    expected = {"region": (109, 109), "industry": (13, 13), "park": (11, 15),
                "enterprise": (880, 920), "consultancy": (7, 9), "expert": (30, 34),
                "listing_batch": (8, 12), "plan_period": (2, 2), "penalty": (3, 25)}
    for name, (lo, hi) in expected.items():
        assert lo <= counts[name] <= hi, (name, counts[name])
    assert 1.05 < counts["audit_round"] / counts["enterprise"] < 1.4
    assert 25 < counts["audit_option"] / counts["audit_round"] < 35
    assert counts["cluster_audit"] >= 1


# -- the complete clock: holidays, re-audits, a province with fixed batch dates ------------------

def _status(db, rules, as_of=AS_OF):
    from rules.clock import derive_status

    rounds = db[0]("SELECT r.*, b.name AS batch_name FROM audit_round r "
                   "JOIN listing_batch b ON b.batch_id = r.batch_id")
    return derive_status(rounds, as_of, rules)


def test_lists_are_published_on_working_days_and_one_deadline_falls_on_national_day(db):
    from rules.calendar import is_working_day
    from rules.clock import ClockRules, deadlines

    batch = table(db, "listing_batch")
    published = pd.to_datetime(batch["publish_date"]).dt.date
    assert all(is_working_day(d) for d in published)
    first = dict(zip(batch["name"], published))
    assert first["2021年第一批"] == dt.date(2021, 1, 4)
    # The first autumn list (1 September 2021): disclosure due on National Day, moved to
    # 8 October; the clock shows the moved date for each of its rounds.
    assert first["2021年第二批"] == dt.date(2021, 9, 1)
    assert deadlines(dt.date(2021, 9, 1), ClockRules())["disclosure"] == (
        dt.date(2021, 10, 1), dt.date(2021, 10, 8))
    st_ = _status(db, ClockRules(), dt.date(2021, 10, 5))
    autumn = st_[st_["batch_name"] == "2021年第二批"]
    assert len(autumn) and (autumn.loc[autumn["stage"] == "listed", "next_due"]
                            == pd.Timestamp("2021-10-08")).all()


def test_reaudits_come_due_in_the_sample(db):
    from rules.clock import ClockRules

    st_ = _status(db, ClockRules())
    soon = st_[st_["reaudit_state"] == "soon"]
    assert len(soon) >= 1 and (soon["listing_reason"] == "双有").all()
    assert (soon["reaudit_due"] <= pd.Timestamp(AS_OF) + pd.Timedelta(days=180)).all()
    # Half a year later, several have lapsed: the overview's 再审核逾期 has something to count.
    later = _status(db, ClockRules(), AS_OF + dt.timedelta(days=200))
    assert (later["reaudit_state"] == "lapsed").sum() >= len(soon)


def test_a_hebei_sample_runs_on_the_example_batch_dates(tmp_path):
    from rules.clock import batch_problems, derive_status, load_clock_rules

    engine = get_engine(f"sqlite:///{tmp_path / 'hebei.db'}")
    build(engine, province="130000", scale=0.05, as_of=AS_OF)
    with engine.connect() as conn:
        rounds = pd.read_sql("SELECT r.*, b.name AS batch_name FROM audit_round r "
                             "JOIN listing_batch b ON b.batch_id = r.batch_id", conn)
        batches = pd.read_sql("SELECT name, publish_date FROM listing_batch", conn)
    engine.dispose()
    hebei = load_clock_rules("130000")
    assert batch_problems(hebei, batches) == []  # the example names the sample's batches
    st_ = derive_status(rounds, dt.date(2022, 1, 10), hebei)
    autumn = st_[(st_["batch_name"] == "2021年第二批") & (st_["next_milestone"] == "start")]
    assert len(autumn)
    # The example fixes the start on 2022-01-31 (Spring Festival 2022): due 2022-02-07.
    assert (autumn["next_due"] == pd.Timestamp("2022-02-07")).all()
    assert (autumn["next_due_original"] == pd.Timestamp("2022-01-31")).all()
