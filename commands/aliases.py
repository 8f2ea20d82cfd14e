"""Command names in members' languages. The English names stay the stable ones (docs, help,
examples); these are extra ways in, so a Spanish speaker can type `!reunion`.

One table, so a clash is visible at a glance; the router refuses to start on a duplicate.
"""

from __future__ import annotations

ALIASES: dict[str, tuple[str, ...]] = {
    "meeting": ("reunion", "reunión", "réunion", "reuniao", "reunião", "اجتماع"),
    "meetings": ("reuniones", "réunions", "reunions", "reunioes", "reuniões", "اجتماعات"),
    "poll": ("encuesta", "sondage", "enquete", "enquête", "استطلاع"),
    "rota": ("turnos", "roulement", "escala", "تناوب"),
    "fairness": ("equidad", "equite", "équité", "equidade", "إنصاف"),
    "action": ("accion", "acción", "tache", "tâche", "acao", "ação", "مهمة"),
    "actions": ("acciones", "taches", "tâches", "acoes", "ações", "مهام"),
    "done": ("hecho", "fait", "feito", "تم"),
    "reopen": ("reabrir", "rouvrir", "أعد_فتح"),
    "decision": ("decisión", "décision", "decisao", "decisão", "قرار"),
    "minutes": ("acta", "compte-rendu", "ata", "محضر"),
    "digest": ("resumen", "resume", "résumé", "resumo", "ملخص"),
    "away": ("ausente", "absent", "غائب"),
    "back": ("vuelvo", "retour", "voltei", "عدت"),
    "checkin": ("seguimiento", "point", "acompanhamento", "متابعة"),
    "tz": ("zona", "fuseau", "fuso", "منطقة"),
    "hours": ("horario", "horaires", "horário", "ساعات"),
    "forget": ("olvidar", "oublier", "esquecer", "انسني"),
    "help": ("ayuda", "aide", "ajuda", "مساعدة"),
    "lang": ("idioma", "langue", "lingua", "língua", "لغة"),
}
