"""Region and level: province, city, county, division code, from every place the record names."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from core.record import LEVELS
from pipelines.classify.divisions import Division, DivisionIndex, division_index
from pipelines.classify.prepare import Doc, text_value
from pipelines.classify.vocabulary import Vocabulary
from pipelines.fields.doc_number import find_doc_numbers, heading_doc_number

MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
BODY_NUMBER_LINES = 4
DOC_NUMBER_HEAD = re.compile(r"^\s*([\u4e00-\u9fff]{1,12})")
# a page without a title often opens with its heading: a short line that is no sentence
HEADING_LINE = re.compile(r"^[^。，,；;:：!！\n]{4,60}$")
# a text speaking as a province's or a city's own body (我省, 全市, 我厅): the one place of that tier it names is its own
SELF_PROVINCE = re.compile(r"我省|本省|全省|我厅")
SELF_CITY = re.compile(r"我市|本市|全市")
# an autonomous region speaks of itself as a 区 (我区, 全区), as a district does: only with the region named and no
# other province
SELF_REGION = re.compile(r"我区|全区")
# a document addressed to every province (各省、自治区、直辖市…) comes from a central body
NATIONAL_ADDRESSEE = re.compile(r"^各省\s*[、,，]\s*自治区\s*[、,，]\s*直辖市|^各省\s*[(（]\s*区\s*[、,，]\s*市\s*[)）]")
ADDRESSEE_LINES = 8
# a place that opens a firm's name (濮阳市盛源能源科技股份有限公司) is where the firm sits, not whose document it is:
# a provincial list names firms from every city. It still tells the province the firms are in.
COMPANY_AFTER = re.compile(r"[\u4e00-\u9fff()（）]{0,24}?(?:有限(?:责任)?公司|股份公司|集团)")
ORG_NAME_CHARS = 10  # a body's name after its place: 科学技术厅, 委办公厅, 市场监督管理局
# a body that names places in this many provinces (cities), none of them in most of its mentions (a national
# report, a comparison of cities), speaks for none of them
SCATTERED_PLACES = 3


@dataclass
class Mention:
    """A place named somewhere in the record, with the divisions it may mean."""

    text: str
    start: int
    end: int
    candidates: tuple[Division, ...]
    zone: bool = False
    inferred: bool = False  # a zone alias (中关村 → 北京市): world knowledge, not a place the text names


@dataclass
class Region:
    """The resolved region and level, with the reason for each."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    division_code: str | None = None
    level: str | None = None
    reasons: dict[str, str] = field(default_factory=dict)


def find_places(text: str, vocab: Vocabulary, divisions: DivisionIndex) -> list[Mention]:
    """Every division (and zone alias) named in `text`."""
    mentions = []
    zone_aliases = vocab.compiled["zone_aliases"]
    zone_after = vocab.compiled["zone_after_place"]
    for start, end, name in vocab.compiled["matcher"].find(text):
        if name in zone_aliases:
            mentions.append(Mention(name, start, end, (zone_aliases[name],), zone=True, inferred=True))
            continue
        candidates = tuple(divisions.lookup(name))
        if not candidates:
            continue
        zone = any(d.is_zone for d in candidates) or bool(zone_after.match(text[end:end + 14]))
        if zone and any(d.tier != "province" for d in candidates):
            candidates = tuple(d for d in candidates if d.tier != "province")
        elif zone:
            zone = False  # 湖南省高新区 are the province's zones, not one zone
        if any(d.is_zone for d in candidates):
            # a zone listed in the dataset (长春高新技术产业开发区) lies in its city
            candidates = tuple(divisions.cities.get(d.city) or divisions.provinces[d.province] for d in candidates)
        mentions.append(Mention(name, start, end, candidates, zone=zone))
    return _zone_county_mentions(text, mentions, vocab, divisions)


ZONE_PHRASE_START = re.compile(r"[^\u4e00-\u9fff]")


def _zone_county_mentions(text: str, mentions: list[Mention], vocab: Vocabulary,
                          divisions: DivisionIndex) -> list[Mention]:
    """Add counties named by their short form right before a zone word (浏阳高新区 → 浏阳市)."""
    extra = []
    for match in vocab.compiled["zone_word"].finditer(text):
        zone_start = match.start()
        if any(m.zone and 0 <= zone_start - m.end <= 8 for m in mentions):
            continue
        phrase_start = max(0, zone_start - 8)
        for found in ZONE_PHRASE_START.finditer(text, phrase_start, zone_start):
            phrase_start = found.end()
        phrase = text[phrase_start:zone_start]
        for i in range(len(phrase) - 1):
            # the county's name must sit close to the zone word: 浏阳高新区, 醴陵陶瓷产业开发区
            name = next((phrase[i:i + n] for n in (4, 3, 2)
                         if phrase[i:i + n] in divisions.county_alias and len(phrase) - i - n <= 4), None)
            if name:
                start = phrase_start + i
                if not any(m.start <= start < m.end for m in mentions):
                    extra.append(Mention(name, start, start + len(name), tuple(divisions.county_alias[name]),
                                         zone=True))
                break
    return sorted(mentions + extra, key=lambda m: m.start) if extra else mentions


def _is_national(text: str, vocab: Vocabulary) -> str | None:
    """The national body `text` starts with, if any."""
    stripped = text.lstrip()
    for body in sorted(vocab.regions["national_bodies"], key=len, reverse=True):
        if stripped.startswith(body):
            return body
    match = vocab.regions["national_pattern"].match(stripped)
    return match.group(0) if match else None


def _relative_tier(text: str, vocab: Vocabulary) -> str | None:
    for prefix, tier in sorted(vocab.regions["relative_issuer_prefixes"].items(), key=lambda kv: -len(kv[0])):
        if text.startswith(prefix):
            return tier
    return None


def is_zone_org(text: str, vocab: Vocabulary) -> bool:
    """Whether a body's name is a zone's (高新区管委会…)."""
    return any(word in text for word in vocab.regions["zone_words"])


def title_org(title: str, vocab: Vocabulary) -> str | None:
    """The organisation a title starts with (湖南省科学技术厅关于…, 市科技局召开…), if any."""
    match = vocab.compiled["org_at_start"].match(title)
    return match.group(0) if match else None


def signature_org(body: str, vocab: Vocabulary) -> str | None:
    """The first line of the body that is only an organisation's name (落款 or issuing line)."""
    org_line = vocab.compiled["org_line"]
    for line in body.split("\n")[:40]:
        line = line.strip()
        if 4 <= len(line) <= 60 and org_line.match(line):
            return line
    return None


def doc_number_place(doc_number: str, vocab: Vocabulary) -> tuple[str, Division | None] | None:
    """(prefix, place) named by a 发文字号's 机关代字; place None for a national number."""
    match = DOC_NUMBER_HEAD.match(doc_number)
    if not match:
        return None
    head = match.group(1)
    places = vocab.compiled["places"]
    for prefix in sorted(vocab.regions["doc_number_prefixes"], key=len, reverse=True):
        if head.startswith(prefix):
            return prefix, places[f"prefix:{prefix}"]
    return None


def body_doc_number(body: str) -> str:
    """A 发文字号 standing alone on one of the first lines of the body ('' if none)."""
    return heading_doc_number(body.split("\n"), BODY_NUMBER_LINES) or ""


LEADING_YEAR = re.compile(r"^\s*(?:(?:19|20)\d{2}\s*年?度?)?\s*")


def _issuer_chain(issuer: str, mentions: list[Mention]) -> list[Mention]:
    """The places an issuer's name starts with (北京市 + 朝阳区 in 北京市朝阳区科技局)."""
    chain, position = [], 0
    for mention in mentions:
        if mention.start != position:
            break
        chain.append(mention)
        position = mention.end
    return chain


def _chain_candidates(chain: list[Mention]) -> list[Division]:
    """Divisions consistent with every place of an issuer chain, most specific first."""
    candidates = list(chain[-1].candidates)
    for outer in chain[:-1]:
        outer_names = {d.name for d in outer.candidates}
        narrowed = [d for d in candidates if d.province in outer_names or d.city in outer_names]
        candidates = narrowed or candidates
    rank = {"county": 0, "city": 1, "province": 2}
    return sorted(set(candidates), key=lambda d: (rank[d.tier], d.code))


def certain_division(mention: Mention) -> Division | None:
    """The division a mention surely names, or None when its candidates lie in different places."""
    candidates = mention.candidates
    if len(candidates) == 1:
        return candidates[0]
    if len({d.province for d in candidates}) != 1:
        return None  # 朝阳区: an ambiguous name is what the evidence must decide, not evidence itself
    # 吉林 is both 吉林省 and 吉林市, 北京市 both a province and its own city: the province is sure
    province = next((d for d in candidates if d.tier == "province"), None)
    if province is not None:
        return province
    return candidates[0] if len({d.city for d in candidates}) == 1 else None


class Evidence:
    """Weighted votes for provinces and cities from the title, doc number, hint, signature and body."""

    def __init__(self) -> None:
        self.province: dict[str, float] = {}
        self.city: dict[str, float] = {}
        self.notes: dict[str, list[str]] = {}
        self.strong: set[str] = set()   # provinces and cities named by a source other than the body
        self.own: set[str] = set()      # the city a body speaks as (我市 and one city named)
        self.full_provinces: set[str] = set()  # provinces named by their full name (河南省, 广西壮族自治区)
        # the county-level cities (瑞安市 in 温州市) and the cities themselves a source other than the body names
        self.strong_towns: dict[str, dict[str, Division]] = {}
        self.strong_cities: set[str] = set()

    def add(self, division: Division, weight: float, note: str, strong: bool, province_only: bool = False) -> None:
        names = [division.province]
        self.province[division.province] = self.province.get(division.province, 0.0) + weight
        if division.city and division.tier != "province" and not province_only:
            self.city[division.city] = self.city.get(division.city, 0.0) + weight
            names.append(division.city)
        for name in names:
            self.notes.setdefault(name, []).append(note)
            if strong:
                self.strong.add(name)

    def add_mentions(self, mentions: list[Mention], weight: float, alias_weight: float, source: str,
                     strong: bool, province_only: bool = False) -> None:
        for mention in mentions:
            division = certain_division(mention)
            if division is not None:
                full = mention.text == division.name or mention.zone
                if mention.text == division.name and division.tier == "province":
                    self.full_provinces.add(division.name)
                note = f"{source} {mention.text}"
                if mention.inferred:
                    note += f" (inferred: {mention.text} lies in {division.name})"
                self.add(division, weight if full else alias_weight, note, strong, province_only)
                if strong and not province_only and not mention.zone and not mention.inferred and division.city:
                    if division.tier == "county" and division.name.endswith("市"):
                        self.strong_towns.setdefault(division.city, {})[division.name] = division
                    elif division.tier == "city":
                        self.strong_cities.add(division.name)

    @staticmethod
    def best(scores: dict[str, float], allowed: Iterable[str] | None = None) -> tuple[str | None, float]:
        """The top-scoring name (None on a tie) and its score."""
        allowed = set(allowed) if allowed is not None else None
        items = sorted(((k, v) for k, v in scores.items() if allowed is None or k in allowed), key=lambda kv: -kv[1])
        if not items:
            return None, 0.0
        if len(items) > 1 and items[1][1] == items[0][1]:
            return None, items[0][1]
        return items[0]

    def why(self, name: str | None) -> str:
        return ", ".join(dict.fromkeys(self.notes.get(name or "", [])))


def _tier_level(division: Division) -> str:
    if division.tier == "province" or (division.tier == "city" and division.name in MUNICIPALITIES):
        return "provincial"
    return "municipal" if division.tier == "city" else "county"


def _fill(region: Region, division: Division) -> None:
    """Province, city, county and code from one division."""
    region.province = division.province
    region.city = division.city if division.tier != "province" else None
    region.county = division.name if division.tier == "county" else None
    if region.province in MUNICIPALITIES and region.city is None:
        region.city = region.province  # the dataset lists each municipality as its own city
    region.division_code = division.code


def _collect_evidence(doc: Doc, hint: Mapping[str, Any], vocab: Vocabulary, divisions: DivisionIndex,
                      signature: str | None) -> Evidence:
    weights = vocab.regions["weights"]
    evidence = Evidence()
    evidence.add_mentions(find_places(doc.title, vocab, divisions), weights["title"], weights["title"],
                          "title", strong=True)
    heading = "" if doc.title else _heading(doc.body)
    if heading:
        evidence.add_mentions(find_places(heading, vocab, divisions), weights["title"], weights["title"],
                              "heading", strong=True)
    number = doc.doc_number or body_doc_number(doc.body)
    prefix = doc_number_place(number, vocab) if number else None
    if prefix and prefix[1] is not None:
        evidence.add(prefix[1], weights["doc_number"],
                     f"doc number {prefix[0]} (inferred: an agency abbreviation of {prefix[1].name})", strong=True)
    if signature:
        evidence.add_mentions(find_places(signature, vocab, divisions), weights["signature"],
                              weights["signature"], "signed", strong=True)
    for key in ("city", "province"):
        place = divisions.place(text_value(hint.get(key))) if hint.get(key) else None
        if place is not None:
            evidence.add(place, weights["hint"], f"source region {place.name}", strong=True)
            break
    head_chars, tail_chars = vocab.regions["body_head_chars"], vocab.regions["body_tail_chars"]
    body = doc.body
    window = body if len(body) <= head_chars + tail_chars else body[:head_chars] + "\n" + body[-tail_chars:]
    body_mentions, seats = [], []
    for mention in find_places(window, vocab, divisions):
        (seats if COMPANY_AFTER.match(window, mention.end) else body_mentions).append(mention)
    evidence.add_mentions(seats, weights["body"], weights["body_alias"], "body names a firm in", strong=False,
                          province_only=True)
    for cited in dict.fromkeys(found for _, _, found in find_doc_numbers(window) if found != number):
        place = doc_number_place(cited, vocab)
        if place and place[1] is not None:
            evidence.add(place[1], weights["body_cited_number"],
                         f"body cites {cited} (inferred: an agency abbreviation of {place[1].name})", strong=False)
    bodies = _named_bodies(window, body_mentions, vocab)
    evidence.add_mentions(bodies, weights["body_org"], weights["body_org"], "body names a body of", strong=False)
    evidence.add_mentions([m for m in body_mentions if m not in bodies], weights["body"], weights["body_alias"],
                          "body", strong=False)
    _add_own_place(evidence, window, body_mentions, seats, divisions, weights["body_self"])
    return evidence


def _named_bodies(text: str, mentions: list[Mention], vocab: Vocabulary) -> list[Mention]:
    """The mentions that name one of the place's own bodies (济南市委办公厅, 北京市科委), outside the addressee
    lines (各省、自治区科技厅: names the bodies written to, not the one writing)."""
    org_after = vocab.compiled["org_after_place"]
    addressed, position = [], 0
    for number, line in enumerate(text.split("\n")):
        if number < ADDRESSEE_LINES and line.lstrip().startswith("各"):
            addressed.append((position, position + len(line)))
        position += len(line) + 1
    return [m for m in mentions if not m.zone and org_after.match(text, m.end, m.end + ORG_NAME_CHARS)
            and not any(start <= m.start < end for start, end in addressed)]


def _heading(body: str) -> str:
    """The body's first line when it reads as a heading (a title the page did not mark as one), else ''."""
    first = body.lstrip().split("\n", 1)[0].strip()
    return first if HEADING_LINE.match(first) else ""


def _add_own_place(evidence: Evidence, text: str, mentions: list[Mention], seats: list[Mention],
                   divisions: DivisionIndex, weight: float) -> None:
    """A text that says 我省 (我市, 全市…) and names one province (city) speaks for that place; the seats of the
    firms it names tell their province only."""
    def named(found: list[Mention]) -> list[Division]:
        return [d for d, m in ((certain_division(m), m) for m in found) if d is not None and not m.inferred]
    provinces = {d.province for d in named(mentions + seats)}
    province = next(iter(provinces)) if len(provinces) == 1 else None
    found = SELF_PROVINCE.search(text) or (SELF_REGION.search(text) if province and
                                           province.endswith("自治区") else None)
    if found and province:
        evidence.add(divisions.provinces[province], weight,
                     f"body says {found.group(0)} and names only places in {province}", strong=False)
    cities = {d.city for d in named(mentions) if d.city and d.tier != "province" and d.city in divisions.cities}
    found = SELF_CITY.search(text)
    if found and len(cities) == 1:
        city = cities.pop()
        evidence.add(divisions.cities[city], weight, f"body says {found.group(0)} and names {city}", strong=False)
        evidence.own.add(city)


def resolve_region(doc: Doc, hint: Mapping[str, Any], vocab: Vocabulary) -> Region:
    """Province, city, county, division code and level of a document."""
    region = Region()
    divisions = division_index()
    if divisions is None or "matcher" not in vocab.compiled:
        region.reasons["province"] = "division dataset unavailable"
        region.level = hint.get("level") if hint.get("level") in LEVELS else None
        return region
    issuer, issuer_source = doc.issuer, "issuer"
    if not issuer:
        issuer, issuer_source = title_org(doc.title, vocab) or _is_national(doc.title, vocab) or "", "title"
    signature = signature_org(doc.body, vocab)
    if not issuer and signature:
        issuer, issuer_source = signature, "signature"
    if _national_document(doc, issuer, vocab, region):
        return region
    # the title, doc number, hint and body are read only when the issuer does not settle the place
    gather = functools.partial(_collect_evidence, doc, hint, vocab, divisions,
                               signature if issuer_source != "signature" else None)
    weights = vocab.regions["weights"]
    mentions = find_places(issuer, vocab, divisions) if issuer else []
    chain = _issuer_chain(issuer, mentions)
    if not issuer:
        # no issuer anywhere: a title that opens with a place (朝阳区开展…, 茂名市举办…) names its actor
        actor = LEADING_YEAR.sub("", doc.title)
        chain = _issuer_chain(actor, find_places(actor, vocab, divisions))
        if chain:
            issuer, issuer_source = actor[:chain[-1].end], "title"
    if chain:
        _resolve_from_chain(region, issuer, issuer_source, chain, gather, vocab)
    else:
        tier = _relative_tier(issuer, vocab) if issuer else None
        if tier is None and issuer and is_zone_org(issuer, vocab):
            tier = "zone"
        if tier is None and hint.get("level") in LEVELS and hint.get("level") != "national":
            tier = hint["level"]
            region.reasons["level"] = f"source level {tier}"
        _resolve_from_evidence(region, tier, issuer if tier else "", gather(), weights["min_body_only"], divisions)
    if region.level is None and hint.get("level") in LEVELS:
        region.level = hint["level"]
        region.reasons["level"] = f"source level {hint['level']}"
    if region.level is None:
        region.reasons["level"] = "no issuer, source level or place tells the level"
    _say_what_is_inferred(region, doc)
    _county_level_city(region)
    return region


def _county_level_city(region: Region) -> None:
    """A county-level city that issues the document (慈溪市科学技术局, 乐清市人民政府) is its city, as readers name
    it; the prefecture it lies in stays readable from the county and the division code (feeds file it there)."""
    if region.level == "county" and region.county and region.county.endswith("市") and region.city \
            and region.county != region.city:
        region.reasons["city"] = f"{region.county}, the county-level city that issues it (in {region.city}); " \
            + region.reasons.get("city", "")
        region.city = region.county


PROVINCE_SUFFIX = re.compile(r"(?:省|市|(?:壮族|回族|维吾尔)?自治区|特别行政区)$")
CITY_SUFFIX = re.compile(r"(?:市|地区|盟|(?:[\u4e00-\u9fff]{1,3}族)*自治州)$")


def _say_what_is_inferred(region: Region, doc: Doc) -> None:
    """Mark a province (city) the page never names, filled from the smaller place it does name: the record keeps
    the value (a 湖南 feed wants 长沙's pages), the reason says it is inferred."""
    text = "\n".join((doc.title, doc.issuer, doc.doc_number, doc.body))
    smaller = region.county or region.city
    if region.city and region.county and CITY_SUFFIX.sub("", region.city) not in text:
        region.reasons["city"] += f"; city inferred: {region.county} lies in {region.city}"
    if region.province and smaller and smaller != region.province \
            and PROVINCE_SUFFIX.sub("", region.province) not in text:
        region.reasons["province"] += f"; province inferred: {smaller} lies in {region.province}"


def _national_document(doc: Doc, issuer: str, vocab: Vocabulary, region: Region) -> bool:
    """Mark a central-government document (科技部, 国务院, 国家发展改革委…) and say why."""
    body = _is_national(issuer, vocab) if issuer else None
    why = f"issuer {issuer}" if body else ""
    if not body and not doc.issuer:
        number = doc.doc_number or body_doc_number(doc.body)
        prefix = doc_number_place(number, vocab) if number else None
        if prefix and prefix[1] is None:
            body, why = f"doc number prefix {prefix[0]}", f"doc number {number}"
    if not body and not doc.issuer:
        addressee = _national_addressee(doc.body)
        if addressee:
            body, why = "addressee of every province", f"addressed to {addressee}"
    if not body:
        return False
    region.level = "national"
    for name in ("province", "city", "county", "division_code"):
        region.reasons[name] = f"national body ({why}): no region"
    region.reasons["level"] = f"national body {body}"
    return True


def _national_addressee(body: str) -> str | None:
    """The addressee line of a body written to every province (各省、自治区、直辖市科技厅:), if it has one."""
    for line in body.split("\n")[:ADDRESSEE_LINES]:
        line = line.strip()
        if line.startswith("各"):
            return line[:30] if NATIONAL_ADDRESSEE.match(line) else None
    return None


def _resolve_from_chain(region: Region, issuer: str, source: str, chain: list[Mention],
                        gather: Callable[[], Evidence], vocab: Vocabulary) -> None:
    """The issuer names its place: use it, and let the evidence settle an ambiguous name."""
    candidates = _chain_candidates(chain)
    zone = chain[-1].zone or is_zone_org(issuer, vocab)
    chosen, note = candidates[0], f"{source} {issuer}"
    if len({d.code for d in candidates}) > 1 and all(d.tier == chosen.tier for d in candidates):
        evidence = gather()
        scored = sorted(((evidence.province.get(d.province, 0.0) + evidence.city.get(d.city or "", 0.0), d)
                         for d in candidates), key=lambda item: -item[0])
        if scored[0][0] == scored[1][0]:
            names = ", ".join(f"{d.province}{d.city or ''}{d.name}" for d in candidates)
            for name in ("province", "city", "county", "division_code"):
                region.reasons[name] = f"{note}: {chain[-1].text} may be {names}; nothing else tells"
            region.level = "zone" if zone else _tier_level(chosen)
            region.reasons["level"] = note
            return
        chosen = scored[0][1]
        context = evidence.why(chosen.city) or evidence.why(chosen.province)
        others = "; ".join(f"{d.province}{d.city or ''}" for _, d in scored[1:])
        note += f": {chain[-1].text} is ambiguous; context ({context}) points to " \
                f"{chosen.province}{chosen.city or ''}, not {others}"
    _fill(region, chosen)
    region.level = "zone" if zone else _tier_level(chosen)
    for name in ("province", "city", "division_code"):
        region.reasons[name] = note
    region.reasons["county"] = note if region.county else f"{note} (names no county)"
    region.reasons["level"] = f"{source} {issuer} is a {'development zone' if zone else region.level + ' body'}"


def _resolve_from_evidence(region: Region, tier: str | None, issuer: str, evidence: Evidence,
                           min_body_only: float, divisions: DivisionIndex) -> None:
    """No issuer names its place: vote with the title, doc number, source hint, signature and body."""
    province, score = evidence.best(evidence.province)
    # a body that names one province only, by its own full name (河南省), names its province; a municipality's
    # name is also that of its institutions (北京证券交易所, 上海证券报) and needs more
    alone = len(evidence.province) == 1 and province in evidence.full_provinces and province not in MUNICIPALITIES
    weak = province is not None and province not in evidence.strong and score < min_body_only and not alone
    scattered = province is not None and not evidence.strong and len(evidence.province) >= SCATTERED_PLACES \
        and score <= sum(evidence.province.values()) / 2
    if province is None or weak or scattered:
        why = f"evidence too weak ({evidence.why(province)})" if weak else \
            f"the body names places in {len(evidence.province)} provinces; none is its own" if scattered else \
            "no place named in issuer, title, doc number, source or opening lines"
        for name in ("province", "city", "county", "division_code"):
            region.reasons[name] = why
    else:
        city = None
        if tier != "provincial":
            in_province = {c for c, d in divisions.cities.items() if d.province == province}
            named = in_province & evidence.strong
            # a province named by the title, doc number or hint is not narrowed by body mentions, except by the
            # city a body speaks as (a city's 转发 of a provincial notice: 结合我市实际 … 郑州市)
            pool = named or (in_province & evidence.own) or (set() if province in evidence.strong else in_province)
            city, city_score = evidence.best(evidence.city, pool)
            votes = [score for name, score in evidence.city.items() if name in pool]
            # a body listing the parks or firms of many cities (深圳…, 广州…, 东莞…) speaks for none of them
            scattered_cities = len(votes) >= SCATTERED_PLACES and city_score <= sum(votes) / 2
            if city and city not in evidence.strong and (city_score < min_body_only or scattered_cities):
                city = None
        division = divisions.cities[city] if city else divisions.provinces[province]
        # a title or signature naming one county-level city of that city, never the city itself, names its place
        towns = evidence.strong_towns.get(city or "", {})
        if len(towns) == 1 and city not in evidence.strong_cities:
            division = next(iter(towns.values()))
        _fill(region, division)
        region.reasons["province"] = evidence.why(province)
        region.reasons["city"] = evidence.why(city) if city else (
            "province-level document" if tier == "provincial" or province in MUNICIPALITIES else "no city named")
        region.reasons["county"] = f"{division.name}, the one county-level city that title, doc number or " \
            f"signature names in {city}" if division.tier == "county" else "no county named by an issuer"
        region.reasons["division_code"] = f"code of {division.name}"
        if not tier:
            region.level = _tier_level(division)
            region.reasons["level"] = f"most specific place named: {division.name}"
    if tier:
        region.level = tier
        if issuer:
            region.reasons["level"] = f"issuer {issuer} ({tier})"
