"""Text preparation, the one place every stage reads text through.

- ``decode``: bytes to text (declared, sniffed and repaired charsets);
- ``normalise``: width folding, NFKC, Traditional→Simplified, sentences, the display/working text pair;
- ``noise``: what is not part of a policy text (ads, furniture, sales blocks), as data rules.
"""
