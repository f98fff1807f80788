"""The community views' tables: communities and their rulebooks' settings."""

from __future__ import annotations

from piccolo.columns import UUID, Date, Integer, Varchar
from piccolo.table import Table


class CommunityView(Table, tablename="community"):
    id = UUID(primary_key=True)
    name = Varchar(length=60)
    code = Varchar(length=40, index=True)
    street = Varchar(length=40, default="")
    founded_on = Date(null=True, default=None)  # the day in China: disclosures are due from then


class RuleView(Table, tablename="community_rule"):
    community_id = UUID(index=True)
    rule = Varchar(length=40)
    value = Integer()
    effective_from = Date()
    source = Varchar(length=200)
    position = Integer()
