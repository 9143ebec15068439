"""``response_due``: given where set, else creation plus the channel's SLA, None past the calendar."""

from __future__ import annotations

from reviewer.responses.due import response_due


def test_each_case_gets_its_own_due_time_shared_creation_times_included() -> None:
    sla = {"partner": 24.0, "media": 2.5}
    now, other = "2026-12-02 10:00:00.000000", "2026-12-01 23:30:00.250000"
    got = response_due(
        ["partner", "media", "partner", "user", "media", "partner", "media", "partner"],
        [now, now, other, now, other, now, None, "9999-12-31 23:00:00.000000"],
        [None, None, None, None, None, "2027-01-01 00:00:00.000000", None, None],
        sla,
    )
    assert got == [
        "2026-12-03 10:00:00.000000",
        "2026-12-02 12:30:00.000000",
        "2026-12-02 23:30:00.250000",
        None,  # a channel that expects no response
        "2026-12-02 02:00:00.250000",
        "2027-01-01 00:00:00.000000",  # given by the line
        None,  # no creation time
        None,  # past the end of the calendar
    ]
