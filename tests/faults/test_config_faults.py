"""Fault 14: a key written twice in a config file, or a region that is not China's, is refused in one line.

The three config readers (sources, feeds, subscriptions) read YAML through core.yamlfile and report a
repeated key the same way; `region` in sources.yaml must name real divisions.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from core.yamlfile import load_yaml
from crawler.sources import SourceConfigError, load_sources, parse_sources
from feeds.digest.config import load_digest_config
from feeds.publish import FeedConfigError, load_feed_config
from pipelines.classify.divisions import division_index

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCE = """\
sources:
  - id: hunan-kjt
    name: 湖南省科学技术厅
    kind: government
    region: {province: 湖南省}
    level: provincial
    start_urls: ["https://kjt.hunan.gov.cn/kjt/xxgk/tzgg/"]
    schedule: {interval: 6h, jitter: 10m}
"""
MARS = "'火星省' is not a province of China (e.g. 湖南省, 广东省, 广西壮族自治区, 北京市)"


def policywatch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def with_region(region: str) -> str:
    return SOURCE.replace("region: {province: 湖南省}", f"region: {region}")


# --- a key written twice ------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    (SOURCE + "    schedule: {cron: '0 4 * * *'}\n",
     "x.yaml: not valid YAML at line 9: duplicate key 'schedule' (first at line 8)"),
    (with_region("{province: 湖南省, province: 广东省}"),
     "x.yaml: not valid YAML at line 5: duplicate key 'province' (first at line 5)"),
    (SOURCE + "sources: []\n", "x.yaml: not valid YAML at line 9: duplicate key 'sources' (first at line 1)"),
])
def test_a_key_written_twice_in_sources_names_the_key_and_both_lines(text: str, message: str) -> None:
    with pytest.raises(SourceConfigError) as caught:
        parse_sources(text, "x.yaml")
    assert str(caught.value) == message


def test_a_key_written_twice_in_feeds_names_the_key_and_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - id: hunan\n    title: 湖南\n    filter: {provinces: [湖南]}\n"
                    "    title: 广东\n", encoding="utf-8")
    with pytest.raises(FeedConfigError) as caught:
        load_feed_config(path)
    assert str(caught.value) == f"{path}: not valid YAML at line 5: duplicate key 'title' (first at line 3)"


def test_a_key_written_twice_in_subscriptions_names_the_key_and_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.yaml"
    path.write_text("subscriptions:\n  - email: a@example.org\n    frequency: daily\n    frequency: weekly\n"
                    "    filter: {province: 湖南}\n", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_digest_config(path)
    assert str(caught.value) == f"{path}: not valid YAML at line 4: duplicate key 'frequency' (first at line 3)"


def test_sources_validate_refuses_a_key_written_twice_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text(SOURCE + "    schedule: {cron: '0 4 * * *'}\n", encoding="utf-8")
    done = policywatch("sources", "validate", "--config", str(bad))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"policywatch: {bad}: not valid YAML at line 9: duplicate key 'schedule' (first at line 8)"]
    assert done.stdout == ""


def test_a_merged_key_may_still_be_overridden() -> None:
    text = "base: &base {interval: 6h, jitter: 10m}\nfast:\n  <<: *base\n  interval: 1h\n"
    assert load_yaml(text)["fast"] == {"interval": "1h", "jitter": "10m"}
    with pytest.raises(yaml.YAMLError, match="duplicate key 'interval'"):
        load_yaml(text + "  interval: 2h\n")


# --- regions ------------------------------------------------------------------------------------

def test_sources_validate_refuses_a_province_that_is_not_chinas(tmp_path: Path) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text(with_region("{province: 火星省}"), encoding="utf-8")
    done = policywatch("sources", "validate", "--config", str(bad))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"policywatch: {bad}: source 'hunan-kjt': field 'region.province': {MARS}"]
    assert done.stdout == ""


@pytest.mark.parametrize("region, message", [
    ("{province: 火星省}", f"field 'region.province': {MARS}"),
    ("{province: 火星省, city: 长沙市}", f"field 'region.province': {MARS}"),
    ("{province: 长沙市}", "field 'region.province': '长沙市' is not a province of China (e.g. 湖南省, 广东省, "
                          "广西壮族自治区, 北京市); '长沙市' is a city of 湖南省"),
    ("{province: 湖南省, city: 茂名市}", "field 'region.city': '茂名市' is not in 湖南省 (it is in 广东省)"),
    ("{province: 湖南省, city: 朝阳区}", "field 'region.city': '朝阳区' is not in 湖南省 (it is in 北京市, 吉林省)"),
])
def test_a_region_that_is_not_a_real_division_is_refused(region: str, message: str) -> None:
    with pytest.raises(SourceConfigError) as caught:
        parse_sources(with_region(region), "x.yaml")
    assert str(caught.value) == f"x.yaml: source 'hunan-kjt': {message}"


@pytest.mark.parametrize("region, province, city", [
    ("{province: 湖南省}", "湖南省", None),
    ("{province: 湖南}", "湖南省", None),
    ("{province: 广西}", "广西壮族自治区", None),
    ("{province: 广西壮族自治区}", "广西壮族自治区", None),
    ("{province: 内蒙古}", "内蒙古自治区", None),
    ("{province: 北京市, city: 北京市}", "北京市", "北京市"),
    ("{province: 北京, city: 北京}", "北京市", "北京市"),
    ("{province: 湖南省, city: 长沙}", "湖南省", "长沙市"),
    ("{province: 广东省, city: 茂名市}", "广东省", "茂名市"),
    ("{province: 湖北省, city: 仙桃市}", "湖北省", "仙桃市"),      # a county-level city under no city
    ("{province: 上海市, city: 浦东新区}", "上海市", "浦东新区"),
    ("{province: 河北省, city: 雄安新区}", "河北省", "雄安新区"),  # not in the dataset: kept as written
])
def test_real_province_spellings_are_accepted_by_their_official_names(region: str, province: str,
                                                                       city: str | None) -> None:
    (source,) = parse_sources(with_region(region), "x.yaml")
    assert (source.province, source.city) == (province, city)


# --- the shipped configs still load -------------------------------------------------------------

def test_shipped_and_demo_configs_still_load() -> None:
    provinces = set(division_index().provinces)
    shipped = load_sources(ROOT / "config" / "sources.yaml")
    demo = load_sources(ROOT / "demo" / "sources.yaml", variables={"mirror": "http://127.0.0.1:8765"})
    assert len(shipped) >= 27 and len(demo) >= 6
    assert {s.province for s in shipped + demo} - {None} <= provinces
    assert [s.slug for s in load_feed_config(ROOT / "config" / "feeds.yaml")] == [
        "hunan-hitech-enterprise", "guangdong-funding-50", "application-guides"]
    assert load_feed_config(ROOT / "demo" / "feeds.yaml")
    assert len(load_digest_config(ROOT / "config" / "subscriptions.example.yaml")["subscriptions"]) == 3
    assert load_digest_config(ROOT / "demo" / "subscriptions.yaml")["subscriptions"]


def test_sources_validate_passes_the_shipped_catalog() -> None:
    done = policywatch("sources", "validate", "--config", "config/sources.yaml")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("config/sources.yaml: ") and done.stdout.endswith(" sources OK\n")
