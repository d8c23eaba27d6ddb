"""Scrapy settings for policywatch, plus the POLICYWATCH_* settings (each with its default).

Politeness defaults are for real government sites: robots.txt obeyed, AutoThrottle on,
two requests at a time per domain, retries with exponential backoff, an honest
User-Agent with a contact URL.
"""
from core import record as _record

BOT_NAME = "policywatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

POLICYWATCH_VERSION = "0.1.0"
POLICYWATCH_CONTACT_URL = "https://github.com/policywatch/policywatch#crawler"
USER_AGENT = f"policywatch/{POLICYWATCH_VERSION} (+{POLICYWATCH_CONTACT_URL})"

# --- policywatch settings -------------------------------------------------------------
POLICYWATCH_CONFIG = "config/sources.yaml"          # the sources file
POLICYWATCH_DB = "var/policywatch.db"                # the SQLite file
POLICYWATCH_VARIABLES = {}                           # ${name} substitutions for the sources file
POLICYWATCH_RUN_TRIGGER = "scrapy"                   # who started the run (cli, schedule, demo, scrapy)
POLICYWATCH_ATTACHMENT_MAXSIZE = 20 * 1024 * 1024    # bytes, as sent and after HTTP decoding; larger ones are
                                                     # skipped and recorded (too_large). Archive and PDF limits
                                                     # on what a file inflates to: pipelines/attachments.py
POLICYWATCH_BLOCK_STATUSES = [403, 412, 429, 521]    # list-page answers that mean "blocked", not "nothing new"
POLICYWATCH_RECHECK = False                          # also re-fetch known detail pages (conditional GET) to catch edits
POLICYWATCH_DEDUP = {}                               # DedupConfig overrides (thresholds), see pipelines/dedup.py
POLICYWATCH_DETAIL_RETRY_RUNS = 3                    # runs in which a failed detail page is retried directly
POLICYWATCH_BACKOFF_BASE = 1.0                       # seconds before the first retry; doubles per retry
POLICYWATCH_BACKOFF_MAX = 60.0
POLICYWATCH_MAX_NEW_LINKS = 1000                     # new detail links taken from one list page per run (the rest: next run)
POLICYWATCH_DB_WAIT = 120.0                          # seconds a page's store waits out a database locked by another process
POLICYWATCH_STORE_BATCH = 32                         # pages the writer stores in one transaction at most (pages that come while it is busy wait and go together)
POLICYWATCH_PROCESS_WORKERS = None                   # processes that clean/extract/classify pages (None: cores - 1, at least 1; 0: in the crawl process)
# distributed crawling (opt-in; docs/deployment.md): the shared Redis frontier, and how its workers behave
POLICYWATCH_FRONTIER = None                          # redis://host:port/db (also $POLICYWATCH_FRONTIER for the CLI)
POLICYWATCH_FRONTIER_PREFIX = "policywatch"          # the frontier's keys start with it
POLICYWATCH_DOMAIN_DELAY = None                      # seconds between two requests to one host over every node (None: DOWNLOAD_DELAY)
POLICYWATCH_CLAIM_AFTER = 60.0                       # seconds before a dead consumer's stream entries go to another
POLICYWATCH_IDLE_EXIT = 0.0                          # a crawl worker stops after this many idle seconds (0: never)
POLICYWATCH_POLL = 0.2                               # seconds between a waiting crawl worker's looks at the queue
POLICYWATCH_NODE = None                              # this worker's name among the nodes (None: host:pid)
POLICYWATCH_PROGRESS = False                         # print a progress line (the CLI turns it on for terminals)

# --- Scrapy ----------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts this many tasks for every callback's output, however short: a detail page yields its page and
# its files, a list page its links (Scrapy's 100 cost the crawl process about 3 of its 10 ms a page)
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024                  # pages; attachments use POLICYWATCH_ATTACHMENT_MAXSIZE.
# Both bound a body as sent *and* as decoded: Scrapy's HttpCompressionMiddleware (COMPRESSION_ENABLED, on by
# default) inflates gzip/deflate/br/zstd 64 KiB at a time and drops the response (IgnoreRequest, recorded as
# too_large) once it passes the limit, so a 1 MB gzip page that would inflate to 1 GB costs 16 MB.
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
# `scrapy crawl policy -O items.json|.jsonl|.csv` exports the stored records (pipelines/items.py), in the
# record's field order; CSV cells as `policywatch export --format csv` writes them
FEED_EXPORT_FIELDS = list(_record.RECORD_FIELDS)
FEED_EXPORTERS = {"csv": "pipelines.items.RecordCsvExporter"}
# every failed fetch is one WARNING line from the spider, naming its source; Scrapy's own "Gave up retrying"
# line would repeat it (and at ERROR)
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.SourceScopeMiddleware": 60,       # before robots.txt (100): no request leaves scope
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.SharedRobotsTxtMiddleware": 100,  # Scrapy's, fixed for concurrent waiters
    "crawler.middlewares.BackoffMiddleware": 540,
    "crawler.middlewares.ConditionalGetMiddleware": 560,
}
ITEM_PIPELINES = {
    "pipelines.items.StorePipeline": 800,
}
EXTENSIONS = {
    "crawler.middlewares.ProgressExtension": 500,
}
