"""The filter language: parsing, name resolution, errors, and matching."""
import pytest

from feeds.filters import FilterError, PolicyFilter, city_of
from storage.published import PolicyEntry


def entry(**overrides):
    values = dict(
        policy_id="p1", title="湖南省科学技术厅关于组织申报2026年高新技术企业认定奖励的通知",
        canonical_url="https://kjt.hunan.gov.cn/a.html", issuer="湖南省科学技术厅", doc_number="湘科发〔2026〕3号",
        publish_date="2026-03-01", first_seen="2026-03-02T01:00:00+00:00", updated_at=None, revision=0,
        update_summary=None, province="湖南省", city=None, county=None, level="provincial", doc_type="申报指南",
        topics=["hitech-enterprise"], incentives=[{"amount_wan": 30}], deadlines=["2026-04-30"],
        has_incentive=True, max_amount_wan=30.0, is_relevant=True, relevance=0.9, period=None,
        expiry_date=None, source_id="hunan_kjt", source_kind="government", text_head="对首次认定的高新技术企业给予30万元奖励。",
    )
    values.update(overrides)
    return PolicyEntry(**values)


def test_empty_filter_matches_everything():
    assert PolicyFilter().is_empty()
    assert PolicyFilter().matches(entry())
    assert PolicyFilter.parse("").is_empty()


def test_short_region_names_resolve_to_official_names():
    f = PolicyFilter.parse("province=湖南,广西 city=湛江")
    assert f.provinces == ("湖南省", "广西壮族自治区")
    assert f.cities == ("湛江市",)
    assert f.matches(entry())
    assert f.matches(entry(province="广东省", city="湛江市", level="municipal"))
    assert not f.matches(entry(province="广东省", city="广州市"))


def test_national_is_opt_in():
    hunan = PolicyFilter.build(provinces=["湖南"])
    national = entry(province=None, level="national", issuer="科技部")
    assert not hunan.matches(national)
    assert PolicyFilter.build(provinces=["湖南", "全国"]).matches(national)


def test_municipality_counts_as_city():
    f = PolicyFilter.build(cities=["北京"])
    assert f.cities == ("北京市",)
    assert f.matches(entry(province="北京市", city=None, level="provincial"))


def test_keys_and_values_combine_as_all_of_any_of():
    f = PolicyFilter.from_mapping({"topics": ["高新技术企业", "talent"], "doc_types": ["申报指南"], "min_amount": "20万元"})
    assert f.topics == ("hitech-enterprise", "talent")
    assert f.min_amount == 20
    assert f.matches(entry())
    assert not f.matches(entry(max_amount_wan=10.0))
    assert not f.matches(entry(doc_type="解读"))
    assert not f.matches(entry(topics=["green"]))


def test_keywords_and_exclusions_read_title_and_text():
    assert PolicyFilter.parse("keyword=30万元").matches(entry())
    assert not PolicyFilter.parse("keyword=贴息").matches(entry())
    assert not PolicyFilter.parse("exclude=认定").matches(entry())
    assert PolicyFilter.parse("exclude=公示").matches(entry())


def test_incentives_only():
    f = PolicyFilter.parse("incentives")
    assert f.incentives_only
    assert not f.matches(entry(has_incentive=False, max_amount_wan=None))


@pytest.mark.parametrize("text, message", [
    ("province=火星", "unknown province '火星'"),
    ("topic=crypto", "unknown topic 'crypto'"),
    ("type=公函", "unknown value '公函'"),
    ("colour=red", "unknown filter key 'colour'"),
    ("min_amount=lots", "expected an amount"),
    ("min_amount=-5", "must not be negative"),
    ("min_amount=nan", "finite amount"),
    ("min_amount=inf", "finite amount"),
    ("province=", "no value"),
    ("city=纽约", "unknown city '纽约'"),
])
def test_bad_filters_name_the_problem(text, message):
    with pytest.raises(FilterError, match=message):
        PolicyFilter.parse(text)


def test_mapping_round_trip_and_description():
    f = PolicyFilter.parse("province=湖南 topic=hitech-enterprise min=50 keyword=认定 exclude=公示 incentives")
    assert PolicyFilter.from_mapping(f.to_mapping()) == f
    assert f.describe() == "湖南省 · 高新技术企业 · 有资金支持 · ≥50万元 · 含 认定 · 不含 公示"


def test_non_mapping_is_an_error():
    with pytest.raises(FilterError, match="mapping"):
        PolicyFilter.from_mapping(["湖南"])


def test_config_files_may_write_a_mapping_or_one_line():
    line = PolicyFilter.from_config("province=广东 min_amount=20")
    assert line == PolicyFilter.from_config({"provinces": ["广东"], "min_amount": 20})
    assert PolicyFilter.from_config(None).is_empty()
    with pytest.raises(FilterError, match="mapping or one line"):
        PolicyFilter.from_config(42)


def test_defaults_fill_only_keys_the_filter_does_not_give():
    incentives = {"incentives_only": True}
    assert PolicyFilter.from_config({"provinces": ["广东"]}, incentives).incentives_only
    assert PolicyFilter.from_config("province=广东", incentives).incentives_only
    assert not PolicyFilter.from_config({"incentives_only": False}, incentives).incentives_only
    assert not PolicyFilter.from_config("incentives=false", incentives).incentives_only


# ---------------------------------------------------------------------------------------------
# open calls
# ---------------------------------------------------------------------------------------------

def test_open_is_written_as_a_switch_a_word_or_yaml():
    for text in ("open", "open=1", "open=true", "open_only=yes", "province=湖南 open"):
        assert PolicyFilter.parse(text).open_only, text
    assert PolicyFilter.from_config({"open": True}).open_only
    assert PolicyFilter.from_config({"open": "是"}).open_only
    assert not PolicyFilter.parse("open=0").open_only and not PolicyFilter.from_config({"open": False}).open_only
    with pytest.raises(FilterError, match="open_only: expected true or false, got 'maybe'"):
        PolicyFilter.parse("open=maybe")
    f = PolicyFilter.parse("province=湖南 open incentives")
    assert f.to_mapping() == {"provinces": ["湖南省"], "incentives_only": True, "open_only": True}
    assert PolicyFilter.from_mapping(f.to_mapping()) == f
    assert f.describe() == "湖南省 · 有资金支持 · 仍可申报"


def test_config_files_take_open_in_both_forms(tmp_path):
    from feeds.publish import load_feed_config

    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - id: open-hunan\n    title: 湖南 · 可申报\n    filter: {province: 湖南, open: true}\n"
                    "  - id: open-line\n    title: 可申报\n    filter: type=申报指南 open=1\n", encoding="utf-8")
    first, second = load_feed_config(path)
    assert first.filter == PolicyFilter.build(provinces=["湖南"], open_only=True)
    assert second.filter == PolicyFilter.build(doc_types=["申报指南"], open_only=True)


@pytest.mark.parametrize("deadlines, wanted", [
    (["2026-12-07"], True),                      # the deadline day itself is still open
    (["2026-12-06"], False),
    (["2025-11-20", "2026-12-31"], True),
    ([], False),                                 # no deadline: not a call one can still apply to
    (["不详"], False),
])
def test_open_wants_a_deadline_on_or_after_the_day_it_is_judged_on(deadlines, wanted):
    from datetime import date

    day = date(2026, 12, 7)
    assert PolicyFilter.parse("open").matches(entry(deadlines=deadlines), day) is wanted
    assert PolicyFilter().matches(entry(deadlines=deadlines), day)          # without open: no restriction


def test_open_without_a_given_day_uses_the_day_the_run_set():
    from datetime import date

    from feeds.deadlines import judged_on

    call = entry(deadlines=["2025-11-25"])
    wanted = PolicyFilter.parse("open")
    with judged_on(date(2025, 11, 18)):
        assert wanted.matches(call)
        assert not wanted.matches(call, date(2025, 11, 26))              # an explicit day wins
    with judged_on(date(2025, 11, 26)):
        assert not wanted.matches(call)


def test_a_county_level_citys_policy_is_filed_under_the_prefecture_it_lies_in():
    fields = {name: None for name in PolicyEntry.__dataclass_fields__}
    entry = PolicyEntry(**{**fields, "province": "浙江省", "city": "乐清市", "county": "乐清市"})
    assert city_of(entry) == "温州市"
    assert city_of(PolicyEntry(**{**fields, "province": "浙江省", "city": "温州市", "county": "鹿城区"})) == "温州市"
