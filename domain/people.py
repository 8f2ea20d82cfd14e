"""How a member is named in what Minga says: never a raw Matrix id.

A member is shown by their display name in the room; someone who has left by the localpart
of their id ("amina" for @amina:example.org); a forgotten member by their pseudonym, in the
reader's language ("former member 2", "antiguo miembro 2"). Pseudonyms are stored in
English (they replace user ids in the database) and translated only when shown.
"""

from __future__ import annotations

import re

from domain.i18n import N_, _

__all__ = ["is_pseudonym", "localpart", "pseudonym", "shown_name"]

# Translators: how a member who asked to be forgotten is named in shared records (minutes,
# closed actions); {number} counts them per room.
_PSEUDONYM = N_("former member {number}")
_STORED = re.compile(r"former member ([0-9]+)")


def pseudonym(number: int) -> str:
    """The stored form; never starts with "@", so it can never notify a real account."""
    return f"former member {number}"


def is_pseudonym(user_id: str) -> bool:
    return _STORED.fullmatch(user_id) is not None


def localpart(user_id: str) -> str:
    """"@amina:example.org" → "amina"."""
    return user_id[1:].split(":", 1)[0] if user_id.startswith("@") else user_id


def shown_name(user_id: str, display_name: str | None = None) -> str:
    """The name to show for `user_id`, given their display name in the room if they have one."""
    stored = _STORED.fullmatch(user_id)
    if stored:
        return _(_PSEUDONYM).format(number=int(stored[1]))
    if display_name and display_name != user_id:
        return display_name
    return localpart(user_id) or user_id
