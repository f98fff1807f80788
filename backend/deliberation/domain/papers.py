"""Ballot papers of a sitting (选票, issue 29): one printed paper per member, each with a tracking code, so that a
counted paper is entered by scanning its code. Named votes only (DESIGN 10 "Votes"): the code names the member, so
these papers are never used for a secret ballot (elections, 民主评议).

The code is derived from (meeting, member) with the deployment's secret digest: unguessable, and checked by
recomputing the codes of the issued members, so no code is stored in clear. One aggregate per sitting holds which
papers were issued and which were entered: a paper counts at most once, and no paper is entered that was not issued.
An online ballot of thousands gets no papers: its paper desk finds members by name, phone or room instead. Pure: the
digest comes in as an argument (a keyed hash, no I/O), the time with the Ctx."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable
from uuid import UUID, uuid5

from backend.deliberation.domain.meeting import Meeting
from backend.kernel.codes import normal_code
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError

PAPERS_NAMESPACE = UUID("3e6d2c1b-7a8f-4e9d-b0c1-5f4e3d2c1b0a")
CODE_CHARS = 10  # 50 bits: a clerk types it in one go, nobody guesses one among a sitting's few dozen

Digest = Callable[[str], str]


def papers_id(meeting_id: UUID) -> UUID:
    return uuid5(PAPERS_NAMESPACE, str(meeting_id))


def paper_code(digest: Digest, meeting_id: UUID, member_id: UUID) -> str:
    """The tracking code printed on `member_id`'s paper of the sitting: 10 base32 characters (A-Z, 2-7)."""
    raw = bytes.fromhex(digest(f"ballot-paper|{meeting_id}|{member_id}"))[:8]
    return base64.b32encode(raw).decode()[:CODE_CHARS]


def shown_code(code: str) -> str:
    """As printed: two groups of five, easier to read aloud and to type (the dash is ignored when entered)."""
    return f"{code[:5]}-{code[5:]}"


class BallotPapers(LinliAggregate):
    """The papers of one sitting: for whom they were issued, and which were entered (by a clerk, from the code)."""

    class Issued(LinliAggregate.Created):
        meeting_id: UUID
        members: list[UUID]  # one paper each: the sitting's members (应到) at the time of issue

    class Entered(LinliAggregate.Event):
        member_id: UUID

        def apply(self, papers: BallotPapers) -> None:
            papers.entered.add(self.member_id)

    def __init__(self, meeting_id: UUID, members: list[UUID]) -> None:
        self.meeting_id = meeting_id
        self.members = frozenset(members)
        self.entered: set[UUID] = set()

    @classmethod
    def issue(cls, ctx: Ctx, meeting: Meeting) -> BallotPapers:
        """Papers for every member of a sitting whose ballot is not over. Issued once: printing again prints the
        same codes (a spoiled paper's code still counts at most once)."""
        if ctx.community_id != meeting.community_id:
            raise DomainError("No such meeting.", status=404)
        if meeting.online_until is not None:
            raise DomainError("An online ballot has no printed papers: use the paper desk.", status=409)
        if meeting.ballot == "closed":
            raise DomainError("This meeting is over.", status=409)
        return cls.start(
            cls.Issued, ctx, papers_id(meeting.id), meeting_id=meeting.id, members=sorted(meeting.expected, key=str)
        )

    def member_of(self, digest: Digest, code: str) -> UUID:
        """The member whose paper carries `code` (typed or scanned): every issued paper's code is recomputed and
        compared in constant time; an unknown or altered code is no paper of this sitting."""
        typed = normal_code(code)
        found = None
        for member in sorted(self.members, key=str):  # no early exit: the time says nothing about the code
            if hmac.compare_digest(typed.encode(), paper_code(digest, self.meeting_id, member).encode()):
                found = member
        if found is None:
            raise DomainError("That code is not a paper of this sitting.", "code", status=404)
        return found

    def enter(self, ctx: Ctx, member_id: UUID, voted_online: bool) -> None:
        """A counted paper entered by a clerk: once, for an issued paper, never over the member's own online vote.
        The vote itself is the member's paper ballot, confirmed by a second clerk as any paper ballot."""
        if ctx.community_id != self.community_id:
            raise DomainError("No such meeting.", status=404)
        if member_id not in self.members:
            raise DomainError("That code is not a paper of this sitting.", "code", status=404)
        if member_id in self.entered:
            raise DomainError("This paper has already been entered.", "code", status=409)
        if voted_online:
            raise DomainError("This member has already voted online; their paper does not count.", "code", status=409)
        self.emit(self.Entered, ctx, member_id=member_id)
