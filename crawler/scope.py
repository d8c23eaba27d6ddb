"""Where a source may lead the crawler: its allowed domains, and never into private networks.

A government site that redirects (or links) to another host must not make policywatch fetch and
publish that host's pages: every request — the first one and each redirect — is held to the source's
``allowed_domains``, and loopback, private, link-local and reserved addresses are refused unless the
source itself lives on one (an intranet mirror, the test and demo servers on 127.0.0.1).
"""
from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from crawler.sources import Source

LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def host_of(url: str) -> str:
    """The URL's host name, lower-case, without brackets or a trailing dot."""
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def within_domains(source: Source, url: str) -> bool:
    """True when `url` is http(s) on one of the source's allowed domains (or a subdomain of one)."""
    if urlsplit(url).scheme not in ("http", "https"):
        return False
    host = host_of(url)
    return any(host == domain or host.endswith("." + domain) for domain in source.allowed_domains)


def is_private_address(address: Any) -> bool:
    """True for loopback, private, link-local, reserved or unspecified addresses (an ip_address or text)."""
    try:
        ip = ipaddress.ip_address(str(address))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_unspecified \
        or ip.is_multicast


def is_private_host(host: str) -> bool:
    """True for a host that names this machine or a private network by itself (no DNS lookup)."""
    host = host.lower().rstrip(".")
    return host in LOCAL_NAMES or host.endswith(".localhost") or is_private_address(host)


def source_is_private(source: Source) -> bool:
    """True when the source's own pages live on a private or loopback host."""
    return any(is_private_host(host_of(url)) for url in source.start_urls) or (
        source.api is not None and is_private_host(host_of(source.api.url)))


def refusal(source: Source, url: str) -> str | None:
    """Why the crawler must not fetch `url` for `source` (None when it may)."""
    if not within_domains(source, url):
        return f"outside the source's allowed domains: {url}"
    if is_private_host(host_of(url)) and not source_is_private(source):
        return f"a private or loopback address: {url}"
    return None
