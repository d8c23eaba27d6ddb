"""Duplicate detection for policy pages: canonical URLs, fingerprints, verification, canonical choice.

Pure functions over plain data (no SQL, no Scrapy). ``cluster`` decides which policy a stored
document joins, through the small ``index.PolicyIndex`` interface that ``storage.policies``
implements over SQLite (and that another store could implement).

Modules: ``config`` (thresholds, URL rules), ``urls`` (canonical URLs), ``normalise`` (the text
fingerprints read), ``minhash`` (shingles, signatures, bands), ``pages`` (the fields compared and
the fingerprint), ``diff`` (aligned differences), ``passage`` (the passage two pages share and where
their differences lie), ``verdict`` (verification and conflicts),
``canonical`` (canonical page, policy id), ``revisions`` (what changed in a page), ``index`` (the
storage interface), ``cluster`` (assignment of a document to a policy), ``refusals`` (why a policy's
look-alikes are other policies), ``recluster`` (every stored document assigned again under the current
rules, the differences applied with stable policy ids).

How two pages are judged to carry one policy:

1. **Normalised text.** NFKC (full/half-width forms), Traditional→Simplified (OpenCC ``t2s``),
   dates written one way (2024-03-01 → 2024年3月1日), a Chinese text's Western prose (three Latin words
   in a row: a bilingual database's translation, an English menu) dropped, then everything but letters
   and digits dropped, so white space, punctuation and width never matter. Its SHA-1 is the exact key.
2. **Fingerprint.** The set of character 5-grams of that text, hashed with a stable 64-bit
   polynomial hash (never Python's salted ``hash()``), and its 128-value MinHash
   (multiply-shift hash family, parameters derived from BLAKE2b). The MinHash is cut into
   32 bands of 4 values; each band's hash goes into an indexed table, so candidates are
   found by SQL with nothing to rebuild at start-up (LSH: a pair with Jaccard 0.5 shares a
   band with probability 0.87, one with Jaccard 0.1 with probability 0.003).
   Passage keys (a hash-sampled set of 8-grams, the first 64) find copies the bands miss: a
   truncated copy, a slice, a summary with its clauses re-ordered, a keyword-stuffed copy.
3. **Verification** of every candidate on the exact 5-gram sets: Jaccard and containment
   (the share of the smaller page found in the larger, so a truncated or preamble-less
   repost still matches). Containment 0.80 merges alone; weaker evidence needs a tie: containment
   0.50 or a short text needs a link (原文链接, the same own doc number, the same title naming one
   document — long, or short but specific: 科技型中小企业评价办法, not 专项资金管理办法 — also one
   heading a copy's text), and a long shared passage whose differences lie only at the smaller page's
   edges (spam header, furniture, another cut: ``passage``) needs a link, the same page path on another
   host, the same issuer and date, or to be nearly all of both pages. Then
   conflicts that mark look-alikes which are *not* one policy:
   different own document numbers, different page genres (政策 / 解读 / 公示 / 征求意见稿 and 征求…意见, and
   from the text a news dateline or lead, reported speech 《意见》强调，, 问/答 marks or 起草背景 headings),
   disjoint years in the titles, different issuers of two government pages, addressees (各县（市、区）科技局：)
   or a signature (a body over a date) each page carries as its own (a city's notice quoting a
   province's), bylines naming other reporters (two agencies' reports quoting one policy), and — on
   the aligned texts — a number (year, date, amount) or a word (a city's name)
   replaced by another (a span that is only damage — leftover pinyin, a cut word, stripped digits,
   characters lost to decoding, a few transposed — is no change). A 转发 notice carrying the whole
   forwarded text under a short wrapper is that document (LABELING's dup_group): its own number, body
   and addressees are the wrapper's.

Every threshold is in ``DedupConfig``; the fingerprint recipe (``SCHEME`` plus the shingle,
permutation and band counts) is stored with each signature, so changing it recomputes
signatures instead of mixing two recipes in one index. A page's signature is recomputed when it is
stored again; ``policywatch policies recluster`` recomputes every one and folds the stored pages into
policies again under the current rules.

Per-source URL rules come from a source's ``dedup.url`` entry in the sources file::

    - id: hfwotao
      dedup:
        url:
          keep_params: [id]            # keep only these query parameters (else: drop tracking ones)
          drop_params: [uid, "t_*"]    # more parameters to drop (glob patterns), beside TRACKING_PARAMS
          index_files: [main.htm]      # more directory index names to strip
          lowercase_path: true         # case-insensitive (IIS) paths
          https: true                  # the site answers the same pages on http and https
"""
