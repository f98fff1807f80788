"""What the certificates' pages show, built from the views: a request with its labels, the register's facts beside
each waiting request (the clerk checks against them, never against what was typed), and the state of an issued
certificate on a day (valid, expired, cancelled)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import anyio

from backend.kernel.personal import PersonalData, unseal
from backend.workload.domain.certificate_lists import NEGATIVE, ListItem
from backend.workload.domain.certificates import CANCELLED, ISSUED, REFUSALS, STATUSES, number_text
from projections.residents import queries as residents


def shown(row: dict[str, Any], day: date) -> dict[str, Any]:
    state = row["status"]
    if state == ISSUED and row["valid_until"] is not None and row["valid_until"] < day:
        state = "expired"
    return {
        **row,
        "state": state,
        "status_label": STATUSES.get(row["status"], row["status"]),
        "refusal_label": REFUSALS.get(row["refusal"], ""),
        "number_text": number_text(row["year"], row["number"]) if row["number"] else "",
        "cancelled": row["status"] == CANCELLED,
    }


async def with_register(
    personal: PersonalData, rows: list[dict[str, Any]], items: dict[str, ListItem], day: date
) -> list[dict[str, Any]]:
    """Each waiting request with the register's facts of its resident (name, household, verified) and the listed item
    it asks for as the lists read today (None: on neither list), the valid-until day proposed."""
    ids = [r["resident_id"] for r in rows]
    found = await residents.by_ids(ids)
    names = await residents.full_names(personal, ids)
    out = []
    for r in rows:
        person = found.get(str(r["resident_id"])) or {}
        item = items.get(r["item_code"]) if r["item_code"] else None
        out.append(
            {
                **shown(r, day),
                "register_name": names.get(str(r["resident_id"]), ""),
                "register_household": person.get("household", ""),
                "register_verified": person.get("status") == "verified",
                "item": item,
                "negative": item is not None and item.side == NEGATIVE,
                "valid_until": (day + timedelta(days=item.valid_days)).isoformat() if item and item.valid_days else "",
            }
        )
    return out


async def printed_name(personal: PersonalData, row: dict[str, Any]) -> str:
    """The name as the register had it when the certificate was issued (sealed in it; "" once erased)."""
    resident_id = UUID(str(row["resident_id"]))
    keys = await anyio.to_thread.run_sync(personal.keys, [resident_id]) if row["name_sealed"] else {}
    return unseal(keys.get(resident_id), row["name_sealed"]) or ""
