"""Reading check-in answers: which part of what a member wrote answers which question, and
whether an answer to the blocker question says there is nothing blocking.

Members answer the way they talk, in five languages, so the reading is per question:

- **Numbered**: "1. …" / "2) …" / "3: …" at the start of lines, or inline
  ("1) report 2) venue 3) BLOCKER: visa") when the numbers run 1, 2, 3… in order from the
  start of the message.
- **Labelled**: "Blocked: …", "Blockers: …", "Next: …", "Bloqueos: …", "Blocages : …",
  "عوائق: …" at the start of a line or after the end of a sentence. A label names a *kind*
  of question (done, next, blocker), and goes to the question of that kind.
- **One line per question**, or **one message per question**, in order.
- Anything else in a single message stays whole, unlabelled (it is shown, never guessed at).

A label that repeats its own question's kind inside a numbered answer ("3) BLOCKER: visa")
is dropped from the answer. A blocker is whatever answers the blocker question unless it
only says there is none (`means_nothing`, with a table of each language's forms).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Reading", "blocker_index", "means_nothing", "question_kinds", "read_answers"]

# ---- what kind of question is it -------------------------------------------------------------
# Matched against the question's text, accents and case folded (see `_fold`).
_QUESTION_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("blocker", re.compile(
        r"block|stuck|imped|obstacle|hinder|help|bloc|bloque|atasc|ayuda|aide|ajuda|"
        r"empech|dificult|difficult|عائق|عوائق|عقب|مساعده|يعيق|معوق")),
    ("done", re.compile(
        r"work(ed)? on|did you|done|yesterday|progress|accomplish|finish|trabaj|hiciste|hecho|"
        r"ayer|travaill|fait|hier|trabalh|fez|feito|ontem|عملت|انجز|امس")),
    ("next", re.compile(
        r"next|today|plan|coming|sigue|hoy|proxim|suite|ensuite|aujourd|prochain|hoje|"
        r"seguir|التالي|اليوم|القادم|خطه")),
)

# ---- labels members put before an answer ("Blocked: …") ---------------------------------------
# Folded forms (no accents, lower case; Arabic without hamza seats or taa marbuta).
_LABELS = {
    "blocker": (
        "blocker", "blockers", "blocked", "blocking", "blocks", "block", "stuck", "impediment",
        "impediments", "obstacle", "obstacles", "issues", "problems", "help needed", "need help",
        "bloqueo", "bloqueos", "bloqueado", "bloqueada", "bloqueante", "bloqueantes",
        "impedimento", "impedimentos", "obstaculo", "obstaculos", "necesito ayuda", "problemas",
        "blocage", "blocages", "bloque", "bloquee", "bloquant", "bloquants", "point bloquant",
        "points bloquants", "freins", "besoin d'aide", "problemes",
        "bloqueio", "bloqueios", "preciso de ajuda",
        "عائق", "عوائق", "العوائق", "معوقات", "المعوقات", "عقبات", "العقبات", "مشاكل",
    ),
    "done": (
        "done", "did", "yesterday", "worked on", "progress", "completed", "finished",
        "accomplished", "hecho", "hice", "ayer", "avances", "logros", "terminado",
        "fait", "hier", "termine", "realise", "avancees", "feito", "fiz", "ontem", "concluido",
        "progresso", "انجزت", "انجازات", "امس", "تم",
    ),
    "next": (
        "next", "today", "plan", "plans", "next up", "next steps", "coming up", "to do", "todo",
        "siguiente", "hoy", "proximo", "proximos pasos", "ensuite", "aujourd'hui", "a venir",
        "prochaine etape", "prochaines etapes", "suite", "hoje", "a seguir", "proximos passos",
        "التالي", "اليوم", "الخطوه التاليه", "الخطه",
    ),
}
_LABEL_KIND: dict[str, str] = {}  # folded label → kind, filled below once _fold exists
# A label: at the start of a line, or after the end of a sentence or clause, then ":".
_LABEL_AT = re.compile(
    r"(?:^|(?<=[.!?;,…؟،؛])[ \t]+|[ \t]+[-–—][ \t]+)[ \t]*"
    r"(?P<label>[^\W\d_](?:[\w' ]{0,28}[\w'])?)[ \t]*[:：][ \t]*",
    re.MULTILINE)
_NUMBERED_LINE = re.compile(r"^\s*\(?([1-9١-٩۱-۹])\s*[.):\-]\s*(.*)$")
_NUMBERED_INLINE = re.compile(r"(?:^|(?<=\s))\(?([1-9١-٩۱-۹])\s*[.)]\s+")


@dataclass(frozen=True)
class Reading:
    """One member's answers: per question (None = not answered), extra messages, and whether
    the reading is per question at all (a lone message of prose is not)."""

    slots: list[str | None]
    extras: list[str]
    structured: bool


def _fold(text: str) -> str:
    """Lower case without accents or Arabic diacritics, hamza seats and taa marbuta folded."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_ARABIC_FOLD)


_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
_LABEL_KIND.update({" ".join(_fold(label).split()): kind
                    for kind, labels in _LABELS.items() for label in labels})


def question_kinds(questions: Sequence[str]) -> list[str | None]:
    """The kind of each question ("done", "next", "blocker"); each kind goes to the first
    question that has it, a blocker question winning over the others."""
    kinds: list[str | None] = [None] * len(questions)
    for kind, words in _QUESTION_KINDS:
        for index, question in enumerate(questions):
            if kinds[index] is None and words.search(_fold(question)):
                kinds[index] = kind
                break
    return kinds


def blocker_index(questions: Sequence[str]) -> int | None:
    """Which question asks about blockers, if any."""
    kinds = question_kinds(questions)
    return kinds.index("blocker") if "blocker" in kinds else None


# ---- splitting ---------------------------------------------------------------------------------
def _numbered(text: str, count: int) -> dict[int, str] | None:
    """Answers by number, from numbered lines or inline numbers; None if not numbered."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    found: dict[int, list[str]] = {}
    current: int | None = None
    for line in lines:
        match = _NUMBERED_LINE.match(line)
        if match and 1 <= int(match[1]) <= count and int(match[1]) not in found:
            current = int(match[1])
            found[current] = [match[2]]
        elif current is not None:
            found[current].append(line)
        else:
            break
    else:
        if len(found) >= 2:
            return {n: " ".join(parts).strip() for n, parts in found.items()}
    flat = " ".join(text.split())
    markers = list(_NUMBERED_INLINE.finditer(flat))
    wanted, picked = 1, []
    for match in markers:
        if int(match[1]) == wanted and (wanted > 1 or match.start() == 0):
            picked.append(match)
            wanted += 1
    if len(picked) < 2 or len(picked) > count:
        return None
    return {int(m[1]): flat[m.end():(picked[i + 1].start() if i + 1 < len(picked) else None)]
            .strip() for i, m in enumerate(picked)}


def _labelled(text: str, slot_of: dict[str, int]) -> tuple[list[str], list[tuple[int, str]]]:
    """(unlabelled lines before the first label, [(question index, answer)…])."""
    cuts = [(m, slot_of[kind]) for m in _LABEL_AT.finditer(text)
            if (kind := _label_kind(m["label"])) and kind in slot_of]
    if not cuts:
        return [], []
    head = [line.strip() for line in text[:cuts[0][0].start()].splitlines() if line.strip()]
    parts = []
    for i, (match, slot) in enumerate(cuts):
        end = cuts[i + 1][0].start() if i + 1 < len(cuts) else len(text)
        parts.append((slot, " ".join(text[match.end():end].split())))
    return head, parts


def _label_kind(label: str) -> str | None:
    return _LABEL_KIND.get(" ".join(_fold(label).split()))


def _labels_fit(line: str, kind: str | None) -> bool:
    """True if every label in `line` names the kind of the question at its place."""
    return all(found in (None, kind) for found in
               (_label_kind(m["label"]) for m in _LABEL_AT.finditer(line)))


def _without_label(answer: str, kind: str | None) -> str:
    """"BLOCKER: visa not issued" → "visa not issued" when the label is the question's kind."""
    match = _LABEL_AT.match(answer)
    if kind and match and _label_kind(match["label"]) == kind:
        return answer[match.end():].strip()
    return answer


def read_answers(texts: Sequence[str], questions: Sequence[str]) -> Reading:
    """Each question's answer from one member's messages, in the order they were sent."""
    count = len(questions)
    kinds = question_kinds(questions)
    slot_of = {kind: index for index, kind in enumerate(kinds) if kind}
    slots: list[str | None] = [None] * count
    extras: list[str] = []
    structured = True

    def put(index: int, answer: str) -> None:
        answer = _without_label(answer.strip(), kinds[index])
        if answer:
            slots[index] = f"{slots[index]}; {answer}" if slots[index] else answer

    def free() -> list[int]:
        return [i for i in range(count) if slots[i] is None]

    for text in texts:
        text = text.strip()
        numbered = _numbered(text, count) if count > 1 else None
        if numbered is not None:
            for number, answer in sorted(numbered.items()):
                put(number - 1, answer)
            continue
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if count >= 2 and len(lines) == count and all(
                _labels_fit(line, kinds[index]) for index, line in enumerate(lines)):
            for index, line in enumerate(lines):  # one line per question, labels or not
                put(index, line)
            continue
        head, labelled = _labelled(text, slot_of) if count > 1 else ([], [])
        if labelled:
            for index, answer in labelled:
                put(index, answer)
            open_slots = free()
            if len(head) <= len(open_slots):  # one line per open question, in order
                for index, line in zip(open_slots, head, strict=False):
                    put(index, line)
            elif open_slots:
                put(open_slots[0], " ".join(head))
            else:
                extras.append(" ".join(head))
            continue
        if free():
            if len(texts) == 1 and count > 1:
                structured = False
            put(free()[0], text)
        else:
            extras.append(text)
    return Reading(slots, extras, structured)


# ---- "nothing is blocking me" ------------------------------------------------------------------
# An answer means "none" when, after folding and dropping punctuation, it is made only of
# these words and phrases, with at least one from _NONE (or one of _ALL_GOOD on its own).
# Anything else left over ("no visa yet" leaves "visa") makes it a real blocker.
_NONE = {
    "en": ("none", "nothing", "no", "nope", "nah", "nil", "n/a", "na", "not", "zero", "0",
           "neither", "nobody"),
    "es": ("ninguno", "ninguna", "ningun", "nada", "no", "sin", "cero", "nadie"),
    "fr": ("aucun", "aucune", "rien", "non", "pas", "sans", "personne", "zero"),
    "pt": ("nenhum", "nenhuma", "nada", "nao", "sem", "zero", "ninguem"),
    "ar": ("لا", "لاشي", "لاشيء", "ليس", "ليست", "ما", "مافي", "مافيش", "ولا", "بدون", "كلا",
           "لم"),
}
_ALL_GOOD = {
    "en": ("all good", "all clear", "fine", "all fine", "good", "ok", "okay", "everything is fine",
           "smooth sailing"),
    "es": ("todo bien", "todo en orden", "bien", "todo ok", "todo tranquilo"),
    "fr": ("tout va bien", "ca va", "tout roule", "ras", "r.a.s", "ok", "tout est ok"),
    "pt": ("tudo bem", "tudo certo", "tudo ok", "tranquilo", "de boa"),
    "ar": ("كل شيء بخير", "كله تمام", "تمام", "بخير", "الحمد لله", "كل شي تمام"),
}
_FILLER = {
    "en": ("blocker", "blockers", "blocking", "blocked", "block", "blocks", "me", "my", "i",
           "am", "i'm", "im", "is", "are", "there", "there's", "theres", "for", "now",
           "right now", "so far", "at the moment", "currently", "today", "this week", "yet",
           "really", "at all", "thanks", "thank you", "thx", "here", "from me", "on my side",
           "on my end", "issues", "issue", "problems", "problem", "obstacles", "impediments",
           "stuck", "major", "big", "any", "in my way", "the", "moment", "as of now", "that",
           "i know of", "and", "all", "good", "is fine", "which", "to report", "new", "worries",
           "need", "help", "needed", "else", "apart from that", "really no"),
    "es": ("bloqueo", "bloqueos", "bloqueado", "bloqueada", "me", "bloquea", "de", "momento",
           "por ahora", "por el momento", "de momento", "hasta ahora", "hoy", "gracias",
           "problema", "problemas", "impedimento", "impedimentos", "obstaculo", "obstaculos",
           "en", "mi", "camino", "esta", "estoy", "hay", "que", "por", "ahora", "todavia",
           "aun", "realmente", "tengo", "nuevo", "nuevos", "lado", "por mi parte", "y"),
    "fr": ("blocage", "blocages", "bloque", "bloquee", "bloquant", "bloquants", "point",
           "points", "de", "pour l'instant", "pour le moment", "pour", "l'instant", "moment",
           "merci", "probleme", "problemes", "obstacle", "obstacles", "frein", "freins", "ne",
           "me", "m'", "il", "n'y", "y", "a", "je", "suis", "signaler", "a signaler",
           "de mon cote", "aujourd'hui", "encore", "vraiment", "du", "tout", "particulier",
           "nouveau", "et", "qui"),
    "pt": ("bloqueio", "bloqueios", "bloqueado", "bloqueada", "bloqueando", "me", "impede",
           "de", "por enquanto", "por agora", "no momento", "ate agora", "hoje", "obrigado",
           "obrigada", "valeu", "problema", "problemas", "impedimento", "impedimentos",
           "obstaculo", "obstaculos", "esta", "estou", "ha", "tem", "tenho", "que", "ainda",
           "realmente", "novo", "da", "minha", "parte", "e", "momento", "agora"),
    "ar": ("يوجد", "توجد", "هناك", "شيء", "شي", "حاليا", "الان", "حتى", "الان", "شكرا", "عندي",
           "لدي", "يعيقني", "يعيق", "عائق", "عوائق", "العوائق", "معوقات", "مشاكل", "مشكله",
           "اي", "في", "الوقت", "الحالي", "جديد", "اليوم", "عقبات", "تعيقني", "يمنعني"),
}


def _phrases(table: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Every phrase of every language as folded words, longest first."""
    found = {tuple(_fold(phrase).split()) for phrases in table.values() for phrase in phrases}
    return sorted(found, key=len, reverse=True)


_NONE_PHRASES, _GOOD_PHRASES, _FILLER_PHRASES = map(_phrases, (_NONE, _ALL_GOOD, _FILLER))
_WORD = re.compile(r"[^\W_]+(?:['/.][^\W_]+)*")


def means_nothing(answer: str) -> bool:
    """"no", "none", "Nenhum bloqueio", "rien pour l'instant", "لا يوجد"… — not a blocker.

    An answer with no letters or digits at all ("-", "—", "👍") says nothing either."""
    words = [w.strip("'") for w in _WORD.findall(_fold(answer))]
    words = [w for w in words if w]
    if not words:
        return True
    said_none = said_good = False
    at = 0
    while at < len(words):
        for phrases, kind in ((_NONE_PHRASES, "none"), (_GOOD_PHRASES, "good"),
                              (_FILLER_PHRASES, "filler")):
            step = _match(words, at, phrases)
            if step:
                said_none |= kind == "none"
                said_good |= kind == "good"
                at += step
                break
        else:
            return False  # a word that says something: a real blocker
    return said_none or said_good


def _match(words: list[str], at: int, phrases: list[tuple[str, ...]]) -> int:
    for phrase in phrases:
        if tuple(words[at:at + len(phrase)]) == phrase:
            return len(phrase)
    return 0
