from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import UUID
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-22T17:14:30:131103"
VERSION = "1.38.0"
DESCRIPTION = "co-signs carry their log position and are no longer repeated in proposal_history"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="projections", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="ProposalCoSign",
        tablename="proposal_cosign",
        column_name="position",
        db_column_name="position",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="ProposalCoSign",
        tablename="proposal_cosign",
        column_name="resident_id",
        db_column_name="resident_id",
        params={"index": False},
        old_params={"index": True},
        column_class=UUID,
        old_column_class=UUID,
        schema=None,
    )

    async def replay_deliberation() -> None:
        # The deliberation views change shape: empty them and let the projector replay them from the log.
        from projections.deliberation import ProposalCoSign, ProposalHistory, ProposalView
        from projections.runner import ProjectionPosition

        for table in (ProposalView, ProposalCoSign, ProposalHistory):
            await table.delete(force=True)
        await ProjectionPosition.update({ProjectionPosition.position: 0}).where(
            ProjectionPosition.name == "deliberation"
        )

    manager.add_raw(replay_deliberation)

    return manager
