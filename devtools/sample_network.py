"""The network the fair-times work was measured on: eight members from Bogotá to Manila,
with realistic working hours (Amman works Sun–Thu, Kathmandu Sun–Fri), and two more for
ten. Tests, the benchmark and the demo use it, so their figures describe the same people."""

from __future__ import annotations

from datetime import UTC, datetime

# (user id, zone, working hours as a member would type them)
NETWORK8: tuple[tuple[str, str, str], ...] = (
    ("@amina:example.org", "Africa/Nairobi", "08:00-17:00 Mon-Fri"),
    ("@tunde:example.org", "Africa/Lagos", "09:00-17:00 Mon-Fri"),
    ("@rania:example.org", "Asia/Beirut", "09:00-17:00 Mon-Fri"),
    ("@omar:example.org", "Asia/Amman", "09:00-17:00 Sun-Thu"),
    ("@sita:example.org", "Asia/Kathmandu", "10:00-17:00 Sun-Fri"),
    ("@maria:example.org", "Asia/Manila", "09:00-17:00 Mon-Fri"),
    ("@camila:example.org", "America/Bogota", "09:00-18:00 Mon-Fri"),
    ("@bea:example.org", "America/Sao_Paulo", "09:00-18:00 Mon-Fri"),
)
NETWORK10: tuple[tuple[str, str, str], ...] = (
    *NETWORK8,
    ("@lupe:example.org", "America/Mexico_City", "09:00-17:00 Mon-Fri"),
    ("@rahim:example.org", "Asia/Dhaka", "09:30-17:30 Sun-Thu"),
)
# Sunday 6 Dec 2026, 10:47 in Bogotá: when the coordinator asked for a time.
ASKED_AT = datetime(2026, 12, 6, 15, 47, tzinfo=UTC)
