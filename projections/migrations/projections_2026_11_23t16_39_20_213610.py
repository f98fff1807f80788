from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import UUID
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-23T16:39:20:213610"
VERSION = "1.38.0"
DESCRIPTION = "Guardian consents; residents' birth dates (from the ID number), filled by replaying the residents"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="projections", description=DESCRIPTION
    )

    manager.add_table(
        class_name="ConsentView",
        tablename="volunteer_consent",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="ConsentView",
        tablename="volunteer_consent",
        column_name="activity_id",
        db_column_name="activity_id",
        column_class_name="UUID",
        column_class=UUID,
        params={
            "default": UUID4(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ConsentView",
        tablename="volunteer_consent",
        column_name="minor_id",
        db_column_name="minor_id",
        column_class_name="UUID",
        column_class=UUID,
        params={
            "default": UUID4(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ConsentView",
        tablename="volunteer_consent",
        column_name="guardian_id",
        db_column_name="guardian_id",
        column_class_name="UUID",
        column_class=UUID,
        params={
            "default": UUID4(),
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

    manager.add_column(
        table_class_name="ConsentView",
        tablename="volunteer_consent",
        column_name="given_at",
        db_column_name="given_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
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

    manager.add_column(
        table_class_name="ResidentView",
        tablename="resident",
        column_name="birth_date",
        db_column_name="birth_date",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": None,
            "null": True,
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

    async def replay_residents() -> None:
        # The birth date comes from events already in the log: empty the residents' views and let the projector
        # replay them.
        from projections.residents import ResidentsProjection
        from projections.runner import ProjectionPosition

        for table in ResidentsProjection.tables:
            await table.delete(force=True)
        await ProjectionPosition.update({ProjectionPosition.position: 0}).where(
            ProjectionPosition.name == "residents"
        )

    manager.add_raw(replay_residents)

    return manager
