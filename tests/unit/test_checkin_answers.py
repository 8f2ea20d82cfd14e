"""Check-in answers read per question, in five languages, from the data files in
tests/corpus/ (a new case costs a line there)."""

from __future__ import annotations

import pytest

from domain.answers import means_nothing, question_kinds, read_answers
from domain.checkin import DEFAULT_QUESTIONS, PersonAnswers, summarise
from tests.corpus import load as load_cases


def load(name: str) -> list[dict[str, str]]:
    """The cases of tests/corpus/<name>.tsv, read by the corpus's shared loader."""
    return [dict(case.cells) for case in load_cases(name)]


ANSWERS = load("checkin_answers")
NONE_FORMS = load("checkin_none")


def questions_of(cell: str) -> tuple[str, ...]:
    return DEFAULT_QUESTIONS if cell == "default" else tuple(q.strip() for q in cell.split("|"))


def test_the_corpus_covers_five_languages() -> None:
    languages = {"en", "es", "fr", "pt", "ar"}
    assert len(ANSWERS) >= 40 and {case["lang"] for case in ANSWERS} == languages
    assert {case["lang"] for case in NONE_FORMS} == languages


@pytest.mark.parametrize("case", ANSWERS, ids=[f"{c['lang']}-{i}" for i, c in
                                               enumerate(ANSWERS)])
def test_blocker_read_from_each_answer(case: dict[str, str]) -> None:
    asked, messages, blocker = questions_of(case["questions"]), case["input"], case["blocker"]
    texts = tuple(m.strip() for m in messages.split(" ¶ "))
    summary = summarise(asked, [PersonAnswers("Ana", texts)], [], asked=1)
    expected = [] if blocker in ("-", "~") else [("Ana", blocker)]
    assert summary.blockers == expected
    person = summary.people[0]
    if blocker == "~":
        assert person.answers == () and person.loose == (" ".join(messages.split()),)
    else:
        assert person.answers, "read per question"


@pytest.mark.parametrize("case", NONE_FORMS, ids=[f"{c['lang']}-{c['input']}" for c in
                                                  NONE_FORMS])
def test_answers_that_say_there_is_no_blocker(case: dict[str, str]) -> None:
    assert case["none"] in ("yes", "no")
    assert means_nothing(case["input"]) is (case["none"] == "yes")


def test_the_issue_answers_give_exactly_the_three_real_blockers() -> None:
    people = [PersonAnswers(name, (text,)) for name, text in (
        ("Amina", "Closed the Q4 report draft. Blocked: still waiting for the auditor's "
                  "figures."),
        ("Chidi", "1) trainers booked 2) venue contract signed 3) BLOCKER: visa for Samir "
                  "not issued yet"),
        ("Rania", "Finished the flyer layout\nNext: print run\nBlockers: the printer quote "
                  "is over budget"),
        ("João", "1. Terminei o relatório\n2. Revisar o orçamento\n3. Nenhum bloqueio"),
        ("Lin", "1. budget\n2. board\n3. none"),
        ("Sam", "Travelling, back on Thursday."),
    )]
    summary = summarise(DEFAULT_QUESTIONS, people, [], asked=6)
    assert summary.blockers == [
        ("Amina", "still waiting for the auditor's figures."),
        ("Chidi", "visa for Samir not issued yet"),
        ("Rania", "the printer quote is over budget"),
    ]
    assert summary.answered == 6


def test_each_question_gets_its_own_part() -> None:
    reading = read_answers(["Finished the flyer\nNext: print run\nBlockers: the quote"],
                           DEFAULT_QUESTIONS)
    assert reading.slots == ["Finished the flyer", "print run", "the quote"]
    inline = read_answers(["1) report 2) venue 3) BLOCKER: visa"], DEFAULT_QUESTIONS)
    assert inline.slots == ["report", "venue", "visa"]
    # Numbers out of order in prose are not a numbered answer.
    prose = read_answers(["Version 2. is out, 1. more to go"], DEFAULT_QUESTIONS)
    assert not prose.structured
    # A later labelled message fills its own question, not the next one in order.
    later = read_answers(["report", "Blocked: the visa"], DEFAULT_QUESTIONS)
    assert later.slots == ["report", None, "the visa"]


def test_question_kinds_in_each_language() -> None:
    for questions in (DEFAULT_QUESTIONS,
                      ("¿En qué trabajaste?", "¿Qué sigue?", "¿Algo te está bloqueando?"),
                      ("Sur quoi avez-vous travaillé ?", "Quelle est la suite ?",
                       "Quelque chose vous bloque ?"),
                      ("No que você trabalhou?", "Qual é o próximo passo?",
                       "Algo está bloqueando você?"),
                      ("على ماذا عملت؟", "ما الخطوة التالية؟", "هل هناك ما يعيقك؟")):
        assert question_kinds(questions) == ["done", "next", "blocker"], questions
