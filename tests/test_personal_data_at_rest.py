"""Personal data at rest (issue 21, defect 3): after a demo-like run — residents registered and verified (one at the
counter with an ID number), a register listing members, co-signs, bookings, volunteering, a clerk at work — no
table of the views database (SQLite or PostgreSQL) and no file of the data dir holds any resident's clear name,
phone number or ID number, or a member name of the register; the clerk's pages still show them and the clerk's
search still finds them (through the blind index)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

from eventsourcing.utils import get_topic

from backend.demo import load_demo
from backend.kernel.personal import unseal
from backend.residents.domain.household import Household
from backend.residents.domain.resident import Resident
from tests.conftest import POSTGRES, POSTGRES_URL
from tests.factories import app_runtime, sign_in
from tests.test_residents_http import form_post, settle

NEWCOMER = {"name": "欧阳明华", "phone": "13912345678", "id_number": "11010519491231002X"}


def clear_values(rt) -> set[str]:
    """Every name, phone and ID number the log holds (sealed), and every member name of the register, in clear:
    read back from the log with the keys, so nothing is missed whatever the run registered."""
    wanted = {get_topic(Resident.Registered), get_topic(Household.Registered), get_topic(Household.MembersListed)}
    ids: set[UUID] = set()
    start = 1
    while batch := rt.store.recorder.select_notifications(start, 1000):
        ids |= {n.originator_id for n in batch if n.topic in wanted}
        start = batch[-1].id + 1
    keys = rt.personal.keys(ids)
    found: set[str] = set()
    for aggregate_id in ids:
        aggregate = rt.store.repository.get(aggregate_id)
        key = keys.get(aggregate_id)
        if isinstance(aggregate, Resident):
            sealed = (aggregate.name_sealed, aggregate.phone_sealed, aggregate.id_number_sealed)
            found |= {v for v in (unseal(key, s) for s in sealed if s) if v}
        elif aggregate.members_sealed:
            found |= set(json.loads(unseal(key, aggregate.members_sealed) or "[]"))
    return found


def view_cells(settings) -> Iterator[tuple[str, str, str]]:
    """(table, column, value as text) for every column of every table of the views database, read with the
    database's own client (not through the app)."""
    if POSTGRES:
        import psycopg

        schema = f"{settings.pg_schema}_views"
        with psycopg.connect(POSTGRES_URL) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
                )
            ]
            for table in tables:
                cursor = conn.execute(f'SELECT * FROM "{schema}"."{table}"')
                columns = [c.name for c in cursor.description or ()]
                for row in cursor:
                    for column, value in zip(columns, row, strict=True):
                        yield table, column, _text(value)
        return
    conn = sqlite3.connect(f"file:{settings.views_path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns = [c[0] for c in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    yield table, column, _text(value)
    finally:
        conn.close()


def _text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def forms_of(value: str) -> set[str]:
    """The value as it could be written: as is, and JSON-escaped (\\u6b27…) as a JSON column may keep it."""
    return {value, json.dumps(value)[1:-1]}


async def test_no_personal_field_in_clear_in_the_views_or_the_data_dir_yet_the_clerk_sees_and_finds_them(
    client, settings
):
    rt = app_runtime(client)
    await load_demo(rt)
    await settle(rt)
    clerk_phone = "13800000001"  # demo resident 1 is a clerk
    await sign_in(client, clerk_phone, "linli2026")
    households = (await client.get("/clerk/households")).text
    assert "张" in households or "王" in households  # the register's member names, shown to the clerk
    desk = (await client.get("/clerk")).text
    counter = await form_post(
        client,
        "/clerk/residents/new",
        "/clerk/residents/new",
        {
            **NEWCOMER,
            "password": "",
            "household_id": await _a_household(client),
        },
    )
    assert counter.status_code == 303, counter.text[:500]
    newcomer = counter.headers["location"].rsplit("/", 1)[1]
    pending = re.search(r"/clerk/registrations/([0-9a-f-]{36})/verify", desk).group(1)
    assert (await form_post(client, "/clerk", f"/clerk/registrations/{pending}/verify", {})).status_code == 303
    await settle(rt)
    shown = await client.get("/clerk")  # the flash of the verification is shown (and leaves the session)
    assert shown.status_code == 200

    # the clerk's pages show them and the search finds them, by a piece of the name or the phone's last digits
    for query in ("明华", "欧阳", "5678", NEWCOMER["phone"]):
        listing = (await client.get("/clerk/residents", params={"q": query})).text
        assert NEWCOMER["name"] in listing, query
    assert "欧阳明华" not in (await client.get("/clerk/residents", params={"q": "明欧"})).text
    page = (await client.get(f"/clerk/residents/{newcomer}")).text
    assert "欧**华" in page and NEWCOMER["phone"] not in page and NEWCOMER["id_number"] not in page
    shown = await form_post(
        client, f"/clerk/residents/{newcomer}", f"/clerk/residents/{newcomer}/reveal", {"reason": "verification"}
    )
    assert shown.status_code == 303
    page = (await client.get(f"/clerk/residents/{newcomer}")).text
    assert all(NEWCOMER[k] in page for k in ("name", "phone", "id_number"))
    await settle(rt)

    clear = clear_values(rt)
    assert {NEWCOMER["name"], NEWCOMER["phone"], NEWCOMER["id_number"]} <= clear and len(clear) > 60
    leaks = [
        (table, column, value)
        for table, column, cell in view_cells(settings)
        for value in clear
        if any(form in cell for form in forms_of(value))
    ]
    assert leaks == [], leaks[:10]
    for path in Path(settings.data_dir).rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found = [value for value in clear if any(form.encode() in data for form in forms_of(value))]
        assert found == [], (str(path.relative_to(settings.data_dir)), found[:10])


async def _a_household(client) -> str:
    page = (await client.get("/register/household?community=xingfuli&building=1栋&unit=1单元")).text
    return re.search(r'value="([0-9a-f-]{36})"', page).group(1)
