"""The tables of 社区动态's views."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class NewsView(Table, tablename="news_item"):
    """A news item as it stands: its newest version, withdrawn or not."""

    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    category = Varchar(length=10)
    title = Varchar(length=60)
    text = Text()
    photo = Varchar(length=80, default="")
    pinned = Boolean(default=False)
    important = Boolean(default=False)
    until = Date(null=True, default=None)  # the last day it is listed
    version = Integer(default=1)
    posted_at = Timestamptz(index=True)
    updated_at = Timestamptz()
    author_id = UUID(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    withdraw_reason = Text(default="")
    position = BigInt()


class NewsVersion(Table, tablename="news_version"):
    """Each version of an item (the first as posted, then each edit): the history on its page."""

    news_id = UUID(index=True)
    version = Integer()
    category = Varchar(length=10)
    title = Varchar(length=60)
    text = Text()
    photo = Varchar(length=80, default="")
    pinned = Boolean(default=False)
    important = Boolean(default=False)
    until = Date(null=True, default=None)
    at = Timestamptz()
    actor_id = UUID(null=True, default=None)


class ReadingView(Table, tablename="news_reading"):
    """A resident read an important item (我已阅读), or opened a notice of the board: one row each, ever."""

    id = UUID(primary_key=True)  # the Reading aggregate's (subject and resident)
    subject = Varchar(length=10)  # news | notice
    subject_id = UUID(index=True)
    resident_id = UUID(index=True)
    community_id = UUID()
    read_at = Timestamptz()
