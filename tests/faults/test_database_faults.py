"""Faults 5 and 12: a database that cannot be used ends every command that opens it with one line naming the
database and exit 3, never a traceback, and a damaged file is left exactly as it was.

Each fault is made for real on a copy of a sound database: random bytes, the file cut to half its size, a
wrong header, pages in the middle overwritten with random bytes (which only PRAGMA quick_check finds before
a command reads around them), another process holding the write lock past the busy timeout, a read-only
file or folder, and a full disk (a tmpfs filled to its last page, in a user and mount namespace of its own).
The same command lines on the sound copy give each command's ordinary outcome, so the exit 3 comes from the
fault.
"""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

import storage.db
from crawler.cli import main
from pipelines.store import assign_policy
from storage.db import open_db
from storage.documents import upsert_document
from storage.pages import save_page
from tests.support.mirror import DEMO_SOURCES, FAST, ROOT, refusing_port

DOCUMENTS = 40
BUSY_TIMEOUT = "0.5"
PAGE = 4096
SHM_BYTES = 32768  # WAL's shared-memory file: what a reader needs on disk before it can read


@dataclass(frozen=True)
class Command:
    """A command line ({db}, {site}, {port}, {policy} filled per test), whether it writes to the database, and
    its outcome on the sound database (exit status, a line of its output), or None when it runs until stopped."""

    args: tuple[str, ...]
    writes: bool
    healthy: tuple[int, str] | None


COMMANDS = {
    # Every source is refused (the mirror port refuses connections): exit 2 after the run's summary.
    "crawl": Command(("crawl", "--config", str(DEMO_SOURCES), "--var", "mirror=http://127.0.0.1:{port}",
                      "--source", "huaxiataike", *FAST, "--db", "{db}"), True, (2, "crawl run 1:")),
    "reclassify": Command(("reclassify", "--db", "{db}"), True, (0, f"reclassified {DOCUMENTS} documents")),
    "digest": Command(("digest", "--db", "{db}"), True, (0, "digest: 0 due, 0 sent (0 policies), 0 with nothing new")),
    "subscribe": Command(("subscribe", "li@example.org", "--daily", "--db", "{db}"), True,
                         (0, "subscribed li@example.org")),
    "serve": Command(("serve", "--dir", "{site}", "--port", "0", "--db", "{db}"), True, None),
    "schedule": Command(("schedule", "--config", str(DEMO_SOURCES), "--var", "mirror=http://127.0.0.1:{port}",
                         "--db", "{db}"), True, None),
    "feeds": Command(("feeds", "--db", "{db}", "--out", "{site}"), False,
                     (0, f"from {DOCUMENTS} relevant policies; index.html with {DOCUMENTS} rows")),
    "search": Command(("search", "补助", "--db", "{db}", "--limit", "100"), False, (0, f"{DOCUMENTS} policies")),
    "export": Command(("export", "--db", "{db}"), False, (0, '"url": "https://kjt.example.gov.cn/0.html"')),
    "policies list": Command(("policies", "list", "--db", "{db}"), False, (0, f"{DOCUMENTS} of {DOCUMENTS} policies")),
    "policies show": Command(("policies", "show", "{policy}", "--db", "{db}"), False, (0, "policy {policy}")),
    "status": Command(("status", "--config", str(DEMO_SOURCES), "--var", "mirror=http://127.0.0.1:{port}",
                       "--db", "{db}"), False, (0, "last cycles:")),
    "subscriptions": Command(("subscriptions", "--db", "{db}"), False, (0, "0 active of 0 subscriptions")),
    "sources check": Command(("sources", "check", "huaxiataike", "--config", str(DEMO_SOURCES), "--var",
                              "mirror=http://127.0.0.1:{port}", "--db", "{db}"), False,
                             (1, "huaxiataike: http://127.0.0.1:{port}/huaxiataike/news/")),
}
WRITERS = [name for name, command in COMMANDS.items() if command.writes and command.healthy]
READERS = [name for name, command in COMMANDS.items() if not command.writes]
ENDING = [name for name, command in COMMANDS.items() if command.healthy]


# --- the sound database and its damaged copies ------------------------------------------------------

@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A sound database of DOCUMENTS relevant documents with their raw pages, as bytes, and a policy id."""
    path = tmp_path_factory.mktemp("sound") / "pw.db"
    db = open_db(path)
    rng = random.Random(12)
    policy = None
    for n in range(DOCUMENTS):
        url = f"https://kjt.example.gov.cn/{n}.html"
        title = f"关于组织申报第{n}批高新技术企业认定补助的通知"
        upsert_document(db, {
            "url": url, "source_id": "synthetic", "source_kind": "government", "title": title,
            "issuer": "湖南省科学技术厅", "publish_date": "2026-01-05", "first_seen": "2026-01-05T08:00:00+08:00",
            "province": "湖南省", "level": "provincial", "doc_type": "通知", "topics": ["hitech-enterprise"],
            "incentives": [{"amount_wan": 10 + n, "amount_max_wan": None, "kind": "补助", "beneficiary": "企业",
                            "condition": None, "text": f"补助{10 + n}万元"}],
            "has_incentive": 1, "max_amount_wan": 10 + n, "is_relevant": 1, "relevance": 0.9,
            "text": f"{title}。对首次认定的高新技术企业给予{10 + n}万元补助。" * 20, "content_hash": f"h{n}"})
        policy = assign_policy(db, url).policy_id
        save_page(db, request_key=url, url=url, source_id="synthetic", kind="detail", status=200,
                  body=rng.randbytes(3000), fetched_at="2026-01-05T08:00:00+08:00")
    db.conn.close()
    return {"bytes": path.read_bytes(), "policy": policy}


def junk(data: bytes) -> bytes:
    return random.Random(1).randbytes(len(data))


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def wrong_header(data: bytes) -> bytes:
    return b"Not a database!\x00" + data[16:]


def overwritten(data: bytes) -> bytes:
    """Three pages in the middle of the file overwritten with random bytes (the header and page 1 intact)."""
    damaged = bytearray(data)
    rng = random.Random(7)
    pages = len(data) // PAGE
    for page in rng.sample(range(pages // 4, 3 * pages // 4), 3):
        damaged[page * PAGE:(page + 1) * PAGE] = rng.randbytes(PAGE)
    return bytes(damaged)


DAMAGE = {
    "junk": (junk, "is unusable: file is not a database"),
    "truncated": (truncated, "is unusable: it is corrupt (database disk image is malformed)"),
    "wrong header": (wrong_header, "is unusable: file is not a database"),
    # quick_check names the first damaged page it meets, or SQLite reports the page as malformed.
    "overwritten": (overwritten, "is unusable: it is corrupt ("),
}


def test_overwritten_pages_are_damage_only_a_check_finds_before_use(sound: dict, tmp_path: Path) -> None:
    """The premise of the `overwritten` case: the schema still reads, so without quick_check a command would
    open the file and go ahead; quick_check says it is corrupt."""
    path = tmp_path / "pw.db"
    path.write_bytes(overwritten(sound["bytes"]))
    connection = sqlite3.connect(path)
    assert connection.execute("select count(*) from sqlite_master").fetchone()[0] > 20
    try:
        report = [row[0] for row in connection.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        report = [str(exc)]
    connection.close()
    assert report != ["ok"]
    open_db(path).conn.close()


# --- running a command --------------------------------------------------------------------------------

def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def port() -> Iterator[int]:
    """A mirror address that refuses connections (crawls and source checks fail at once)."""
    with refusing_port() as number:
        yield number


def argv(name: str, db: Path, site: Path, port: int, policy: str) -> list[str]:
    """The command's line for this database."""
    fill = {"db": str(db), "site": str(site), "port": str(port), "policy": policy}
    return [part.format(**fill) for part in COMMANDS[name].args]


def run(args: list[str], prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """`policywatch ARGS` in a fresh process (behind `prefix`), with a short busy timeout."""
    env = {**os.environ, "POLICYWATCH_BUSY_TIMEOUT": BUSY_TIMEOUT}
    return subprocess.run([*prefix, sys.executable, "-m", "crawler", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def assert_one_line(done: subprocess.CompletedProcess, db: Path, problem: str, exact: bool = True) -> None:
    """Exit 3 and one line, naming the database and its problem, on stdout and stderr together."""
    lines = (done.stdout + done.stderr).splitlines()
    assert "Traceback" not in done.stdout + done.stderr
    assert len(lines) == 1, lines
    expected = f"policywatch: database {db} {problem}"
    assert lines[0] == expected if exact else lines[0].startswith(expected), lines[0]
    assert done.returncode == 3


def assert_healthy(done: subprocess.CompletedProcess, name: str, port: int, policy: str) -> None:
    """The command's outcome on a sound database."""
    status, line = COMMANDS[name].healthy
    assert done.returncode == status, done.stdout + done.stderr
    assert line.format(port=port, policy=policy) in done.stdout


@pytest.fixture()
def places(tmp_path: Path) -> tuple[Path, Path]:
    """(the database's path in a folder of its own, the site folder)."""
    (tmp_path / "data").mkdir()
    site = tmp_path / "site"
    site.mkdir()
    return tmp_path / "data" / "pw.db", site


# --- a sound database ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ENDING)
def test_each_command_line_does_its_ordinary_work_on_the_sound_database(name: str, sound: dict, places, port) -> None:
    db, site = places
    db.write_bytes(sound["bytes"])
    assert_healthy(run(argv(name, db, site, port, sound["policy"])), name, port, sound["policy"])


# --- a damaged file ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fault", list(DAMAGE))
@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_damaged_file_ends_the_command_in_one_line_and_is_left_as_it_was(name: str, fault: str, sound: dict,
                                                                           places, port) -> None:
    db, site = places
    damage, problem = DAMAGE[fault]
    db.write_bytes(damage(sound["bytes"]))
    before = digest(db)
    done = run(argv(name, db, site, port, sound["policy"]))
    assert_one_line(done, db, problem, exact=not problem.endswith("("))
    assert digest(db) == before
    assert list(site.iterdir()) == []  # nothing published from it


def test_past_the_size_quick_check_covers_a_damaged_page_read_mid_command_gives_the_same_one_line(
        sound: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file larger than QUICK_CHECK_MAX_BYTES is opened unchecked; the damaged page SQLite then meets while
    `export` reads the documents ends it in the same line, before any record is written."""
    db = tmp_path / "pw.db"
    db.write_bytes(sound["bytes"])
    connection = sqlite3.connect(db)
    root = connection.execute("select rootpage from sqlite_master where name = 'documents'").fetchone()[0]
    connection.close()
    damaged = bytearray(sound["bytes"])
    damaged[(root - 1) * PAGE:root * PAGE] = random.Random(3).randbytes(PAGE)
    db.write_bytes(bytes(damaged))
    monkeypatch.setattr(storage.db, "QUICK_CHECK_MAX_BYTES", len(damaged) - 1)
    result = CliRunner().invoke(main, ["export", "--db", str(db)])
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"policywatch: database {db} is unusable: it is corrupt (database disk image is malformed)\n"
    assert db.read_bytes() == damaged


# --- another process holds the write lock ------------------------------------------------------------

@pytest.fixture()
def locked(sound: dict, places) -> Iterator[Path]:
    """The sound database with another process (this one) holding its write lock (BEGIN EXCLUSIVE)."""
    db = places[0]
    db.write_bytes(sound["bytes"])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield db
    holder.execute("ROLLBACK")
    holder.close()


@pytest.mark.parametrize("name", WRITERS)
def test_a_write_lock_held_past_the_busy_timeout_stops_a_command_that_writes(name: str, sound: dict, locked: Path,
                                                                            places, port) -> None:
    before = digest(locked)
    done = run(argv(name, locked, places[1], port, sound["policy"]))
    assert_one_line(done, locked, f"is locked by another process (waited {BUSY_TIMEOUT} s)")
    assert digest(locked) == before


@pytest.mark.parametrize("name", READERS)
def test_a_command_that_only_reads_goes_ahead_while_another_process_holds_the_write_lock(
        name: str, sound: dict, locked: Path, places, port) -> None:
    assert_healthy(run(argv(name, locked, places[1], port, sound["policy"])), name, port, sound["policy"])


# --- read-only file or folder ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def unprivileged() -> tuple[str, ...]:
    """A prefix that runs a command without root's power to write a read-only file (none when not root)."""
    if os.geteuid() != 0:
        return ()
    prefix = ("unshare", "--user")
    if shutil.which("unshare") is None or subprocess.run([*prefix, "true"], capture_output=True).returncode:
        pytest.skip("running as root without user namespaces: read-only files stay writable")
    return prefix


@pytest.mark.parametrize("name", WRITERS)
def test_a_read_only_file_stops_a_command_that_writes(name: str, sound: dict, places, port, unprivileged) -> None:
    db, site = places
    db.write_bytes(sound["bytes"])
    db.chmod(0o444)
    before = digest(db)
    done = run(argv(name, db, site, port, sound["policy"]), unprivileged)
    assert_one_line(done, db, "is read-only (attempt to write a readonly database)")
    assert digest(db) == before


@pytest.mark.parametrize("name", READERS)
def test_a_command_that_only_reads_goes_ahead_on_a_read_only_file(name: str, sound: dict, places, port,
                                                                  unprivileged) -> None:
    db, site = places
    db.write_bytes(sound["bytes"])
    db.chmod(0o444)
    done = run(argv(name, db, site, port, sound["policy"]), unprivileged)
    assert_healthy(done, name, port, sound["policy"])


@pytest.mark.parametrize("name", ENDING)
def test_a_read_only_folder_ends_every_command_in_one_line(name: str, sound: dict, places, port,
                                                          unprivileged) -> None:
    """WAL needs its -shm and -wal files beside the database, so even a reader cannot open it."""
    db, site = places
    db.write_bytes(sound["bytes"])
    before = digest(db)
    db.parent.chmod(0o555)
    try:
        done = run(argv(name, db, site, port, sound["policy"]), unprivileged)
    finally:
        db.parent.chmod(0o755)
    assert_one_line(done, db, f"is read-only: its folder {db.parent.resolve()} is not writable "
                              "(attempt to write a readonly database)")
    assert digest(db) == before


# --- a full disk -------------------------------------------------------------------------------------

FULL_DISK = """\
set -u
mount -t tmpfs -o size=4m tmpfs "$DISK" || exit 90
cp "$SOUND" "$DISK/pw.db"
if [ "$ROOM" -gt 0 ]; then dd if=/dev/zero of="$DISK/room" bs="$ROOM" count=1 2>/dev/null; fi
dd if=/dev/zero of="$DISK/filler" bs=4096 2>/dev/null
rm -f "$DISK/room"
"$@"
status=$?
cp "$DISK/pw.db" "$AFTER"
exit $status
"""


@pytest.fixture(scope="module")
def namespaces(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip unless this system lets a process mount a tmpfs in user and mount namespaces of its own."""
    where = tmp_path_factory.mktemp("probe")
    probe = ["unshare", "--user", "--map-root-user", "--mount", "mount", "-t", "tmpfs", "tmpfs", str(where)]
    if shutil.which("unshare") is None or subprocess.run(probe, capture_output=True).returncode:
        pytest.skip("no user and mount namespaces here: a full disk cannot be made without root")


def on_full_disk(args: list[str], sound: Path, disk: Path, after: Path, room: int) -> subprocess.CompletedProcess:
    """Run `policywatch ARGS` on a copy of `sound` at `disk`/pw.db, a tmpfs filled but for `room` bytes; the
    database as the command left it is copied to `after`."""
    env = {**os.environ, "POLICYWATCH_BUSY_TIMEOUT": BUSY_TIMEOUT, "DISK": str(disk), "SOUND": str(sound),
           "AFTER": str(after), "ROOM": str(room)}
    return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", FULL_DISK, "sh",
                           sys.executable, "-m", "crawler", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)


@pytest.fixture()
def disk(tmp_path: Path, sound: dict, namespaces: None) -> dict:
    """Where the full disk is mounted, the sound database beside it, and where the command's result is kept."""
    (tmp_path / "disk").mkdir()
    (tmp_path / "site").mkdir()
    (tmp_path / "sound.db").write_bytes(sound["bytes"])
    return {"db": tmp_path / "disk" / "pw.db", "sound": tmp_path / "sound.db", "site": tmp_path / "site",
            "after": tmp_path / "after.db", "disk": tmp_path / "disk"}


@pytest.mark.parametrize("name", ENDING)
def test_a_full_disk_ends_every_command_in_one_line(name: str, sound: dict, disk: dict, port) -> None:
    """Not one page free: WAL's shared-memory file cannot be made, which SQLite reports as an I/O error."""
    done = on_full_disk(argv(name, disk["db"], disk["site"], port, sound["policy"]), disk["sound"], disk["disk"],
                        disk["after"], room=0)
    assert_one_line(done, disk["db"], "is unusable: the disk is full (disk I/O error; ", exact=False)
    assert digest(disk["after"]) == digest(disk["sound"])


@pytest.mark.parametrize("name", ["crawl", "subscribe"])
def test_a_disk_with_room_only_for_reading_stops_a_command_at_its_first_write(name: str, sound: dict, disk: dict,
                                                                              port) -> None:
    """Room for the shared-memory file only: the checks on open pass, the first write fails. For `crawl` that
    write is the spider's (it records the run as it starts), so this is also the crawl that fails after the
    check and before Scrapy gets going."""
    done = on_full_disk(argv(name, disk["db"], disk["site"], port, sound["policy"]), disk["sound"], disk["disk"],
                        disk["after"], room=max(SHM_BYTES, os.sysconf("SC_PAGE_SIZE")))
    assert_one_line(done, disk["db"], "is unusable: the disk is full (database or disk is full)")
    assert digest(disk["after"]) == digest(disk["sound"])


@pytest.mark.parametrize("name", READERS)
def test_a_command_that_only_reads_goes_ahead_on_a_disk_with_room_for_reading(name: str, sound: dict, disk: dict,
                                                                              port) -> None:
    done = on_full_disk(argv(name, disk["db"], disk["site"], port, sound["policy"]), disk["sound"], disk["disk"],
                        disk["after"], room=max(SHM_BYTES, os.sysconf("SC_PAGE_SIZE")))
    assert_healthy(done, name, port, sound["policy"])
