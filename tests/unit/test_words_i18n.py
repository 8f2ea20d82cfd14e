"""Dates, times, repeat rules, working hours and check-in days typed in es/fr/pt/ar.

Every language is accepted whatever the member's setting; English keeps reading exactly as
before; collisions are settled by fixed rules (see domain/words.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from domain.checkin import Schedule, parse_schedule
from domain.due import format_due, overdue_by, parse_due
from domain.hours import WorkingHours, parse_hours
from domain.i18n import use_language
from domain.recurrence import describe_rule, parse_rule
from domain.when import Wall, WhenError, parse_duration, parse_when
from domain.words import fold, to_english

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday; 10:00 in Lisbon too
HOME = "Europe/Lisbon"
THURSDAY = datetime(2026, 12, 3, 14, 0)
WEEKDAYS = frozenset(range(5))


def wall(*args: int, zone: str = HOME) -> Wall:
    return Wall(datetime(*args), zone)


# --- parse_when ------------------------------------------------------------------------------

SPANISH = [
    ("jueves 14:00", wall(2026, 11, 26, 14)),
    ("Miércoles 11:00", wall(2026, 11, 25, 11)),
    ("miercoles 9:00", wall(2026, 12, 2, 9)),  # 09:00 today has passed
    ("sábado 10:00", wall(2026, 11, 28, 10)),
    ("el próximo jueves a las 10", wall(2026, 11, 26, 10)),
    ("el jueves que viene 10:00", wall(2026, 11, 26, 10)),
    ("próximo miércoles 11:00", wall(2026, 12, 2, 11)),  # "next" is never today
    ("la semana que viene 9:00", wall(2026, 11, 30, 9)),
    ("próxima semana 9:00", wall(2026, 11, 30, 9)),
    ("mañana 9:30", wall(2026, 11, 26, 9, 30)),
    ("pasado mañana 10:00", wall(2026, 11, 27, 10)),
    ("hoy a las 15:00", wall(2026, 11, 25, 15)),
    ("3 de diciembre 14:00", wall(2026, 12, 3, 14)),
    ("el 3 de diciembre de 2027 a las 14:00", wall(2027, 12, 3, 14)),
    ("1 de enero 10:00", wall(2027, 1, 1, 10)),
    ("en 2 horas", wall(2026, 11, 25, 12)),
    ("en dos horas", wall(2026, 11, 25, 12)),
    ("en media hora", wall(2026, 11, 25, 10, 30)),
    ("dentro de 3 días a las 15:00", wall(2026, 11, 28, 15)),
    ("a las 15:00", wall(2026, 11, 25, 15)),
    ("mañana a las 3 de la tarde", wall(2026, 11, 26, 15)),
    ("a las 9 de la noche", wall(2026, 11, 25, 21)),
    ("a las 12 de la noche", wall(2026, 11, 26, 0)),
    ("mediodía", wall(2026, 11, 25, 12)),
    ("14:00 hora de Madrid", wall(2026, 11, 25, 14, zone="Europe/Madrid")),
    ("jueves 14:00 en Nairobi", wall(2026, 11, 26, 14, zone="Africa/Nairobi")),
]
FRENCH = [
    ("mardi 9h", wall(2026, 12, 1, 9)),
    ("jeudi prochain 10h", wall(2026, 11, 26, 10)),
    ("la semaine prochaine 9h", wall(2026, 11, 30, 9)),
    ("demain 9h30", wall(2026, 11, 26, 9, 30)),
    ("demain à 9 heures", wall(2026, 11, 26, 9)),
    ("après-demain 10h", wall(2026, 11, 27, 10)),
    ("aujourd'hui 15h", wall(2026, 11, 25, 15)),
    ("aujourd’hui 15h", wall(2026, 11, 25, 15)),
    ("le 3 décembre à 14h", wall(2026, 12, 3, 14)),
    ("le 1er décembre 10h", wall(2026, 12, 1, 10)),
    ("3 août 10h", wall(2027, 8, 3, 10)),
    ("3 aout 10h", wall(2027, 8, 3, 10)),
    ("dans 2 heures", wall(2026, 11, 25, 12)),
    ("dans une heure", wall(2026, 11, 25, 11)),
    ("à 15h", wall(2026, 11, 25, 15)),
    ("14 h 30", wall(2026, 11, 25, 14, 30)),
    ("à midi", wall(2026, 11, 25, 12)),
    ("vendredi 9h du soir", wall(2026, 11, 27, 21)),
    ("lundi 14h heure de Paris", wall(2026, 11, 30, 14, zone="Europe/Paris")),
]
PORTUGUESE = [
    ("quinta 14h", wall(2026, 11, 26, 14)),
    ("quinta-feira às 14h", wall(2026, 11, 26, 14)),
    ("segunda-feira 10h", wall(2026, 11, 30, 10)),
    ("quarta 11h", wall(2026, 11, 25, 11)),
    ("próxima quinta 10h", wall(2026, 11, 26, 10)),
    ("semana que vem 9h", wall(2026, 11, 30, 9)),
    ("na próxima semana 9h", wall(2026, 11, 30, 9)),
    ("amanhã 9h30", wall(2026, 11, 26, 9, 30)),
    ("depois de amanhã 10h", wall(2026, 11, 27, 10)),
    ("hoje às 15h", wall(2026, 11, 25, 15)),
    ("3 de dezembro às 14h", wall(2026, 12, 3, 14)),
    ("a 3 de dezembro às 10h", wall(2026, 12, 3, 10)),
    ("1º de dezembro 10h", wall(2026, 12, 1, 10)),
    ("3 dez 10h", wall(2026, 12, 3, 10)),  # "dez" is December here, ten before a unit
    ("em 2 horas", wall(2026, 11, 25, 12)),
    ("daqui a dez minutos", wall(2026, 11, 25, 10, 10)),
    ("às 15h", wall(2026, 11, 25, 15)),
    ("amanhã às 8 da noite", wall(2026, 11, 26, 20)),
    ("sábado 10h em São Paulo", wall(2026, 11, 28, 10, zone="America/Sao_Paulo")),
]
ARABIC = [
    ("الخميس 14:00", wall(2026, 11, 26, 14)),
    ("خميس 14:00", wall(2026, 11, 26, 14)),
    ("الإثنين 10:00", wall(2026, 11, 30, 10)),
    ("الاثنين 10:00", wall(2026, 11, 30, 10)),
    ("الأربعاء 11:00", wall(2026, 11, 25, 11)),
    ("الاربعا 11:00", wall(2026, 11, 25, 11)),
    ("الخميس القادم 10:00", wall(2026, 11, 26, 10)),
    ("يوم الخميس الساعة 14:00", wall(2026, 11, 26, 14)),
    ("الأسبوع القادم 9:00", wall(2026, 11, 30, 9)),
    ("غدا 9:30", wall(2026, 11, 26, 9, 30)),
    ("غداً الساعة 9 صباحاً", wall(2026, 11, 26, 9)),
    ("بعد غد 10:00", wall(2026, 11, 27, 10)),
    ("اليوم 15:00", wall(2026, 11, 25, 15)),
    ("الخميس الساعة 3 مساءً", wall(2026, 11, 26, 15)),
    ("3 ديسمبر 14:00", wall(2026, 12, 3, 14)),
    ("3 كانون الأول 14:00", wall(2026, 12, 3, 14)),  # Levantine month name (CLDR ar_SY)
    ("3 دجنبر 14:00", wall(2026, 12, 3, 14)),  # Moroccan (CLDR ar_MA)
    ("بعد 2 ساعات", wall(2026, 11, 25, 12)),
    ("بعد ساعتين", wall(2026, 11, 25, 12)),
    ("بعد ساعة", wall(2026, 11, 25, 11)),
    ("الساعة 15:00", wall(2026, 11, 25, 15)),
    ("١٤:٣٠", wall(2026, 11, 25, 14, 30)),  # Arabic-Indic digits
    ("۱۴:۳۰ الخميس", wall(2026, 11, 26, 14, 30)),  # Persian digits
    ("٣ ديسمبر ١٤:٠٠", wall(2026, 12, 3, 14)),
]


@pytest.mark.parametrize(("text", "expected"), SPANISH + FRENCH + PORTUGUESE + ARABIC)
def test_parse_when_reads_every_language(text: str, expected: Wall) -> None:
    assert parse_when(text, NOW, HOME) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("viernes", wall(2026, 11, 27, 9)),
        ("vendredi", wall(2026, 11, 27, 9)),
        ("sexta-feira", wall(2026, 11, 27, 9)),
        ("الجمعة", wall(2026, 11, 27, 9)),
        ("la semana que viene", wall(2026, 11, 30, 9)),
        ("dans 3 jours", wall(2026, 11, 28, 9)),
    ],
)
def test_days_without_a_time_use_the_default(text: str, expected: Wall) -> None:
    assert parse_when(text, NOW, HOME, default_time=time(9)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thu 14:00", "thu 14:00"),
        ("Thursday 9am", "Thursday 9am"),
        ("next tue 14:00", "next tue 14:00"),
        ("3rd of December 2026 14:00", "3rd of December 2026 14:00"),
        ("in 2 hours", "in 2 hours"),
        ("14:00 in Nairobi", "14:00 in Nairobi"),
        ("Port of Spain 14:00", "Port of Spain 14:00"),
        ("tomorrow 15:00 America/Sao_Paulo", "tomorrow 15:00 America/Sao_Paulo"),
        ("2026-12-03T14:00", "2026-12-03T14:00"),
        ("2 weeks on tue", "2 weeks on tue"),
        ("9am-5pm mon,tue", "9am-5pm mon,tue"),
        ("tomorow 15:00", "tomorow 15:00"),  # a typo stays a typo, for the error message
    ],
)
def test_english_comes_back_unchanged(text: str, expected: str) -> None:
    assert to_english(text) == expected
    assert to_english(text) is text  # the very same string: nothing was rewritten


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-03 14:00", wall(2026, 12, 3, 14)),
        ("tomorrow 15:00", wall(2026, 11, 26, 15)),
        ("next wed 11:00", wall(2026, 12, 2, 11)),
        ("Dec 3 2pm", wall(2026, 12, 3, 14)),
        ("1 Jan 10:00", wall(2027, 1, 1, 10)),
        ("in 90 minutes", wall(2026, 11, 25, 11, 30)),
        ("14:00 New York", wall(2026, 11, 25, 14, zone="America/New_York")),
        ("noon", wall(2026, 11, 25, 12)),
    ],
)
def test_english_reads_as_before(text: str, expected: Wall) -> None:
    assert parse_when(text, NOW, HOME) == expected


# --- collisions --------------------------------------------------------------------------------


def test_english_wins_for_three_letter_words() -> None:
    # "mar" is March in English and Tuesday in es/fr abbreviations: English wins.
    assert parse_when("3 mar 10:00", NOW, HOME) == wall(2027, 3, 3, 10)
    with pytest.raises(WhenError, match="needs a day of the month"):
        parse_when("mar 14:00", NOW, HOME)
    # The full names always work.
    assert parse_when("martes 14:00", NOW, HOME) == wall(2026, 12, 1, 14)
    assert parse_when("mardi 14h", NOW, HOME) == wall(2026, 12, 1, 14)
    # "sept" is September, not the French seven.
    assert parse_when("3 sept 10:00", NOW, HOME) == wall(2027, 9, 3, 10)


def test_portuguese_weekday_or_ordinal() -> None:
    # Alone, "segunda"/"quarta"/"quinta" are Monday/Wednesday/Thursday...
    assert parse_rule("segunda, quarta e quinta", THURSDAY) == "FREQ=WEEKLY;BYDAY=MO,WE,TH"
    # ... right before a weekday they are ordinals.
    assert parse_rule("a segunda quinta do mês", THURSDAY) == "FREQ=MONTHLY;BYDAY=+2TH"
    assert parse_rule("todo mês na quarta sexta", THURSDAY) == "FREQ=MONTHLY;BYDAY=+4FR"


def test_number_words_count_only_before_a_unit() -> None:
    assert parse_when("dans deux heures", NOW, HOME) == wall(2026, 11, 25, 12)
    assert parse_when("daqui a duas horas", NOW, HOME) == wall(2026, 11, 25, 12)
    # "dez" is December unless a unit follows; pt "dos" ("of the") is never two by itself.
    assert to_english("3 dez") == "3 dec"
    assert to_english("em dez minutos") == "in 10 minutes"
    assert to_english("dos 10h") == "10h"


def test_a_little_word_at_the_end_is_kept() -> None:
    # `!away fri a conference` tries "fri a" as a date: it must still fail, as before.
    assert to_english("fri a") == "fri a"
    assert to_english("fri no") == "fri no"
    with pytest.raises(ValueError):
        parse_when("fri a", NOW, HOME)


def test_place_names_are_left_alone() -> None:
    # "domingo", "la", "los", "au" are date words elsewhere, but not inside a place's name.
    assert parse_when("14:00 Santo Domingo", NOW, HOME).zone == "America/Santo_Domingo"
    assert parse_when("La Paz 14:00", NOW, HOME).zone == "America/La_Paz"
    assert parse_when("14:00 Los Angeles", NOW, HOME).zone == "America/Los_Angeles"
    assert parse_when("14:00 Port-au-Prince", NOW, HOME).zone == "America/Port-au-Prince"
    assert parse_when("domingo 10:00 Santo Domingo", NOW, HOME) == wall(
        2026, 11, 29, 10, zone="America/Santo_Domingo")


def test_in_is_an_amount_only_before_one() -> None:
    assert to_english("en 2 horas") == "in 2 hours"
    assert to_english("14:00 en Nairobi") == "14:00 in Nairobi"
    assert to_english("em 3 de dezembro") == "3 dec"  # "em" before a date means "on"


def test_folding() -> None:
    assert fold("MIÉRCOLES") == fold("miercoles") == "miercoles"
    assert fold("Août") == "aout"
    assert fold("sábado") == "sabado"
    assert fold("الأربعاء") == fold("الاربعا")
    assert fold("غداً") == "غدا"
    assert fold("lun.") == "lun"
    assert to_english("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹") == "0123456789 0123456789"


@pytest.mark.parametrize("text", ["jueve 14:00", "lundi 14h sur Paris", "mañana hoy 10:00"])
def test_nonsense_still_raises(text: str) -> None:
    with pytest.raises((WhenError, ValueError)):
        parse_when(text, NOW, HOME)


def test_typo_in_a_foreign_word_is_quoted_as_typed() -> None:
    with pytest.raises(WhenError, match='I couldn\'t read "jueve" as a day'):
        parse_when("jueve 14:00", NOW, HOME)


# --- repeat rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("cada jueves", "FREQ=WEEKLY;BYDAY=TH"),
        ("every cada jueves", "FREQ=WEEKLY;BYDAY=TH"),
        ("todos los martes y jueves", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("cada 2 semanas", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
        ("cada dos semanas los martes", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("el último viernes", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("el primer lunes de cada mes", "FREQ=MONTHLY;BYDAY=+1MO"),
        ("el 15 de cada mes", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("el último día del mes", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("cada 3 meses el primer martes", "FREQ=MONTHLY;INTERVAL=3;BYDAY=+1TU"),
        ("días laborables", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("de lunes a viernes", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("todos los días", "FREQ=DAILY"),
        ("cada año", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=3"),
        ("chaque mardi", "FREQ=WEEKLY;BYDAY=TU"),
        ("tous les mardis", "FREQ=WEEKLY;BYDAY=TU"),
        ("tous les deux mardis", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("toutes les 2 semaines le mardi", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("tous les mois le premier jeudi", "FREQ=MONTHLY;BYDAY=+1TH"),
        ("le dernier vendredi du mois", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("lundi, mercredi et vendredi", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("jours ouvrés", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("tous les jours", "FREQ=DAILY"),
        ("toda quinta", "FREQ=WEEKLY;BYDAY=TH"),
        ("todas as quintas", "FREQ=WEEKLY;BYDAY=TH"),
        ("a cada duas semanas na terça", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("a última sexta do mês", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("todo mês no dia 15", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("de segunda a sexta", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("dias úteis", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("كل خميس", "FREQ=WEEKLY;BYDAY=TH"),
        ("كل يوم خميس", "FREQ=WEEKLY;BYDAY=TH"),
        ("كل أسبوعين يوم الثلاثاء", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("أول خميس من كل شهر", "FREQ=MONTHLY;BYDAY=+1TH"),
        ("آخر جمعة من كل شهر", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("الاثنين والأربعاء", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("كل يوم", "FREQ=DAILY"),
    ],
)
def test_parse_rule_reads_every_language(text: str, rule: str) -> None:
    assert parse_rule(text, THURSDAY) == rule


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("2 weeks on tue", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("2 months", "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=3"),
        ("month on the first tuesday", "FREQ=MONTHLY;BYDAY=+1TU"),
        ("month on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("mon, wed and fri", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("fortnight", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
        ("weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ],
)
def test_english_rules_read_as_before(text: str, rule: str) -> None:
    assert parse_rule(text, THURSDAY) == rule


# --- working hours and check-in days ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "days"),
    [
        ("lun-vie 9-17", time(9), time(17), WEEKDAYS),
        ("de lunes a viernes de 9 a 17", time(9), time(17), WEEKDAYS),
        ("días laborables 8:30-16:30", time(8, 30), time(16, 30), WEEKDAYS),
        ("lun, mié y vie 9-13", time(9), time(13), frozenset({0, 2, 4})),
        ("fines de semana 10-14", time(10), time(14), frozenset({5, 6})),
        ("todos los días 8-16", time(8), time(16), frozenset(range(7))),
        ("lun-ven 09:00-17:00", time(9), time(17), WEEKDAYS),
        ("de 9h à 17h du lundi au vendredi", time(9), time(17), WEEKDAYS),
        ("9h-17h30 mardi", time(9), time(17, 30), frozenset({1})),
        ("le week-end 10h-14h", time(10), time(14), frozenset({5, 6})),
        ("seg-sex 09:00-18:00", time(9), time(18), WEEKDAYS),
        ("das 9h às 18h de segunda a sexta", time(9), time(18), WEEKDAYS),
        ("22:00-06:00 sábado", time(22), time(6), frozenset({5})),
        ("الأحد-الخميس 9-17", time(9), time(17), frozenset({6, 0, 1, 2, 3})),
        ("من الأحد إلى الخميس ٩-١٧", time(9), time(17), frozenset({6, 0, 1, 2, 3})),
        ("9 صباحا - 5 مساء", time(9), time(17), WEEKDAYS),
        ("9am-5pm mon,tue", time(9), time(17), frozenset({0, 1})),  # English as before
        ("08:30–16:30 Sat-Wed", time(8, 30), time(16, 30), frozenset({5, 6, 0, 1, 2})),
    ],
)
def test_parse_hours_reads_every_language(text: str, start: time, end: time,
                                          days: frozenset[int]) -> None:
    assert parse_hours(text) == WorkingHours(start, end, days)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lunes y jueves 10:00", Schedule(frozenset({0, 3}), time(10))),
        ("lun-vie 9h", Schedule(WEEKDAYS, time(9))),
        ("cada día 9:30 hora de Madrid", Schedule(frozenset(range(7)), time(9, 30),
                                                 "Europe/Madrid")),
        ("días laborables 10h hora local", Schedule(WEEKDAYS, time(10))),
        ("tous les jours 9h heure locale", Schedule(frozenset(range(7)), time(9))),
        ("du lundi au vendredi 9h30 Europe/Paris", Schedule(WEEKDAYS, time(9, 30),
                                                            "Europe/Paris")),
        ("segunda e quarta 10h", Schedule(frozenset({0, 2}), time(10))),
        ("كل يوم 9:00", Schedule(frozenset(range(7)), time(9))),
        ("mon,thu 10:00 local", Schedule(frozenset({0, 3}), time(10))),  # English as before
    ],
)
def test_checkin_schedule_reads_every_language(text: str, expected: Schedule) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("90 minutos", 90), ("1 hora", 60), ("una hora", 60), ("2 heures", 120),
     ("media hora", 30), ("ساعتين", 120), ("1 hora y 30 minutos", 90), ("90m", 90)],
)
def test_meeting_lengths_read_every_language(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


def test_due_dates_read_every_language() -> None:
    assert parse_due("viernes", NOW, HOME).local == datetime(2026, 11, 27, 23, 59)
    assert parse_due("vendredi 15h", NOW, HOME).local == datetime(2026, 11, 27, 15)
    assert parse_due("الجمعة", NOW, HOME).local == datetime(2026, 11, 27, 23, 59)


# --- messages in the active language ----------------------------------------------------------


def test_describe_rule_speaks_the_active_language() -> None:
    english = describe_rule("FREQ=WEEKLY;BYDAY=TH", THURSDAY)
    assert english == "every Thursday at 14:00"
    with use_language("es"):
        spanish = describe_rule("FREQ=WEEKLY;BYDAY=TH", THURSDAY)
        monthly = describe_rule("FREQ=MONTHLY;BYDAY=+1TU", THURSDAY)
        yearly = describe_rule("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=3", THURSDAY)
    assert spanish != english
    assert "jueves" in spanish and "Thursday" not in spanish
    assert "martes" in monthly and "Tuesday" not in monthly
    assert "diciembre" in yearly and "December" not in yearly
    with use_language("fr"):
        assert "jeudi" in describe_rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", THURSDAY)


def test_hours_and_due_dates_speak_the_active_language() -> None:
    hours = WorkingHours(time(9), time(17), WEEKDAYS)
    assert hours.describe() == "09:00–17:00 Mon–Fri"
    with use_language("es"):
        spanish = hours.describe()
        due = format_due(datetime(2026, 12, 4, 23, 59, tzinfo=UTC), "UTC", NOW)
    assert "Mon" not in spanish and spanish.startswith("09:00–17:00 lun")
    assert "Fri" not in due and "vie" in due
    assert overdue_by(NOW - timedelta(days=1), NOW) == "overdue by 1 day"
    assert overdue_by(NOW - timedelta(days=3), NOW) == "overdue by 3 days"


# --- speed -------------------------------------------------------------------------------------


# ---- the rule clause of !meeting add, and the digest's day, in every language ------------

@pytest.mark.parametrize(
    ("typed", "rule"),
    [("cada 2 semanas", "2 semanas"), ("tous les jeudis", "jeudis"), ("todas as quintas",
      "quintas"), ("كل خميس", "خميس"), ("every week", "week"), ("chaque semaine", "semaine")],
)
def test_every_clause_in_each_language(typed: str, rule: str) -> None:
    from commands.meetings.commands import split_add

    title, clauses = split_add(f'"Call" jueves 14:00 {typed}')
    assert title == "Call"
    assert clauses == {"when": "jueves 14:00", "every": rule}


@pytest.mark.parametrize(
    ("typed", "weekday"),
    [("jueves 08:30", 3), ("lundi 08:30", 0), ("segunda 08:30", 0), ("الاثنين 08:30", 0),
     ("mon 08:30", 0)],
)
def test_digest_schedule_day_in_each_language(typed: str, weekday: int) -> None:
    from commands.actions.digest import parse_schedule

    day, at, zone = parse_schedule(typed, datetime(2026, 12, 1, 9, tzinfo=UTC))
    assert (day, at.strftime("%H:%M"), zone) == (weekday, "08:30", None)


def test_blocker_question_and_nothing_answers_in_each_language() -> None:
    from domain.checkin import blocker_index, means_nothing

    assert blocker_index(["¿En qué trabajaste?", "¿Qué sigue?", "¿Algo te bloquea?"]) == 2
    assert blocker_index(["Sur quoi avez-vous travaillé ?", "Et ensuite ?", "Un blocage ?"]) == 2
    assert blocker_index(["O que você fez?", "Precisa de ajuda?"]) == 1
    assert blocker_index(["ما الذي عملت عليه؟", "هل هناك ما يعيقك؟"]) == 1
    for answer in ("nada", "Rien.", "não", "لا شيء", "ninguno", "tudo bem", "aucun"):
        assert means_nothing(answer), answer
    for answer in ("Sí, el servidor", "Le serveur est en panne", "الخادم معطل"):
        assert not means_nothing(answer), answer
