"""Administrative divisions from the dataset jionlp ships (read directly, without importing jionlp)."""
from __future__ import annotations

import functools
import importlib.util
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable


logger = logging.getLogger(__name__)


def _jionlp_file(name: str) -> str | None:
    """Text of one of jionlp's dictionary files (plain or zipped), without importing jionlp."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "dictionary"
    plain = folder / name
    if plain.is_file():
        return plain.read_text(encoding="utf-8")
    packed = plain.with_suffix(".zip")
    return read_zipped_text(packed, name) if packed.is_file() else None


def read_zipped_text(archive_path: Path, name: str) -> str:
    """One member of a zip as text, newlines read the way read_text reads them (the zipped copies use CRLF)."""
    with zipfile.ZipFile(archive_path) as archive:
        return archive.read(name).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Division:
    """One province, city or county of the division dataset (or a development zone in it)."""

    name: str
    code: str
    tier: str                 # "province" | "city" | "county"
    province: str
    city: str | None = None   # None for a province and for counties under no city (仙桃市)
    is_zone: bool = False


class NameMatcher:
    """Leftmost-longest search for many literal names.

    A few hundred names compile to one regular expression (fastest in CPython);
    thousands (the division names, all of two or more characters) are looked up
    by their first two characters instead, the scan jumping (one regular-expression
    search) to the next character that starts any name.
    """

    REGEX_LIMIT = 600

    def __init__(self, names: Iterable[str]) -> None:
        unique = sorted({n for n in names if n}, key=len, reverse=True)
        self.regex = None
        self.index: dict[str, list[str]] = {}
        if len(unique) <= self.REGEX_LIMIT or any(len(n) < 2 for n in unique):
            self.regex = re.compile("|".join(map(re.escape, unique))) if unique else None
            return
        for name in unique:
            self.index.setdefault(name[:2], []).append(name)
        self.first = re.compile("[" + "".join(re.escape(c) for c in sorted({n[0] for n in unique})) + "]")

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of each match, scanning left to right without overlaps."""
        if self.regex is not None:
            return [(m.start(), m.end(), m.group()) for m in self.regex.finditer(text)]
        found, i, end = [], 0, len(text) - 1
        index, next_start = self.index, self.first.search
        while i < end:
            start = next_start(text, i)
            if start is None:
                break
            i = start.start()
            group = index.get(text[i:i + 2])
            if group:
                for name in group:
                    if text.startswith(name, i):
                        found.append((i, i + len(name), name))
                        i += len(name)
                        break
                else:
                    i += 1
            else:
                i += 1
        return found


@dataclass
class DivisionIndex:
    """Divisions by full name and alias, plus a matcher over all of them."""

    provinces: dict[str, Division]
    cities: dict[str, Division]
    by_name: dict[str, list[Division]]
    by_alias: dict[str, list[Division]]
    county_alias: dict[str, list[Division]] = field(default_factory=dict)

    def lookup(self, name: str) -> list[Division]:
        return self.by_name.get(name) or self.by_alias.get(name) or []

    def place(self, value: str) -> Division | None:
        """A unique division for a vocabulary value: "湛江市" or "吉林省/吉林市"."""
        if "/" in value:
            parent, child = value.split("/", 1)
            found = [d for d in self.by_name.get(child, []) if parent in (d.province, d.city)]
        else:
            found = [d for d in self.by_name.get(value, []) if not d.is_zone]
            if len({d.code for d in found}) > 1:
                return None
        return found[0] if found else None


ZONE_NAME = re.compile(r"开发区|高新区|园区")
PLACEHOLDER = re.compile(r"直辖|^市辖区$|^县$")


@functools.lru_cache(maxsize=1)
def division_index() -> DivisionIndex | None:
    """The division dataset shipped with jionlp (≈3,400 provinces, cities and counties), read once."""
    text = _jionlp_file("china_location.txt")
    if text is None:
        logger.warning("jionlp's division dataset is not installed; regions will stay unknown")
        return None
    rows = re.findall(r"\n(\t{0,2})([^\t\n]+)\t(\d{6})\t([^\n]*)", "\n" + text)
    provinces: dict[str, Division] = {}
    cities: dict[str, Division] = {}
    by_name: dict[str, list[Division]] = {}
    by_alias: dict[str, list[Division]] = {}
    county_alias: dict[str, list[Division]] = {}
    province = city = None
    for tabs, name, code, alias in rows:
        depth = len(tabs)
        if depth == 0:
            province, city = name, None
            division = Division(name, code, "province", name)
            provinces[name] = division
        elif depth == 1:
            city = None if PLACEHOLDER.search(name) else name
            if city is None:
                continue
            division = Division(name, code, "city", province, name)
            cities[name] = division
        else:
            if PLACEHOLDER.search(name) or len(name) < 3:
                continue  # 2-character county names (郊区, 高县) occur inside ordinary words
            division = Division(name, code, "county", province, city, is_zone=bool(ZONE_NAME.search(name)))
        by_name.setdefault(name, []).append(division)
        for short in alias.split("/"):
            if len(short) < 2 or short == name:
                continue
            if depth < 2:
                by_alias.setdefault(short, []).append(division)
            elif not division.is_zone and not ZONE_NAME.search(short):
                county_alias.setdefault(short, []).append(division)
    return DivisionIndex(provinces, cities, by_name, by_alias, county_alias)
