"""The .ics export, read back with icalendar and checked against our own expansion."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset, rrulestr
from icalendar import Calendar, Event

from domain.ics import series_to_ics
from domain.recurrence import Override, Series, occurrences

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
LISBON = ZoneInfo("Europe/Lisbon")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def export(
    series: Series, overrides: dict[datetime, Override] | None = None, **extra: str
) -> Calendar:
    data = series_to_ics(
        uid="meeting-7@minga",
        title="Network call",
        series=series,
        overrides=overrides or {},
        now_utc=NOW,
        **extra,
    )
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    return Calendar.from_ical(data)


def masters(cal: Calendar) -> list[Event]:
    return [e for e in cal.walk("VEVENT") if "RECURRENCE-ID" not in e]


def exceptions(cal: Calendar) -> list[Event]:
    return [e for e in cal.walk("VEVENT") if "RECURRENCE-ID" in e]


def tzid_of(event: Event, name: str) -> str | None:
    return event[name].params.get("TZID")


def expand(event: Event, until: datetime) -> list[datetime]:
    """What a calendar app would compute from DTSTART, RRULE and EXDATE."""
    start = event.decoded("DTSTART")
    dates = rruleset()
    dates.rrule(rrulestr(event["RRULE"].to_ical().decode(), dtstart=start))
    exdates = event.get("EXDATE", [])
    for line in exdates if isinstance(exdates, list) else [exdates]:
        for value in line.dts:
            dates.exdate(value.dt)
    return [d.astimezone(UTC) for d in dates.between(start, until, inc=True)]


def lisbon_weekly() -> Series:
    return Series(datetime(2026, 12, 3, 14), "Europe/Lisbon", "FREQ=WEEKLY;BYDAY=TH", HOUR)


def test_weekly_series_with_skip_and_move() -> None:
    series = lisbon_weekly()
    overrides = {
        datetime(2026, 12, 10, 14): Override(datetime(2026, 12, 10, 14), skipped=True),
        datetime(2026, 12, 17, 14): Override(
            datetime(2026, 12, 17, 14), new_start_utc=utc(2026, 12, 18, 10)
        ),
        datetime(2026, 12, 11, 14): Override(datetime(2026, 12, 11, 14), skipped=True),  # stale
    }
    cal = export(series, overrides, description="Agenda in the pad", url="https://pad.example/7")
    assert str(cal["PRODID"]) == "-//Minga//EN"
    assert str(cal["VERSION"]) == "2.0"
    timezones = list(cal.walk("VTIMEZONE"))
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Lisbon"]
    assert {c.name for c in timezones[0].subcomponents} == {"STANDARD", "DAYLIGHT"}

    [master] = masters(cal)
    assert str(master["UID"]) == "meeting-7@minga"
    assert str(master["SUMMARY"]) == "Network call"
    assert str(master["DESCRIPTION"]) == "Agenda in the pad"
    assert str(master["URL"]) == "https://pad.example/7"
    assert tzid_of(master, "DTSTART") == "Europe/Lisbon"
    assert master.decoded("DTSTART") == datetime(2026, 12, 3, 14, tzinfo=LISBON)
    assert master.decoded("DTEND") == datetime(2026, 12, 3, 15, tzinfo=LISBON)
    assert master.decoded("DTSTAMP") == NOW
    rrule = master["RRULE"]
    assert rrule["FREQ"] == ["WEEKLY"] and rrule["BYDAY"] == ["TH"]
    exdate = master["EXDATE"]
    assert exdate.params["TZID"] == "Europe/Lisbon"
    assert [d.dt for d in exdate.dts] == [datetime(2026, 12, 10, 14, tzinfo=LISBON)]

    [moved] = exceptions(cal)
    assert str(moved["UID"]) == "meeting-7@minga"
    assert tzid_of(moved, "RECURRENCE-ID") == "Europe/Lisbon"
    assert moved.decoded("RECURRENCE-ID") == datetime(2026, 12, 17, 14, tzinfo=LISBON)
    assert moved.decoded("DTSTART") == utc(2026, 12, 18, 10)
    assert moved.decoded("DTEND") == utc(2026, 12, 18, 11)

    # Apps expanding the master see what we see, minus the moved occurrence.
    ours = occurrences(
        series, utc(2026, 12, 1), utc(2027, 12, 1), {k: overrides[k] for k in overrides}
    )
    unmoved = [o.start_utc for o in ours if not o.moved]
    moved_original = datetime(2026, 12, 17, 14, tzinfo=LISBON).astimezone(UTC)
    expected = sorted([*unmoved, moved_original])
    assert expand(master, datetime(2027, 11, 30, tzinfo=LISBON)) == expected


def test_vtimezone_covers_dst_of_a_series_started_long_ago() -> None:
    series = Series(datetime(2023, 3, 2, 14), "America/New_York", "FREQ=WEEKLY;BYDAY=TH", HOUR)
    cal = export(series)
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "America/New_York"
    starts = [c.decoded("DTSTART") for c in tz.subcomponents]
    assert min(starts).year <= 2023
    [master] = masters(cal)
    assert master.decoded("DTSTART") == datetime(
        2023, 3, 2, 14, tzinfo=ZoneInfo("America/New_York")
    )


def test_until_is_written_in_utc() -> None:
    series = Series(
        datetime(2026, 6, 4, 14),
        "Europe/Lisbon",
        "FREQ=WEEKLY;UNTIL=20260730T235959;BYDAY=TH",
        HOUR,
    )
    [master] = masters(export(series))
    assert master["RRULE"]["UNTIL"] == [utc(2026, 7, 30, 22, 59, 59)]  # 23:59:59 WEST
    assert len(expand(master, datetime(2027, 1, 1, tzinfo=LISBON))) == 9


def test_alternating_times_become_two_series_with_doubled_interval() -> None:
    series = Series(
        datetime(2026, 11, 26, 6), "UTC", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", HOUR, time(15)
    )
    skip = {datetime(2026, 12, 10, 6): Override(datetime(2026, 12, 10, 6), skipped=True)}
    cal = export(series, skip)
    assert list(cal.walk("VTIMEZONE")) == []
    first, second = masters(cal)
    assert str(first["UID"]) == "meeting-7@minga"
    assert str(second["UID"]) == "meeting-7@minga-alt"
    assert first.decoded("DTSTART") == utc(2026, 11, 26, 6)
    assert second.decoded("DTSTART") == utc(2026, 12, 10, 15)
    assert first["RRULE"]["INTERVAL"] == [4] and second["RRULE"]["INTERVAL"] == [4]
    assert [d.dt for d in second["EXDATE"].dts] == [utc(2026, 12, 10, 15)]
    # Both together give back the alternating series.
    until = utc(2027, 3, 1)
    combined = sorted(expand(first, until) + expand(second, until))
    ours = occurrences(series, utc(2026, 11, 1), until, skip)
    assert combined == [o.start_utc for o in ours]


def test_alternating_count_is_split() -> None:
    series = Series(
        datetime(2026, 11, 26, 6), "UTC", "FREQ=WEEKLY;COUNT=5;BYDAY=TH", HOUR, time(15)
    )
    first, second = masters(export(series))
    assert first["RRULE"]["COUNT"] == [3] and second["RRULE"]["COUNT"] == [2]
    assert first["RRULE"]["INTERVAL"] == [2] and second["RRULE"]["INTERVAL"] == [2]


def test_three_turns_become_three_series() -> None:
    series = Series(datetime(2026, 11, 26, 6), "UTC", "FREQ=WEEKLY;INTERVAL=2;COUNT=7;BYDAY=TH",
                    HOUR, (time(15), time(23)))
    skip = {datetime(2026, 12, 24, 6): Override(datetime(2026, 12, 24, 6), skipped=True)}
    first, second, third = masters(export(series, skip))
    assert [str(e["UID"]) for e in (first, second, third)] == [
        "meeting-7@minga", "meeting-7@minga-alt", "meeting-7@minga-alt2"]
    assert [e["RRULE"]["INTERVAL"] for e in (first, second, third)] == [[6], [6], [6]]
    assert [e["RRULE"]["COUNT"] for e in (first, second, third)] == [[3], [2], [2]]
    assert [d.dt for d in third["EXDATE"].dts] == [utc(2026, 12, 24, 23)]
    until = utc(2028, 1, 1)
    combined = sorted(expand(first, until) + expand(second, until) + expand(third, until))
    assert combined == [o.start_utc for o in occurrences(series, utc(2026, 11, 1), until, skip)]


def test_fixed_offset_on_the_same_utc_date_is_written_in_utc() -> None:
    series = Series(datetime(2026, 12, 3, 14), "UTC+03:00", "FREQ=WEEKLY;BYDAY=TH", HOUR)
    cal = export(series)
    assert list(cal.walk("VTIMEZONE")) == []
    [master] = masters(cal)
    assert tzid_of(master, "DTSTART") is None
    assert master.decoded("DTSTART") == utc(2026, 12, 3, 11)
    assert master["RRULE"]["BYDAY"] == ["TH"]


def test_fixed_offset_crossing_midnight_gets_its_own_vtimezone() -> None:
    # 06:00 at UTC+08:00 is 22:00 the previous day in UTC: BYDAY=TH would be wrong in UTC.
    series = Series(datetime(2026, 12, 3, 6), "UTC+08:00", "FREQ=WEEKLY;BYDAY=TH", HOUR)
    cal = export(series)
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "UTC+08:00"
    [standard] = tz.subcomponents
    assert standard.decoded("TZOFFSETTO") == timedelta(hours=8)
    [master] = masters(cal)
    assert tzid_of(master, "DTSTART") == "UTC+08:00"
    assert master["DTSTART"].to_ical() == b"20261203T060000"


def test_one_off_meetings() -> None:
    plain = Series(datetime(2026, 12, 3, 14), "Asia/Kathmandu", None, HOUR)
    [event] = masters(export(plain))
    assert "RRULE" not in event
    assert tzid_of(event, "DTSTART") == "Asia/Kathmandu"
    assert event.decoded("DTSTART").astimezone(UTC) == utc(2026, 12, 3, 8, 15)

    key = datetime(2026, 12, 3, 14)
    [moved] = masters(export(plain, {key: Override(key, new_start_utc=utc(2026, 12, 4, 9))}))
    assert moved.decoded("DTSTART") == utc(2026, 12, 4, 9)
    [cancelled] = masters(export(plain, {key: Override(key, skipped=True)}))
    assert str(cancelled["STATUS"]) == "CANCELLED"
