"""A deadline's state on the run's day: the one function page, feeds, calendar, digests and the open filter read."""
from datetime import date, datetime, timedelta, timezone

import pytest

from core.clock import BEIJING
from feeds.deadlines import (CLOSED, NO_DEADLINE, OPEN, UNKNOWN, DeadlineState, call_status, deadline_state,
                             deadline_states, deadlines_text, is_closed, is_open, judged_on, judging_day,
                             last_deadline, next_deadline, run_day)

DAY = date(2026, 12, 7)


@pytest.mark.parametrize("deadline, status, days_left, label, text", [
    ("2026-12-07", OPEN, 0, "今天截止", "2026-12-07（今天截止）"),
    ("2026-12-08", OPEN, 1, "明天截止", "2026-12-08（明天截止）"),
    ("2026-12-09", OPEN, 2, "还剩 2 天", "2026-12-09（还剩 2 天）"),
    ("2027-01-06", OPEN, 30, "还剩 30 天", "2027-01-06（还剩 30 天）"),
    ("2026-12-06", CLOSED, -1, "已截止", "2026-12-06（已截止）"),
    ("2024-06-20", CLOSED, -900, "已截止", "2024-06-20（已截止）"),
    ("2025-11-25", CLOSED, -377, "已截止", "2025-11-25（已截止）"),
    ("2026-02-30", UNKNOWN, None, "", "2026-02-30"),
    ("下月底", UNKNOWN, None, "", "下月底"),
])
def test_one_deadline_on_a_day(deadline, status, days_left, label, text):
    state = deadline_state(deadline, DAY)
    assert (state.deadline, state.status, state.days_left, state.label, state.text) == \
        (deadline, status, days_left, label, text)
    assert state.to_dict() == {"date": deadline, "status": status, "days_left": days_left, "label": label}


def test_closing_is_open_and_at_most_seven_days_away():
    assert [deadline_state(d, DAY).closing for d in ("2026-12-07", "2026-12-14", "2026-12-15", "2026-12-01")] == \
        [True, True, False, False]


def test_every_deadline_of_a_policy_once_earliest_first():
    states = deadline_states(["2026-12-20", "2025-11-20", "不详", "2026-12-20", " 2026-12-07 ", ""], DAY)
    assert states == [DeadlineState("2025-11-20", CLOSED, -382), DeadlineState("2026-12-07", OPEN, 0),
                      DeadlineState("2026-12-20", OPEN, 13), DeadlineState("不详", UNKNOWN, None)]
    assert deadlines_text(["2025-11-25", "2025-11-20"], DAY) == "2025-11-20（已截止）、2025-11-25（已截止）"
    assert deadlines_text([], DAY) == ""


@pytest.mark.parametrize("deadlines, status", [
    ([], NO_DEADLINE),
    (["不详"], NO_DEADLINE),
    (["2025-11-20", "2025-11-25"], CLOSED),
    (["2026-12-06"], CLOSED),
    (["2026-12-07"], OPEN),                      # open through the whole deadline day
    (["2025-11-20", "2026-12-20"], OPEN),        # one deadline left is enough
    (["不详", "2026-01-01"], CLOSED),
])
def test_a_policy_is_an_open_call_a_closed_call_or_neither(deadlines, status):
    assert call_status(deadlines, DAY) == status
    assert is_open(deadlines, DAY) == (status == OPEN)
    assert is_closed(deadlines, DAY) == (status == CLOSED)


def test_next_and_last_deadline():
    deadlines = ["2026-12-20", "2025-11-20", "2026-12-10"]
    assert next_deadline(deadlines, DAY) == DeadlineState("2026-12-10", OPEN, 3)
    assert last_deadline(deadlines, DAY) == DeadlineState("2026-12-20", OPEN, 13)
    assert next_deadline(["2025-11-20"], DAY) is None
    assert last_deadline(["2025-11-20", "2025-11-25"], DAY).text == "2025-11-25（已截止）"
    assert last_deadline(["不详"], DAY) is None


def test_the_run_day_is_the_beijing_date_of_the_run_clock():
    assert run_day(datetime(2026, 12, 6, 15, 59, tzinfo=timezone.utc)) == date(2026, 12, 6)
    assert run_day(datetime(2026, 12, 6, 16, 0, tzinfo=timezone.utc)) == date(2026, 12, 7)   # 00:00 in Beijing
    assert run_day(datetime(2026, 12, 7, 0, 30)) == date(2026, 12, 7)          # naive: Beijing time, as --now
    assert run_day(datetime(2026, 12, 7, 23, 59, tzinfo=BEIJING)) == date(2026, 12, 7)
    # a deadline of 2026-12-06 is still open at 23:59 UTC on the 5th (07:59 on the 6th in Beijing), not after
    assert is_open(["2026-12-06"], run_day(datetime(2026, 12, 5, 23, 59, tzinfo=timezone.utc)))
    assert not is_open(["2026-12-06"], run_day(datetime(2026, 12, 6, 16, 0, tzinfo=timezone.utc)))


def test_a_run_sets_the_day_deadlines_are_judged_on_for_its_duration():
    before = judging_day()
    with judged_on(date(2025, 11, 18)) as day:
        assert day == judging_day() == date(2025, 11, 18)
        with judged_on(date(2030, 1, 1)):
            assert judging_day() == date(2030, 1, 1)
        assert judging_day() == date(2025, 11, 18)
    assert judging_day() == before
    assert abs(judging_day() - run_day(datetime.now(timezone.utc))) <= timedelta(days=1)
