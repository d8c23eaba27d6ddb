"""The record's text fields prepared once for every rule: Simplified, NFKC, without sales noise."""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Any, Mapping

from pipelines.classify.vocabulary import Vocabulary
from pipelines.text.noise import default_rules, evidence_text
from pipelines.text.normalise import nfkc, to_simplified as simplified

HAN = re.compile(r"[\u4e00-\u9fff]")
SENTENCE_END = re.compile(r"[。;!?\n]")


def text_value(value: Any) -> str:
    """A record value as text ('' for None and non-strings)."""
    return value if isinstance(value, str) else ""


def to_simplified(text: str, vocab: Vocabulary) -> tuple[str, bool]:
    """NFKC-normalised text, converted to Simplified when it is plainly Traditional.

    Plainly Traditional: the conversion (``pipelines.text.normalise.to_simplified``) changes at least
    ``min_chars`` characters making up ``min_ratio`` of the Han characters, so a Simplified text with a
    stray variant is never touched."""
    text = nfkc(text)
    if not text:
        return text, False
    converted = simplified(text)
    if converted == text:
        return text, False
    count = sum(map(operator.ne, text, converted)) + abs(len(converted) - len(text))
    if count < vocab.text["trad_min_chars"]:
        return text, False
    han = len(HAN.findall(text)) or 1
    if count / han < vocab.text["trad_min_ratio"]:
        return text, False
    return converted, True


def strip_noise(text: str) -> str:
    """The text without reposting sites' sales lines and trailing sales blocks (``data/noise.yaml`` evidence)."""
    return evidence_text(default_rules(), text)


@dataclass
class Doc:
    """The record's text fields, normalised once for every rule."""

    title: str
    policy_title: str
    issuer: str
    doc_number: str
    body: str
    traditional: bool
    _sentences: list[str] | None = None

    @property
    def sentences(self) -> list[str]:
        if self._sentences is None:
            self._sentences = [s.strip() for s in SENTENCE_END.split(self.body) if s.strip()]
        return self._sentences


_LAST_PREPARED: list[tuple[Vocabulary, tuple[str, ...], Doc]] = []  # the last few, newest last
PREPARED_KEPT = 4  # classification's rules and a record's reclassification prepare the same record in turn


def prepare(record: Mapping[str, Any], vocab: Vocabulary) -> Doc:
    """Normalise the record's title, issuer, doc number and text (the last few records' are kept: a Doc is
    never changed after it is made)."""
    values = tuple(text_value(record.get(name)) for name in ("title", "policy_title", "issuer", "doc_number", "text"))
    for kept_vocab, kept_values, doc in _LAST_PREPARED:
        if kept_vocab is vocab and kept_values == values:
            return doc
    doc = _prepare(values, vocab)
    _LAST_PREPARED.append((vocab, values, doc))
    del _LAST_PREPARED[:-PREPARED_KEPT]
    return doc


def _prepare(values: tuple[str, ...], vocab: Vocabulary) -> Doc:
    fields = {}
    converted = False
    for name, raw in zip(("title", "policy_title", "issuer", "doc_number", "text"), values):
        value, was_traditional = to_simplified(raw, vocab)
        fields[name] = value.strip()
        converted = converted or was_traditional
    title = fields["title"]
    body = strip_noise(fields["text"])
    # Reposts glue the title in front of the first line; it must not count twice.
    if title and body.startswith(title):
        body = body[len(title):].lstrip()
    return Doc(title=re.sub(r"\s+", " ", title), policy_title=fields["policy_title"], issuer=fields["issuer"],
               doc_number=fields["doc_number"], body=body, traditional=converted)
