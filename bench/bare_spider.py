"""The baseline of bench/crawl.py: a bare Scrapy spider over the same generated mirror, following list
pages and fetching every article, doing nothing with them. Run by bench/crawl.py with
`scrapy runspider bench/bare_spider.py -a base=URL -a sources=N`."""
from __future__ import annotations

from typing import Any, Iterator

import scrapy


class BareSpider(scrapy.Spider):
    """List page → its article links and its 下一页 link; article pages are fetched and dropped."""

    name = "bare"

    def __init__(self, base: str, sources: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [f"{base}/s{s:03d}/list/index.html" for s in range(int(sources))]

    def parse(self, response: scrapy.http.Response) -> Iterator[Any]:
        for href in response.css("ul.list a::attr(href)").getall():
            yield response.follow(href, callback=self.article)
        next_page = response.xpath("//a[text()='下一页']/@href").get()
        if next_page:
            yield response.follow(next_page)

    def article(self, response: scrapy.http.Response) -> None:
        return None
