"""The shared frontier of a distributed crawl: one Redis that every crawl worker, processing worker and the
store worker talk to. Keys (under a prefix, `policywatch` by default):

    <p>:requests:host:<host>, <p>:requests:hosts, <p>:requests:count
                             the request queue (crawler.distributed.crawl.HostQueue): a list per host,
                             the hosts by when each may next be asked, and how many requests wait
    <p>:claimed:<run>        detail URLs and files taken by some node in run <run> (scrapy-redis RFPDupeFilter)
    <p>:known, <p>:files     document URLs and file URLs stored in the database (the store worker adds them
                             after its commit: "known" means stored, as on one machine)
    <p>:fetched              stream: what crawl workers fetched → processing workers (group `process`)
    <p>:processed            stream: processed pages and crawl events → the store worker (group `store`)
    <p>:lease:<host>         one host's politeness lease: while it lives, no node starts a request there
    <p>:list:<sha1>          a stored list page's body and validators (ETag, Last-Modified): any node's
                             conditional GET, and the page to read on its 304
    <p>:nodes                node name → its last heartbeat (role, host, pid, counters)
    <p>:runs, <p>:run:<id>:counts, <p>:run:<id>:reasons
                             open runs; their counters and exit reasons per source, from every node

Stream entries are delivered at least once: an entry stays pending until its consumer acknowledges it
after its work is done, and an entry pending longer than `claim_after` seconds (its consumer died) is
claimed by another consumer of the group. Consumers are idempotent (a page stored twice is stored once).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import socket
import time
from dataclasses import dataclass
from typing import Any, Iterable

import redis

DEFAULT_PREFIX = "policywatch"
FETCHED, PROCESSED = "fetched", "processed"
GROUPS = {FETCHED: "process", PROCESSED: "store"}
CLAIM_TTL = 7 * 24 * 3600   # seconds a run's claimed set outlives its last claim
LIST_COPY_TTL = 3 * 24 * 3600


# Take a host's lease for ARGV[2] ms when nobody holds it, and keep the host queue (KEYS[2], a sorted set of hosts
# by the time each may next be asked) from handing the host out meanwhile.
TAKE_LEASE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', KEYS[2], 'XX', 'GT', now + tonumber(ARGV[2]), ARGV[3])
  return 1
end
return 0
"""

# Shorten a lease to its last ARGV[2] ms only when it is still the holder's (a lease that ran out and was taken by
# another request is left alone), and tell the host queue (KEYS[2]) when the host is free.
END_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), ARGV[3])
  return 1
end
return 0
"""


class FrontierUnavailable(Exception):
    """The frontier's Redis cannot be reached (one line: which address, and why)."""


@dataclass(frozen=True)
class Entry:
    """One stream entry: its id, what it carries (`kind`) and the carried object."""

    id: bytes
    kind: str
    payload: Any


def node_name() -> str:
    """This process's name among the nodes: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Frontier:
    """The Redis of a distributed crawl (see the module docstring for its keys)."""

    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX, claim_after: float = 60.0) -> None:
        self.url = url
        self.prefix = prefix
        self.claim_after = claim_after
        self.redis = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10,
                                          health_check_interval=30)

    def key(self, *parts: Any) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    def check(self) -> None:
        """Raise FrontierUnavailable unless the Redis answers."""
        try:
            self.redis.ping()
        except redis.RedisError as exc:
            raise FrontierUnavailable(f"frontier {self.url}: {' '.join(str(exc).split())}") from exc

    # --- requests ------------------------------------------------------------------------
    @property
    def requests_key(self) -> str:
        return self.key("requests")

    def queue_length(self) -> int:
        """Requests waiting in the shared queue."""
        return int(self.redis.get(self.requests_key + ":count") or 0)

    def claimed_key(self, run_id: Any) -> str:
        return self.key("claimed", run_id)

    # --- what is stored ------------------------------------------------------------------
    def known(self, urls: Iterable[str]) -> set[str]:
        """The document URLs among `urls` that are stored."""
        return self._members("known", urls)

    def stored_files(self, urls: Iterable[str]) -> set[str]:
        """The file URLs among `urls` that are stored."""
        return self._members("files", urls)

    def mark_known(self, urls: Iterable[str]) -> None:
        self._add("known", urls)

    def mark_files(self, urls: Iterable[str]) -> None:
        self._add("files", urls)

    def _members(self, name: str, urls: Iterable[str]) -> set[str]:
        urls = list(dict.fromkeys(urls))
        if not urls:
            return set()
        flags = self.redis.smismember(self.key(name), urls)
        return {url for url, flag in zip(urls, flags) if flag}

    def _add(self, name: str, urls: Iterable[str]) -> None:
        urls = list(urls)
        for start in range(0, len(urls), 1000):
            self.redis.sadd(self.key(name), *urls[start:start + 1000])

    # --- list copies (304 to a seeded conditional GET) -----------------------------------
    def list_copy_key(self, request_key: str) -> str:
        return self.key("list", hashlib.sha1(request_key.encode()).hexdigest())

    def put_list_copy(self, request_key: str, body: bytes, etag: str | None, last_modified: str | None) -> None:
        """Keep a stored list page's body and validators, for any node's conditional GET and its 304."""
        key = self.list_copy_key(request_key)
        pipe = self.redis.pipeline()
        pipe.delete(key)
        pipe.hset(key, mapping={"body": body, "etag": etag or "", "last_modified": last_modified or ""})
        pipe.expire(key, LIST_COPY_TTL)
        pipe.execute()

    def list_copy(self, request_key: str) -> bytes | None:
        return self.redis.hget(self.list_copy_key(request_key), "body")

    def list_validators(self, request_key: str) -> tuple[str | None, str | None]:
        etag, last_modified = self.redis.hmget(self.list_copy_key(request_key), "etag", "last_modified")
        return (etag.decode() or None if etag else None), (last_modified.decode() or None if last_modified else None)

    # --- streams -------------------------------------------------------------------------
    def publish(self, stream: str, kind: str, payload: Any) -> bytes:
        """Append one entry to `stream` (FETCHED or PROCESSED); returns its id."""
        return self.redis.xadd(self.key(stream), {"kind": kind, "data": pickle.dumps(payload, protocol=5)})

    def ensure_group(self, stream: str) -> None:
        """Create the stream's consumer group (reading from its start) unless it exists."""
        try:
            self.redis.xgroup_create(self.key(stream), GROUPS[stream], id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def read(self, stream: str, consumer: str, count: int = 16, block_ms: int = 1000) -> list[Entry]:
        """The next entries for `consumer`: first those pending longer than `claim_after` under any consumer
        of the group (a dead one's), then new ones (waiting up to `block_ms`)."""
        key, group = self.key(stream), GROUPS[stream]
        _, claimed, _ = self.redis.xautoclaim(key, group, consumer, int(self.claim_after * 1000), "0-0",
                                              count=count)
        entries = [pair for pair in claimed if pair[1]]
        if not entries:
            answer = self.redis.xreadgroup(group, consumer, {key: ">"}, count=count, block=block_ms)
            entries = answer[0][1] if answer else []
        return [Entry(entry_id, fields[b"kind"].decode(), pickle.loads(fields[b"data"]))
                for entry_id, fields in entries]

    def done(self, stream: str, entry_ids: Iterable[bytes]) -> None:
        """Acknowledge entries whose work is done, and drop them from the stream (one group reads each)."""
        entry_ids = list(entry_ids)
        if entry_ids:
            pipe = self.redis.pipeline()
            pipe.xack(self.key(stream), GROUPS[stream], *entry_ids)
            pipe.xdel(self.key(stream), *entry_ids)
            pipe.execute()

    def backlog(self, stream: str) -> int:
        """Entries of `stream` not yet done: unread plus pending."""
        return int(self.redis.xlen(self.key(stream)))

    # --- politeness ----------------------------------------------------------------------
    def take_lease(self, host: str, holder: str, hold: float, hosts_key: str | None = None) -> float:
        """Take `host`'s lease for `holder`, for at most `hold` seconds (a request in flight; `end_lease` shortens
        it when the response comes): 0.0 when taken (the request may start now; the host queue's `hosts_key`, when
        given, then holds the host as long), else the seconds until the current lease ends."""
        taken = self.redis.eval(TAKE_LEASE, 2, self.key("lease", host), hosts_key or self.key("no-hosts"), holder,
                                max(1, int(hold * 1000)), host)
        if taken:
            return 0.0
        remaining = self.redis.pttl(self.key("lease", host))
        return max(remaining, 1) / 1000.0

    def end_lease(self, host: str, holder: str, after: float, hosts_key: str) -> None:
        """End `host`'s lease `after` seconds from now, if `holder` still has it (its request has finished), and
        note in the host queue's `hosts_key` that the host may be asked then."""
        self.redis.eval(END_LEASE, 2, self.key("lease", host), hosts_key, holder, max(1, int(after * 1000)), host)

    # --- nodes and runs ------------------------------------------------------------------
    def heartbeat(self, node: str, role: str, counters: dict[str, Any]) -> None:
        self.redis.hset(self.key("nodes"), node, json.dumps(
            {"role": role, "seen_at": time.time(), "counters": counters}, sort_keys=True))

    def forget_node(self, node: str) -> None:
        self.redis.hdel(self.key("nodes"), node)

    def nodes(self) -> dict[str, dict[str, Any]]:
        """Every node's last heartbeat, by name; `age` is the seconds since it."""
        now = time.time()
        found = {}
        for name, value in self.redis.hgetall(self.key("nodes")).items():
            beat = json.loads(value)
            beat["age"] = round(now - beat["seen_at"], 1)
            found[name.decode()] = beat
        return dict(sorted(found.items()))

    def open_run(self, run_id: int) -> None:
        self.redis.sadd(self.key("runs"), run_id)

    def open_runs(self) -> list[int]:
        return sorted(int(r) for r in self.redis.smembers(self.key("runs")))

    def close_run(self, run_id: int) -> None:
        pipe = self.redis.pipeline()
        pipe.srem(self.key("runs"), run_id)
        pipe.delete(self.key("run", run_id, "counts"), self.key("run", run_id, "reasons"),
                    self.key("run", run_id, "lost"))
        pipe.expire(self.claimed_key(run_id), 3600)
        pipe.execute()

    def lose_node(self, node: str) -> None:
        """A crawl worker died with work in hand: every open run is marked (its sources are read whole next
        time, as after an interrupted crawl), and the node is forgotten."""
        pipe = self.redis.pipeline()
        for run_id in self.open_runs():
            pipe.sadd(self.key("run", run_id, "lost"), node)
        pipe.hdel(self.key("nodes"), node)
        pipe.execute()

    def lost_nodes(self, run_id: Any) -> list[str]:
        return sorted(n.decode() for n in self.redis.smembers(self.key("run", run_id, "lost")))

    def count(self, run_id: Any, source_id: str, counter: str, by: int = 1) -> None:
        self.redis.hincrby(self.key("run", run_id, "counts"), f"{source_id}/{counter}", by)

    def run_counts(self, run_id: Any) -> dict[str, int]:
        """'<source>/<counter>' → its total over every node."""
        return {k.decode(): int(v) for k, v in self.redis.hgetall(self.key("run", run_id, "counts")).items()}

    def exit_reason(self, run_id: Any, source_id: str, reason: str) -> None:
        self.redis.rpush(self.key("run", run_id, "reasons"), json.dumps([source_id, reason], ensure_ascii=False))

    def exit_reasons(self, run_id: Any) -> dict[str, list[str]]:
        reasons: dict[str, list[str]] = {}
        for raw in self.redis.lrange(self.key("run", run_id, "reasons"), 0, -1):
            source_id, reason = json.loads(raw)
            reasons.setdefault(source_id, []).append(reason)
        return reasons
