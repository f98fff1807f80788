"""The tables of 居务公开's views (their class and table names are the migration baseline's)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class NoticeView(Table, tablename="disclosure_notice"):
    """A notice as the committee works on it: the draft, its review, the version on the board."""

    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    category = Varchar(length=10)
    kind = Varchar(length=20)
    state = Varchar(length=12)  # draft | in_review | approved | published
    title = Varchar(length=80)  # the draft's, or the published version's when there is no draft
    text = Text()
    correction_reason = Text(default="")
    review_due = Date(null=True, default=None)
    returned_reason = Text(default="")
    version = Integer(default=0)  # the version on the board (0: not published)
    published_on = Date(null=True, default=None)
    until = Date(null=True, default=None)
    period = Varchar(length=20, default="")
    sources = JSON()  # positions of the events it is derived from
    photos = JSON()
    matter_id = UUID(null=True, default=None)  # a ⑤/⑥ notice of the deliberation
    created_at = Timestamptz()
    updated_at = Timestamptz()


class BoardEntry(Table, tablename="disclosure_board"):
    """One published version: on the board from `published_at` until `superseded_at` (its correction)."""

    id = UUID(primary_key=True)
    notice_id = UUID(index=True)
    community_id = UUID(index=True)
    category = Varchar(length=10)
    kind = Varchar(length=20)
    version = Integer()
    title = Varchar(length=80)
    text = Text()
    correction_reason = Text(default="")
    published_on = Date()
    until = Date()
    published_at = Timestamptz(index=True)
    superseded_at = Timestamptz(null=True, default=None)
    position = BigInt()
    chain_head = Varchar(length=64)


class ObjectionView(Table, tablename="disclosure_objection"):
    notice_id = UUID(index=True)
    community_id = UUID(index=True)
    number = Integer()
    resident_id = UUID()
    reason = Text()
    raised_at = Timestamptz()
    answer_due = Date()
    answer = Text(default="")
    answered_at = Timestamptz(null=True, default=None)


class FinanceEntryView(Table, tablename="disclosure_finance_entry"):
    community_id = UUID(index=True)
    number = Integer()
    kind = Varchar(length=10)
    dated = Date(index=True)
    amount_fen = BigInt()
    category = Varchar(length=20)
    counterparty = Varchar(length=60, default="")
    voucher = Varchar(length=64, default="")
    corrects = Integer(default=0)
    reason = Text(default="")
    recorded_at = Timestamptz()
    position = BigInt()


class PublishedDay(Table, tablename="disclosure_published_day"):
    """The days a community first published a notice of a category: what the schedule needs, a few rows a year
    however many notices there are."""

    community_id = UUID(index=True)
    category = Varchar(length=10)
    published_on = Date()
