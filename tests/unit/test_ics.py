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


# ---- VTIMEZONE against zoneinfo --------------------------------------------------------------
# Spring and autumn changes at midnight (Beirut, Havana, Cairo, Santiago), at 01:00 UTC
# (London), half-hour DST (Lord Howe), 2:45 (Chatham), Ramadan breaks (Casablanca), and zones
# that no longer change (São Paulo, Amman, Kolkata).
ZONES_WITH_CHANGES = ("Asia/Beirut", "America/New_York", "Europe/London", "America/Havana",
                      "Africa/Cairo", "America/Santiago", "Australia/Lord_Howe",
                      "Pacific/Chatham", "Africa/Casablanca", "Asia/Gaza", "Europe/Paris")
ZONES_WITHOUT = ("America/Sao_Paulo", "Asia/Amman", "Asia/Kolkata", "Asia/Kathmandu")


def reference_changes(zone: str, start: datetime, end: datetime
                      ) -> list[tuple[datetime, timedelta, timedelta]]:
    """zoneinfo's changes, found hour by hour then minute by minute (slow but plain)."""
    tz, found = ZoneInfo(zone), []
    moment = start
    offset = moment.astimezone(tz).utcoffset()
    while moment < end:
        later = moment + HOUR
        if later.astimezone(tz).utcoffset() != offset:
            minute = moment
            while minute.astimezone(tz).utcoffset() == offset:
                minute += timedelta(minutes=1)
            new = minute.astimezone(tz).utcoffset()
            assert offset is not None and new is not None
            found.append((minute, offset, new))
            offset = new
        moment = later
    return found


def onsets(cal: Calendar) -> list[tuple[datetime, timedelta, timedelta]]:
    """Every observance onset in the VTIMEZONE as (UTC instant, offset from, offset to),
    reading DTSTART/RDATE as local time before the change (RFC 5545 3.6.5)."""
    found = []
    for part in cal.walk("VTIMEZONE")[0].subcomponents:
        before, after = part["TZOFFSETFROM"].td, part["TZOFFSETTO"].td
        if before == after:
            continue  # the opening observance, not a change
        rdates = part.get("RDATE") or []
        starts = [part["DTSTART"].dt] + [p.dt for r in (
            rdates if isinstance(rdates, list) else [rdates]) for p in r.dts]
        found += [((start - before).replace(tzinfo=UTC), before, after) for start in starts]
    return sorted(found)


def test_vtimezone_changes_are_zoneinfo_s_own() -> None:
    weekly = "FREQ=WEEKLY;BYDAY=TU"
    for zone in ZONES_WITH_CHANGES + ZONES_WITHOUT:
        cal = export(Series(datetime(2026, 12, 1, 14, 0), zone, weekly, HOUR))
        written = [(when, before, after) for when, before, after in onsets(cal)
                   if when < utc(2030, 1, 1)]
        assert written == reference_changes(zone, utc(2026, 11, 24), utc(2030, 1, 1)), zone
        assert bool(written) == (zone in ZONES_WITH_CHANGES), zone


def test_beirut_springs_forward_at_midnight() -> None:
    cal = export(Series(datetime(2027, 3, 23, 9, 0), "Asia/Beirut", "FREQ=WEEKLY;BYDAY=TU",
                        HOUR))
    daylight = cal.walk("VTIMEZONE")[0].walk("DAYLIGHT")[0]
    assert daylight["DTSTART"].dt == datetime(2027, 3, 28, 0, 0)
    assert "TZOFFSETFROM:+0200" in daylight.to_ical().decode()
    text = cal.to_ical().decode()
    assert "DTSTART:20270328T010000" not in text


def test_every_event_carries_the_sequence() -> None:
    series = Series(datetime(2026, 12, 1, 14, 0), "Europe/Lisbon", "FREQ=WEEKLY;BYDAY=TU", HOUR)
    moved = {datetime(2026, 12, 8, 14, 0): Override(datetime(2026, 12, 8, 14, 0),
                                                    new_start_utc=utc(2026, 12, 9, 15))}
    data = series_to_ics(uid="m@minga", title="t", series=series, overrides=moved,
                         now_utc=NOW, sequence=4)
    events = Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == 2 and all(int(e["SEQUENCE"]) == 4 for e in events)
