"""The public board of proposals, each proposal's co-signers and its history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID as PyUUID

from piccolo.columns import JSON, UUID, BigInt, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.deliberation.domain import Proposal
from projections.db import bulk_execute, bulk_insert
from projections.runner import Item, LiveMessage


class ProposalView(Table, tablename="proposal"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    author_id = UUID()
    title = Varchar(length=60)
    description = Text()
    category = Varchar(length=30)
    photos = JSON()
    state = Varchar(length=20, index=True)
    cosigns = Integer(default=0)
    threshold = Integer()
    submitted_at = Timestamptz()
    agenda_at = Timestamptz(null=True, default=None)
    updated_position = BigInt()


class ProposalCoSign(Table, tablename="proposal_cosign"):
    """Co-signers of a proposal; also the co-sign entries of its history (not repeated in proposal_history)."""

    proposal_id = UUID(index=True)
    position = BigInt(default=0)
    resident_id = UUID()
    actor_id = UUID(null=True)
    on_behalf_of = UUID(null=True)
    at = Timestamptz()


class ProposalHistory(Table, tablename="proposal_history"):
    proposal_id = UUID(index=True)
    position = BigInt()
    kind = Varchar(length=20)
    resident_id = UUID(null=True)
    actor_id = UUID(null=True)
    on_behalf_of = UUID(null=True)
    at = Timestamptz()
    detail = Text(default="")


def _history(item: Item, kind: str, resident_id: PyUUID | None, detail: str = "") -> dict[str, Any]:
    e = item.event
    return {
        "proposal_id": e.originator_id,
        "position": item.position,
        "kind": kind,
        "resident_id": resident_id,
        "actor_id": e.actor_id,
        "on_behalf_of": e.on_behalf_of,
        "at": e.timestamp,
        "detail": detail,
    }


class DeliberationProjection:
    name = "deliberation"
    tables: ClassVar[Sequence[type[Table]]] = (ProposalView, ProposalCoSign, ProposalHistory)
    handles: ClassVar[Sequence[type]] = (
        Proposal.Submitted,
        Proposal.CoSigned,
        Proposal.ReachedAgenda,
        Proposal.Withdrawn,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        created: list[dict[str, Any]] = []
        cosigns: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        counts: dict[PyUUID, int] = {}
        changed: dict[PyUUID, int] = {}
        for item in items:
            e = item.event
            pid = e.originator_id
            changed[pid] = item.position
            if isinstance(e, Proposal.Submitted):
                created.append(
                    {
                        "id": pid,
                        "community_id": e.community_id,
                        "author_id": e.author_id,
                        "title": e.title,
                        "description": e.description,
                        "category": e.category,
                        "photos": e.photos,
                        "state": "collecting",
                        "cosigns": 0,
                        "threshold": e.threshold,
                        "submitted_at": e.timestamp,
                        "agenda_at": None,
                        "updated_position": item.position,
                    }
                )
                history.append(_history(item, "submitted", e.author_id))
            elif isinstance(e, Proposal.CoSigned):
                counts[pid] = e.count
                cosigns.append(
                    {
                        "proposal_id": pid,
                        "position": item.position,
                        "resident_id": e.resident_id,
                        "actor_id": e.actor_id,
                        "on_behalf_of": e.on_behalf_of,
                        "at": e.timestamp,
                    }
                )
            else:
                await bulk_insert(ProposalView, created)
                created = []
                if isinstance(e, Proposal.ReachedAgenda):
                    await ProposalView.update(
                        {ProposalView.state: "on_agenda", ProposalView.agenda_at: e.timestamp}
                    ).where(ProposalView.id == pid)
                    history.append(_history(item, "on_agenda", None, str(e.count)))
                elif isinstance(e, Proposal.Withdrawn):
                    await ProposalView.update({ProposalView.state: "withdrawn"}).where(ProposalView.id == pid)
                    history.append(_history(item, "withdrawn", e.actor_id, e.reason))
        await bulk_insert(ProposalView, created)
        await bulk_insert(ProposalCoSign, cosigns)
        await bulk_insert(ProposalHistory, history)
        await bulk_execute(
            ProposalView,
            "UPDATE proposal SET cosigns = ?, updated_position = ? WHERE id = ?",
            [(count, changed[pid], pid) for pid, count in counts.items()],
        )
        await bulk_execute(
            ProposalView,
            "UPDATE proposal SET updated_position = ? WHERE id = ?",
            [(position, pid) for pid, position in changed.items() if pid not in counts],
        )
        rows = await ProposalView.select(
            ProposalView.id, ProposalView.cosigns, ProposalView.state, ProposalView.threshold
        ).where(ProposalView.id.is_in(list(changed)))
        return [
            (f"proposal:{row['id']}", {"cosigns": row["cosigns"], "state": row["state"], "threshold": row["threshold"]})
            for row in rows
        ]


# -- queries for pages ------------------------------------------------------------------------------
async def board(community_id: PyUUID, state: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    query = ProposalView.select().where(ProposalView.community_id == community_id)
    if state:
        query = query.where(ProposalView.state == state)
    return await query.order_by(ProposalView.updated_position, ascending=False).limit(limit).output(load_json=True)


async def proposal(proposal_id: PyUUID) -> dict[str, Any] | None:
    return await ProposalView.select().where(ProposalView.id == proposal_id).output(load_json=True).first()


async def history(proposal_id: PyUUID) -> list[dict[str, Any]]:
    """The proposal's timeline in log order: its own entries and its co-signs."""
    entries = await ProposalHistory.select().where(ProposalHistory.proposal_id == proposal_id)
    cosigns = await ProposalCoSign.select().where(ProposalCoSign.proposal_id == proposal_id)
    entries += [{**c, "kind": "cosigned", "detail": ""} for c in cosigns]
    return sorted(entries, key=lambda entry: entry["position"])


async def has_cosigned(proposal_id: PyUUID, resident_id: PyUUID) -> bool:
    return await ProposalCoSign.exists().where(
        (ProposalCoSign.proposal_id == proposal_id) & (ProposalCoSign.resident_id == resident_id)
    )


async def cosign_count(proposal_id: PyUUID) -> int:
    return await ProposalCoSign.count().where(ProposalCoSign.proposal_id == proposal_id)
