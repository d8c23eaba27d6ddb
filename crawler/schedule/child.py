"""The scheduler's child processes: their `policywatch` command lines, and running one to its end, its time
limit or the scheduler's stop, in its own process group behind a parent-death wrapper."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import IO, Callable

from crawler.logs import CHILD_LOG_FORMAT, parse_child_line
from crawler.schedule.options import ScheduleOptions

logger = logging.getLogger(__package__)  # "crawler.schedule": the scheduler's log lines keep one logger name


@dataclass
class ChildOutcome:
    """How a child command ended: ok, failed, timeout, interrupted or killed (by a signal)."""

    status: str
    exit_code: int | None
    pid: int
    detail: str


def _relay(stream: IO[str], label: str, pid: int, default_level: int, tail: deque) -> None:
    """Log each line a child prints, as the child's own log line where it is one."""
    child_logger = logging.getLogger(f"policywatch.{label}")
    for raw in stream:
        line = raw.rstrip()
        if not line:
            continue
        level, name, message, fields = parse_child_line(line, default_level)
        child_logger.log(level, "%s", message, extra={**fields, "child": label, "pid": pid})
        if level >= logging.WARNING:
            tail.append(message)


def _stop_group(proc: subprocess.Popen, grace: float) -> int:
    """SIGTERM the child's process group, SIGKILL it after `grace` seconds; returns the exit code."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 30.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            return proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    return proc.wait()


# Run in the child between fork and the real command: ask the kernel to SIGKILL this process when
# the thread that forked it exits (PR_SET_PDEATHSIG = 1), then exec. If the scheduler died before
# prctl took effect the parent pid has already changed: exit instead of running unsupervised.
# (A wrapper rather than preexec_fn: preexec_fn is not safe in a process with threads.)
PDEATHSIG_WRAPPER = """\
import ctypes, os, signal, sys
if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_PDEATHSIG) failed: errno %d" % ctypes.get_errno())
if os.getppid() != int(sys.argv[1]):
    sys.exit("the scheduler exited before this child started")
os.execv(sys.argv[2], sys.argv[2:])
"""


def supervised_argv(argv: list[str]) -> list[str]:
    """`argv` behind the parent-death wrapper on Linux (elsewhere unchanged)."""
    if not sys.platform.startswith("linux"):
        return argv
    return [sys.executable, "-S", "-c", PDEATHSIG_WRAPPER, str(os.getpid()), *argv]


def run_child(argv: list[str], label: str, timeout: float, stop: threading.Event, grace: float,
              on_start: Callable[[int], None] | None = None) -> ChildOutcome:
    """Run one policywatch child command to its end, its time limit, or until `stop` is set
    (`on_start(pid)` is called once it runs; if anything here fails, the child is stopped first)."""
    proc = subprocess.Popen(supervised_argv(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", errors="replace", start_new_session=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    logger.info("%s child started (pid %s)", label, proc.pid, extra={"event": "child_started", "child": label,
                                                                     "pid": proc.pid})
    tail: deque[str] = deque(maxlen=3)
    readers = [threading.Thread(target=_relay, args=(stream, label, proc.pid, level, tail), daemon=True)
               for stream, level in ((proc.stdout, logging.INFO), (proc.stderr, logging.WARNING))]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + timeout
    reason = None
    try:
        if on_start is not None:
            on_start(proc.pid)
        while True:
            try:
                code = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                pass
            if stop.is_set() or time.monotonic() > deadline:
                reason = "interrupted" if stop.is_set() else "timeout"
                log = logger.info if reason == "interrupted" else logger.warning  # a stop asked for is no fault
                log("%s child (pid %s): %s, stopping its process group", label, proc.pid, reason,
                    extra={"event": f"child_{reason}", "child": label, "pid": proc.pid})
                code = _stop_group(proc, grace)
                break
    except BaseException:
        _stop_group(proc, grace)  # never leave a child running behind an error in the scheduler
        raise
    for reader in readers:
        reader.join(timeout=10)
    status = reason or ("ok" if code == 0 else "killed" if code < 0 else "failed")
    details = {"timeout": f"no result within {timeout:.0f}s; process group stopped",
               "interrupted": "the scheduler was stopped during this step",
               "killed": f"killed by signal {-code}" if code < 0 else ""}
    detail = details.get(status) or ("" if status == "ok" else f"exit {code}: " + " | ".join(tail))
    return ChildOutcome(status, code, proc.pid, detail)


def policywatch_argv(*args: str) -> list[str]:
    """A `policywatch ARGS` command line running in this interpreter."""
    return [sys.executable, "-m", "crawler", *args]


def crawl_argv(options: ScheduleOptions, source_ids: list[str]) -> list[str]:
    """The crawl child's command line."""
    argv = ["crawl", "--config", str(options.config_snapshot), "--db", str(options.db),
            "--log-level", options.crawl_log_level]
    for name, value in options.variables.items():
        argv += ["--var", f"{name}={value}"]
    for pair in options.crawl_settings:
        argv += ["--set", pair]
    argv += ["--set", "POLICYWATCH_RUN_TRIGGER=schedule", "--set", f"LOG_FORMAT={CHILD_LOG_FORMAT}"]
    if options.frontier:  # the run is queued for the crawl workers; the store worker writes it
        argv += ["--frontier", options.frontier]
    for source_id in source_ids:
        argv += ["--source", source_id]
    return policywatch_argv(*argv)


def feeds_argv(options: ScheduleOptions) -> list[str]:
    """The feeds child's command line."""
    argv = ["feeds", "--db", str(options.db), "--out", str(options.feeds_out)]
    return policywatch_argv(*argv, *(["--base-url", options.feeds_base_url] if options.feeds_base_url else []))


def digest_argv(options: ScheduleOptions) -> list[str]:
    """The digest child's command line."""
    argv = ["digest", "--db", str(options.db)]
    return policywatch_argv(*argv, *(["--config", str(options.digest_config)] if options.digest_config else []))
