"""A proposal's answer (issue 22): the day it is due and the committee's answer, on the proposal's row. The rows made
before have no due day: the proposals' views are emptied and read again from the log (the deliberation projection's
position back to 0), which gives every proposal its due day (the rule's default from its submission, for proposals
submitted before the rule existed). Written as `piccolo migrations new projections --auto` would, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Date, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deliberation: a proposal's answer and its due day"


def _p(default: object, null: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": null, "primary_key": False, "unique": False, "index": False},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


COLUMNS = [
    ("ProposalView", "proposal", "answer_due", Date, _p(None, null=True)),
    ("ProposalView", "proposal", "answer_kind", Varchar, _p("", length=10)),
    ("ProposalView", "proposal", "answer_text", Text, _p("")),
    ("ProposalView", "proposal", "answer_target", UUID, _p(None, null=True)),
    ("ProposalView", "proposal", "answered_at", Timestamptz, _p(None, null=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)

    async def read_proposals_again() -> None:
        from piccolo.apps.migrations.tables import Migration

        for table in ("proposal", "proposal_cosign", "proposal_history"):
            await Migration.raw(f"DELETE FROM {table}")
        await Migration.raw("UPDATE projection_position SET position = 0 WHERE name = 'deliberation'")

    manager.add_raw(read_proposals_again)
    for table_class_name, tablename, name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name=table_class_name,
            tablename=tablename,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
