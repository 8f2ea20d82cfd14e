"""Command names in members' languages. The English names stay the stable ones (docs, help,
examples); these are extra ways in, so a Spanish speaker can type `!reunion`.

One table, by command and language, so a clash is visible at a glance; the router refuses
to start on a duplicate. The language matters for "Did you mean": a reader is offered only
names in their own language and English (`names_for`).
"""

from __future__ import annotations

BY_LANGUAGE: dict[str, dict[str, tuple[str, ...]]] = {
    "meeting": {"es": ("reunion", "reunión"), "fr": ("réunion", "reunion"),
                "pt": ("reuniao", "reunião"), "ar": ("اجتماع",)},
    "meetings": {"es": ("reuniones",), "fr": ("réunions", "reunions"),
                 "pt": ("reunioes", "reuniões"), "ar": ("اجتماعات",)},
    "poll": {"es": ("encuesta",), "fr": ("sondage",), "pt": ("enquete",), "ar": ("استطلاع",)},
    "rota": {"es": ("turnos",), "fr": ("roulement",), "pt": ("escala",), "ar": ("تناوب",)},
    "fairness": {"es": ("equidad",), "fr": ("equite", "équité"), "pt": ("equidade",),
                 "ar": ("إنصاف",)},
    "action": {"es": ("accion", "acción"), "fr": ("tache", "tâche"), "pt": ("acao", "ação"),
               "ar": ("مهمة",)},
    "actions": {"es": ("acciones",), "fr": ("taches", "tâches"), "pt": ("acoes", "ações"),
                "ar": ("مهام",)},
    "done": {"es": ("hecho",), "fr": ("fait",), "pt": ("feito",), "ar": ("تم",)},
    "reopen": {"es": ("reabrir",), "fr": ("rouvrir",), "pt": ("reabrir",), "ar": ("أعد_فتح",)},
    "decision": {"es": ("decisión",), "fr": ("décision",), "pt": ("decisao", "decisão"),
                 "ar": ("قرار",)},
    "minutes": {"es": ("acta",), "fr": ("compte-rendu",), "pt": ("ata",), "ar": ("محضر",)},
    "digest": {"es": ("resumen",), "fr": ("resume", "résumé"), "pt": ("resumo",),
               "ar": ("ملخص",)},
    "away": {"es": ("ausente",), "fr": ("absent",), "pt": ("ausente",), "ar": ("غائب",)},
    "back": {"es": ("vuelvo",), "fr": ("retour",), "pt": ("voltei",), "ar": ("عدت",)},
    "checkin": {"es": ("seguimiento",), "fr": ("point",), "pt": ("acompanhamento",),
                "ar": ("متابعة",)},
    "tz": {"es": ("zona",), "fr": ("fuseau",), "pt": ("fuso",), "ar": ("منطقة",)},
    "hours": {"es": ("horario",), "fr": ("horaires",), "pt": ("horário",), "ar": ("ساعات",)},
    "forget": {"es": ("olvidar",), "fr": ("oublier",), "pt": ("esquecer",), "ar": ("انسني",)},
    "help": {"es": ("ayuda",), "fr": ("aide",), "pt": ("ajuda",), "ar": ("مساعدة",)},
    "lang": {"es": ("idioma",), "fr": ("langue",), "pt": ("lingua", "língua"), "ar": ("لغة",)},
}

# Every alias of a command, in one tuple (the router's view).
ALIASES: dict[str, tuple[str, ...]] = {
    command: tuple(dict.fromkeys(alias for names in by_lang.values() for alias in names))
    for command, by_lang in BY_LANGUAGE.items()
}


def names_for(command: str, lang: str) -> tuple[str, ...]:
    """The aliases of `command` in `lang` (none for English: its names are the commands')."""
    return BY_LANGUAGE.get(command, {}).get(lang, ())
