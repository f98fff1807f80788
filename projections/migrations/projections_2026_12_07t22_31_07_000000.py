"""Certificates (证明事项, issue 30): the street's list lines and each request as it stands (the 证明开具登记). Written
as `piccolo migrations new projections --auto` makes it, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T22:31:07:000000"
VERSION = "1.38.0"
DESCRIPTION = "workload: certificate list lines and certificates"

TABLES = [("CertificateListLine", "workload_certificate_line"), ("CertificateView", "workload_certificate")]


def _p(default: object, index: bool = False, primary_key: bool = False, null: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": null, "primary_key": primary_key, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


L, C = ("CertificateListLine", "workload_certificate_line"), ("CertificateView", "workload_certificate")
COLUMNS = [
    (*L, "street", Varchar, _p("", index=True, length=40)),
    (*L, "code", Varchar, _p("", length=30)),
    (*L, "dropped", Integer, _p(0)),
    (*L, "side", Varchar, _p("", length=10)),
    (*L, "name", Varchar, _p("", length=40)),
    (*L, "basis", Text, _p("")),
    (*L, "instead", Text, _p("")),
    (*L, "purpose", Text, _p("")),
    (*L, "procedure", Text, _p("")),
    (*L, "sample", Text, _p("")),
    (*L, "valid_days", Integer, _p(0)),
    (*L, "effective_from", Date, _p(DateNow())),
    (*L, "rule", Text, _p("")),
    (*L, "at", Timestamptz, _p(TimestamptzNow())),
    (*L, "position", BigInt, _p(0)),
    (*C, "id", UUID, _p(UUID4(), primary_key=True)),
    (*C, "community_id", UUID, _p(UUID4(), index=True)),
    (*C, "resident_id", UUID, _p(UUID4(), index=True)),
    (*C, "item_code", Varchar, _p("", length=30)),
    (*C, "item_name", Varchar, _p("", length=40)),
    (*C, "purpose", Text, _p("")),
    (*C, "channel", Varchar, _p("", length=10)),
    (*C, "status", Varchar, _p("", length=12)),
    (*C, "requested_at", Timestamptz, _p(TimestamptzNow(), index=True)),
    (*C, "requested_by", UUID, _p(None, null=True)),
    (*C, "answered_at", Timestamptz, _p(None, null=True)),
    (*C, "answered_by", UUID, _p(None, null=True)),
    (*C, "refusal", Varchar, _p("", length=20)),
    (*C, "basis", Text, _p("")),
    (*C, "instead", Text, _p("")),
    (*C, "note", Text, _p("")),
    (*C, "year", Integer, _p(0)),
    (*C, "number", Integer, _p(0)),
    (*C, "text", Text, _p("")),
    (*C, "name_sealed", Text, _p("")),
    (*C, "household", Varchar, _p("", length=80)),
    (*C, "valid_until", Date, _p(None, null=True)),
    (*C, "check_lookup", Varchar, _p("", index=True, length=64)),
    (*C, "cancelled_at", Timestamptz, _p(None, null=True)),
    (*C, "cancel_reason", Text, _p("")),
    (*C, "position", BigInt, _p(0)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)
    for class_name, tablename in TABLES:
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
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
