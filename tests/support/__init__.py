"""Helpers shared by test files (and by bench/ scripts); fixtures stay in tests/conftest.py.

    pages.py      the labelled pages under tests/fixtures/pages (extraction and cleaning tests)
    lists.py      the saved list pages under tests/fixtures/lists (discovery and site-family tests)
    sources.py    sources files for tests: demo sources with second-level schedules, one-source YAML
    scheduler.py  `policywatch schedule` as a child process and polling its SQLite file
    smtp.py       a real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepts
    policies.py   synthetic policies stored through the real storage functions
"""
