"""What the clerk's pages of 社区动态 show, built from the views: who has not read an important notice, by building
(names only on staff pages)."""

from __future__ import annotations

from typing import Any

from backend.kernel.personal import PersonalData
from projections.news import queries as news
from projections.residents import queries as residents


async def unread_by_building(personal: PersonalData, community_id: object, news_id: object) -> dict[str, Any]:
    """Every building with how many of its verified residents have read the item and who has not (their names and
    rooms, for the 楼长 to tell them in person): the buildings with the most unread first."""
    rows = await news.residents_reading(community_id, news_id)
    unread = [r for r in rows if not r["read"]]
    names = await residents.full_names(personal, (r["id"] for r in unread))
    buildings: dict[str, dict[str, Any]] = {}
    for r in rows:
        b = buildings.setdefault(r["building"], {"building": r["building"], "total": 0, "unread": []})
        b["total"] += 1
        if not r["read"]:
            b["unread"].append({"name": names.get(str(r["id"]), ""), "household": r["household"]})
    for b in buildings.values():
        b["unread"].sort(key=lambda u: residents.natural(u["household"]))
    ordered = sorted(buildings.values(), key=lambda b: (-len(b["unread"]), residents.natural(b["building"])))
    return {"buildings": ordered, "total": len(rows), "read": len(rows) - len(unread)}
