"""Region, level, document type, topics, relevance and money for one record.

`classify_record(record, source_hint)` reads what extraction found (title, issuer,
doc_number, text, incentives…) and returns the classification fields of the
record (ARCHITECTURE.md): province, city, county, division_code, level, doc_type,
topics, relevance, relevance_reasons, is_relevant, has_incentive,
max_amount_wan, plus `classification_reasons`, one short explanation per field.

Modules: ``vocabulary`` (YAML loading and validation), ``divisions`` (the division dataset),
``prepare`` (the text every rule reads), ``region``, ``doc_type``, ``topics``, ``incentive``,
``relevance``, and ``record`` (``classify_record``, which runs them all).

Every vocabulary, weight and threshold lives in YAML under
pipelines/data/vocab/ (see the comments there for each rule family). The
administrative divisions and the Traditional→Simplified table come from the
data files that jionlp ships; they are read directly, without importing jionlp
(which is slow to import and prints a banner on stdout).

Input fields may be missing or None: every rule works from whatever is there
and leaves a field None, with a reason, when it cannot tell.
"""
