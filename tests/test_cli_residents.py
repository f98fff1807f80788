"""Setting up a real community from the command line: found it on its street, import its register, add the first
clerk (who gets a one-time sign-in link), appoint a street operator; refusals exit non-zero and write nothing."""

from __future__ import annotations

import anyio

from backend import cli
from backend.contexts import PASSES
from backend.runtime import Runtime
from projections import db, piccolo_conf
from projections.registry import ALL_TABLES
from projections.residents import queries as residents
from tests.conftest import POSTGRES


async def run(argv: list[str]) -> int:
    """The CLI in a thread, as from a shell. Its runtime binds the views to its own engine (and closes it): bind
    them back, or this test's reads would open a connection on a closed engine that nothing ever closes."""
    engine = piccolo_conf.DB
    try:
        return await anyio.to_thread.run_sync(cli.main, argv)
    finally:
        db.bind(engine, ALL_TABLES)


async def test_a_community_is_set_up_from_the_command_line(settings, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("LINLI_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LINLI_SECRET", settings.secret)
    if POSTGRES:
        monkeypatch.setenv("LINLI_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("LINLI_PG_SCHEMA", settings.pg_schema)
    register = tmp_path / "register.csv"
    register.write_text("楼栋,单元,房号,成员\n1栋,1单元,101室,王芳\n1栋,1单元,102室,\n1栋,,\n", encoding="utf-8")

    assert await run(["community", "found", "heping", "和平社区", "--street", "和平街道"]) == 0
    assert await run(["households", "import", "heping", str(register)]) == 1
    assert "nothing imported" in capsys.readouterr().out
    assert await run(["households", "import", "heping", str(register), "--good-rows"]) == 0
    assert "added 2" in capsys.readouterr().out
    assert (
        await run(
            [
                "residents",
                "add",
                "heping",
                "--name",
                "王芳",
                "--phone",
                "13912340001",
                "--building",
                "1栋",
                "--unit",
                "1单元",
                "--room",
                "101室",
                "--role",
                "clerk",
            ]
        )
        == 0
    )
    assert "/signin/code/" in capsys.readouterr().out
    assert await run(["roles", "grant", "heping", "13912340001", "street_operator", "--street", "和平街道"]) == 0

    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=True)
    try:
        events = rt.event_count()
        assert await run(["roles", "grant", "heping", "13900000000", "clerk"]) == 1
        assert (
            await run(
                ["residents", "add", "heping", "--name", "李", "--phone", "123", "--building", "1栋", "--room", "101室"]
            )
            == 1
        )
        assert rt.event_count() == events
        await rt.projector.wait_for(events)
        row = await residents.by_phone(rt.personal, "13912340001")  # by its keyed digest (issue 21)
        assert row["status"] == "verified"
        assert set(residents.roles_in_force(row, rt.settings and __import__("datetime").date(2026, 11, 22))) == {
            "resident",
            "clerk",
            "street_operator",
        }
    finally:
        await rt.stop()


async def test_a_body_s_vote_rule_is_set_from_the_command_line_and_nonsense_is_refused(settings, monkeypatch, capsys):
    from datetime import date

    from backend.community.domain.community import community_id_for
    from backend.community.domain.rules import VOTE_RULES
    from backend.community.reads import load_community

    monkeypatch.setenv("LINLI_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LINLI_SECRET", settings.secret)
    if POSTGRES:
        monkeypatch.setenv("LINLI_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("LINLI_PG_SCHEMA", settings.pg_schema)
    assert await run(["community", "found", "heping", "和平社区"]) == 0
    vote = ["rules", "vote", "heping", "representatives"]
    assert await run([*vote, ">=4/5", ">1/2", "present", "--from", "2027-01-01", "--source", "议事规则第5条"]) == 0
    assert "representatives: present >=4/5 of expected; yes >1/2 of present from 2027-01-01" in capsys.readouterr().out
    assert await run([*vote, "most", ">1/2", "present"]) == 1
    assert "refused" in capsys.readouterr().out

    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=False)
    try:
        place = load_community(rt.store, community_id_for("heping"))
        assert place.vote_rule("representatives", date(2026, 12, 31)) == VOTE_RULES["representatives"]
        assert (
            place.vote_rule("representatives", date(2027, 1, 1)).text
            == "present >=4/5 of expected; yes >1/2 of present"
        )
        assert len(place.vote_rules) == 1, "the refused one wrote nothing"
    finally:
        await rt.stop()
