"""The fault matrix: hostile servers, broken inputs and crash points the crawl, store and digest paths survive."""
