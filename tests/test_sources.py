"""Sources file validation: real catalog loads; each kind of mistake gives one line naming file, source, field."""
from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from crawler.sources import SourceConfigError, load_sources, parse_sources

ROOT = Path(__file__).resolve().parent.parent
GOOD = """
sources:
  - id: hunan-kjt
    name: 湖南省科学技术厅
    kind: government
    region: {province: 湖南省}
    level: provincial
    start_urls: ["https://kjt.hunan.gov.cn/kjt/xxgk/tzgg/"]
    schedule: {interval: 6h, jitter: 10m}
"""


def test_shipped_catalog_loads_with_hints() -> None:
    sources = load_sources(ROOT / "config" / "sources.yaml")
    by_id = {s.id: s for s in sources}
    assert len(sources) >= 27
    assert by_id["ah-kjt"].hints.list_item == "ul.doc_list li"
    assert by_id["ah-kjt"].content_selector == "div.wzcon"
    assert by_id["jiangsu-zcwj"].family == "hanweb"
    assert by_id["miit-zcwj"].api is not None and by_id["miit-zcwj"].api.date_format == "epoch_ms"
    assert by_id["govcn-zuixin"].schedule.cron == "7 * * * *"
    assert by_id["ah-kjt"].schedule.cron == "17 */4 * * *"  # from defaults
    assert by_id["hfwotao"].enabled is False


def test_demo_sources_substitute_the_mirror_url() -> None:
    sources = load_sources(ROOT / "demo" / "sources.yaml", variables={"mirror": "http://127.0.0.1:9999"})
    assert len(sources) >= 6
    assert all(url.startswith("http://127.0.0.1:9999/") for s in sources for url in s.start_urls)


def test_good_source_defaults() -> None:
    (source,) = parse_sources(GOOD, "x.yaml")
    assert source.allowed_domains == ("kjt.hunan.gov.cn",)
    assert source.schedule.interval == timedelta(hours=6)
    assert source.schedule.jitter == timedelta(minutes=10)
    assert source.max_list_pages == 5
    assert source.province == "湖南省"


@pytest.mark.parametrize("change, message", [
    (("kind: government", "kind: gov"),
     "x.yaml: source 'hunan-kjt': field 'kind': must be one of government, aggregator (got 'gov')"),
    (("level: provincial", "level: state"),
     "x.yaml: source 'hunan-kjt': field 'level': must be one of national, provincial, municipal, county, zone "
     "(got 'state')"),
    (('start_urls: ["https://kjt.hunan.gov.cn/kjt/xxgk/tzgg/"]', 'start_urls: ["ftp://x"]'),
     "x.yaml: source 'hunan-kjt': field 'start_urls': not an http(s) URL: 'ftp://x'"),
    (("schedule: {interval: 6h, jitter: 10m}", "schedule: {interval: often}"),
     "x.yaml: source 'hunan-kjt': field 'schedule.interval': must look like 90s, 30m, 6h or 1d (got 'often')"),
    (("schedule: {interval: 6h, jitter: 10m}", "schedule: {cron: '0 4 *'}"),
     "x.yaml: source 'hunan-kjt': field 'schedule.cron': needs 5 fields (minute hour day month weekday), "
     "got '0 4 *'"),
    (("level: provincial", "level: provincial\n    max_list_pages: 0"),
     "x.yaml: source 'hunan-kjt': field 'max_list_pages': must be a whole number >= 1 (got 0)"),
    (("level: provincial", "level: provincial\n    hints: {list_item: 'ul..x'}"),
     "x.yaml: source 'hunan-kjt': field 'hints.list_item': invalid CSS selector 'ul..x': "),
    (("level: provincial", "level: provincial\n    encoding: latin9"),
     "x.yaml: source 'hunan-kjt': field 'encoding': must be one of utf-8, gbk, gb2312, gb18030, big5 "
     "(got 'latin9')"),
    (("level: provincial", "level: provincial\n    allowed_domains: [example.org]"),
     "x.yaml: source 'hunan-kjt': field 'allowed_domains': does not cover start URL host 'kjt.hunan.gov.cn'"),
    (("level: provincial", "level: provincial\n    colour: red"),
     "x.yaml: source 'hunan-kjt': field 'colour': unknown field (typo?)"),
    (("name: 湖南省科学技术厅", "name: ''"), "x.yaml: source 'hunan-kjt': field 'name': required text"),
    (("level: provincial", "level: provincial\n    dedup: {url: {keep: [id]}}"),
     "x.yaml: source 'hunan-kjt': field 'dedup.url': unknown field 'keep' (known: drop_params, https, "
     "index_files, keep_params, lowercase_path)"),
    (("id: hunan-kjt", "id: Hunan KJT"),
     "x.yaml: source 'Hunan KJT': field 'id': required; lowercase letters, digits, '.', '_' or '-'"),
])
def test_each_mistake_names_file_source_and_field(change: tuple[str, str], message: str) -> None:
    text = GOOD.replace(*change)
    with pytest.raises(SourceConfigError) as caught:
        parse_sources(text, "x.yaml")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_duplicate_ids_and_bad_yaml() -> None:
    with pytest.raises(SourceConfigError, match=r"^x.yaml: source 'hunan-kjt': field 'id': duplicate id$"):
        parse_sources(GOOD + GOOD.replace("sources:\n", ""), "x.yaml")
    with pytest.raises(SourceConfigError, match=r"^x.yaml: not valid YAML at line \d+"):
        parse_sources("sources: [\n  - id: x", "x.yaml")
    with pytest.raises(SourceConfigError, match=r"^x.yaml: expected a mapping with a 'sources' list$"):
        parse_sources("- just a list", "x.yaml")


def test_unknown_only_id_is_an_error() -> None:
    with pytest.raises(SourceConfigError, match="unknown source id"):
        parse_sources(GOOD, "x.yaml", only=["nope"])


def test_cli_bad_file_prints_one_line_and_exits_nonzero(tmp_path: Path) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text(GOOD.replace("kind: government", "kind: gov"), encoding="utf-8")
    for args in (["crawl", "--config", str(bad), "--db", str(tmp_path / "x.db")],
                 ["sources", "validate", "--config", str(bad)]):
        done = subprocess.run([sys.executable, "-m", "crawler", *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=120)
        assert done.returncode == 2
        assert done.stderr.strip().splitlines() == [
            f"policywatch: {bad}: source 'hunan-kjt': field 'kind': must be one of government, aggregator "
            "(got 'gov')"]
    assert not (tmp_path / "x.db").exists()


def test_cli_sources_list_and_validate_fill_variables() -> None:
    demo_sources = str(ROOT / "demo" / "sources.yaml")
    for command in ("list", "validate"):
        done = subprocess.run([sys.executable, "-m", "crawler", "sources", command, "--config", demo_sources],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 2 and "mirror" in done.stderr  # ${mirror} has no value
        done = subprocess.run([sys.executable, "-m", "crawler", "sources", command, "--config", demo_sources,
                               "--var", "mirror=http://127.0.0.1:8765"], capture_output=True, text=True,
                              cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
    assert "sources OK" in done.stdout
