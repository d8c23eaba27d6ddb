"""Pages for a hostile source served by the demo mirror's faults: its sources file, list pages and
detail pages made up on the spot (endless pagination, huge lists, files linked from a list)."""
from __future__ import annotations

from pathlib import Path


def hostile_source(tmp_path: Path, start: str, max_list_pages: int = 10) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(f"""
sources:
  - id: hostile
    name: 敌意站点
    kind: government
    region: {{province: 湖南省}}
    level: provincial
    start_urls: ["${{mirror}}{start}"]
    allowed_domains: [127.0.0.1]
    max_list_pages: {max_list_pages}
""", encoding="utf-8")
    return path


def detail_page(n: int) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>关于第{n}批高新技术企业认定申报工作的通知</title></head><body>"
            f"<h1>关于第{n}批高新技术企业认定申报工作的通知</h1><p>各有关单位：现将第{n}批高新技术企业认定申报工作"
            f"有关事项通知如下，请按要求于2026年{n % 12 + 1}月{n % 27 + 1}日前提交材料。编号{n}。</p>"
            "<p>湖南省科学技术厅 2026年1月5日</p></body></html>").encode("utf-8")


def list_page(links: list[tuple[str, str]], next_url: str | None) -> bytes:
    rows = "".join(f'<li><a href="{url}" target="_blank">{title}</a><span>2026-01-05</span></li>'
                   for url, title in links)
    pager = f'<div class="page"><a href="{next_url}">下一页</a></div>' if next_url else ""
    return (f"<html><head><meta charset='utf-8'><title>通知公告</title></head><body><div class='nav'>"
            f"<a href='/'>首页</a></div><ul class='list'>{rows}</ul>{pager}</body></html>").encode("utf-8")
