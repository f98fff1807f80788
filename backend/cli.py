"""The `linli` command: serve, migrate, demo, projector, projections rebuild, verify, export, backup, restore."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from backend.config import load_settings
from backend.contexts import PASSES
from backend.record import cli as record_cli
from backend.runtime import Runtime

KEEP_ALIVE_SECONDS = 75  # seconds an idle keep-alive connection is kept open: see cmd_serve


def _with_runtime(body: Callable[[Runtime], Awaitable[int]], run_projector: bool = False) -> int:
    async def main() -> int:
        runtime = Runtime(load_settings(), passes=PASSES)
        await runtime.start(run_projector=run_projector)
        try:
            return await body(runtime)
        finally:
            await runtime.stop()

    return asyncio.run(main())


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from backend import workers

    settings = load_settings()
    config = {
        "app": "backend.web.app:create_app",
        "factory": True,
        "host": args.host or settings.host,
        "port": args.port or settings.port,
        "log_level": "info",
        "access_log": False,
        "ws": "websockets-sansio",
        "ws_per_message_deflate": False,  # small fragments: compressing each for a thousand phones costs more
        # An idle keep-alive connection is closed by its client (a balancer, a browser), not by us: closed here
        # as the client sends on it, the request is answered with a reset (issue 27: at uvicorn's 5 s, one vote in
        # 300; 48 of 1,000 in `scripts/bench --burst-only`). Longer than nginx's upstream keepalive_timeout (60 s).
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        # Believe X-Forwarded-Proto/-For only from the configured proxies (LINLI_TRUSTED_PROXIES): then a request
        # they forward as https has the https scheme, and gets Secure cookies and HSTS (backend.web.transport).
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": ",".join(settings.trusted_proxies) or None,
    }
    count = args.workers or settings.workers
    if count > 1:
        settings.ensure_secret()  # one secret for all, before they start
        cmd_migrate(args)  # once, before the processes that would all migrate at the same moment
        return workers.serve_many(count, config)
    workers.tune_gc()
    uvicorn.run(**config)
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        if rt.views_rebuilt:
            print("the views were made by an earlier lineage of migrations: dropped and made anew from the baseline")
            started = time.perf_counter()
            head = await rt.projector.catch_up()
            print(f"views rebuilt from the log to position {head} in {time.perf_counter() - started:.2f}s")
        print(f"event store ready ({rt.event_count()} events); views migrated")
        return 0

    return _with_runtime(body)


def cmd_demo(_: argparse.Namespace) -> int:
    from backend.demo import load_demo

    async def body(rt: Runtime) -> int:
        loaded = await load_demo(rt)
        await rt.projector.catch_up()
        if not loaded:
            print("data dir already has events: demo data not loaded")
        else:
            print("demo data loaded: " + ", ".join(f"{k} {v}" for k, v in loaded.items()))
        return 0

    return _with_runtime(body, run_projector=True)


def cmd_projector(_: argparse.Namespace) -> int:
    """The projector as its own process. With PostgreSQL it publishes live updates over LISTEN/NOTIFY, so
    the web processes (LINLI_PROJECTOR=external) push them to their websockets."""

    async def main() -> int:
        settings = load_settings()
        backend = None
        publish = None
        if settings.is_postgres:
            from backend.web.app import channels_backend

            backend = channels_backend(settings)
            await backend.on_startup()

            async def publish(channel: str, payload: dict[str, Any]) -> None:
                await backend.publish(json.dumps(payload).encode(), [channel])

        runtime = Runtime(settings, publish=publish, passes=PASSES)
        # Saves happen in other processes and cannot wake this one: poll often (one cheap query each time).
        runtime.projector.poll_interval = 0.02
        await runtime.start(run_projector=True)
        print("projector running; Ctrl-C to stop", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await runtime.stop()
            if backend is not None:
                await backend.on_shutdown()
        return 0

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from projections.chain.queries import verify

    async def body(rt: Runtime) -> int:
        names = args.names or [p.name for p in rt.projector.projections]
        if "chain" in names:
            verdict = await verify(rt.store)
            if not verdict.ok:
                print(f"refusing to rebuild the chain: position {verdict.first_bad}: {verdict.reason}")
                return 1
        started = time.perf_counter()
        await rt.projector.reset(names)
        head = await rt.projector.catch_up()
        elapsed = time.perf_counter() - started
        print(f"rebuilt {', '.join(names)} to position {head} in {elapsed:.2f}s")
        return 0

    return _with_runtime(body)


def cmd_verify(args: argparse.Namespace) -> int:
    from projections.chain.queries import verify

    if args.proof:
        return record_cli.verify_proof(args, _with_runtime)

    async def body(rt: Runtime) -> int:
        await rt.projector.catch_up()
        verdict = await verify(rt.store)
        if not verdict.ok:
            print(f"ALTERED at position {verdict.first_bad}: {verdict.reason}")
            return 1
        if await record_cli.forged(rt):  # the chain holds: was every event written by a sealed command?
            return 1
        print(f"OK: {verdict.checked} events, chain head {verdict.head} at position {verdict.head_position}")
        return 0

    return _with_runtime(body)


def cmd_rules_set(args: argparse.Namespace) -> int:
    from datetime import UTC, date, datetime

    from backend.community import commands as community_commands
    from backend.community.domain.community import community_id_for
    from backend.kernel.context import Ctx
    from backend.kernel.errors import DomainError

    async def body(rt: Runtime) -> int:
        ctx = Ctx(community_id_for(args.community), actor_id=None, now=datetime.now(UTC))
        since = date.fromisoformat(args.since) if args.since else ctx.today
        try:
            await community_commands.set_rule(rt, ctx, args.rule, args.value, since)
        except DomainError as error:
            print(f"refused: {error.message}")
            return 1
        print(f"{args.community}: {args.rule} = {args.value} from {since.isoformat()}")
        return 0

    return _with_runtime(body, run_projector=True)


def cmd_rules_vote(args: argparse.Namespace) -> int:
    from datetime import UTC, date, datetime

    from backend.community import commands as community_commands
    from backend.community.domain.community import community_id_for
    from backend.community.domain.rules import Share, VoteRule
    from backend.kernel.context import Ctx
    from backend.kernel.errors import DomainError

    async def body(rt: Runtime) -> int:
        ctx = Ctx(community_id_for(args.community), actor_id=None, now=datetime.now(UTC))
        since = date.fromisoformat(args.since) if args.since else ctx.today
        try:
            await community_commands.set_vote_rule(
                rt, ctx, args.body, args.quorum, args.passing, args.base, since, args.source
            )
        except DomainError as error:
            print(f"refused: {error.message}")
            return 1
        rule = VoteRule(Share.parse(args.quorum, "quorum"), Share.parse(args.passing, "pass"), args.base, "")
        print(f"{args.community}: {args.body}: {rule.text} from {since.isoformat()}")
        return 0

    return _with_runtime(body, run_projector=True)


def _refusals(body: Callable[[Runtime], Awaitable[int]]) -> Callable[[Runtime], Awaitable[int]]:
    from backend.kernel.errors import DomainError

    async def guarded(rt: Runtime) -> int:
        try:
            return await body(rt)
        except DomainError as error:
            print(f"refused: {error.message}", file=sys.stderr)
            return 1

    return guarded


def _system_ctx(code: str) -> Any:
    from datetime import UTC, datetime

    from backend.community.domain.community import community_id_for
    from backend.kernel.context import Ctx

    return Ctx(community_id_for(code), actor_id=None, now=datetime.now(UTC))


def _resident_by_phone(rt: Runtime, phone: str) -> Any:
    from eventsourcing.application import AggregateNotFoundError

    from backend.kernel.errors import DomainError
    from backend.residents.commands import phone_claim_id
    from backend.residents.domain.checks import normalise_phone

    try:
        claim = rt.store.repository.get(phone_claim_id(rt, normalise_phone(phone)))
    except AggregateNotFoundError:
        raise DomainError("No resident with this phone number.") from None
    return claim.resident_id


def cmd_community_found(args: argparse.Namespace) -> int:
    from backend.community import commands as community_commands

    async def body(rt: Runtime) -> int:
        ctx = _system_ctx(args.code)
        await community_commands.found(rt, ctx, args.name, args.code)
        if args.street:
            await community_commands.set_street(rt, ctx, args.street)
        print(f"community {args.code} ({args.name}) founded")
        return 0

    return _with_runtime(_refusals(body), run_projector=True)


def cmd_community_street(args: argparse.Namespace) -> int:
    from backend.community import commands as community_commands

    async def body(rt: Runtime) -> int:
        await community_commands.set_street(rt, _system_ctx(args.code), args.street)
        print(f"community {args.code} belongs to {args.street}")
        return 0

    return _with_runtime(_refusals(body), run_projector=True)


def cmd_households_import(args: argparse.Namespace) -> int:
    from backend.residents import commands
    from backend.residents.register_file import read_register

    async def body(rt: Runtime) -> int:
        path = Path(args.file)
        parsed = read_register(path.name, path.read_bytes())
        for problem in parsed.errors:
            print(f"line {problem.line}: {problem.message % problem.params if problem.params else problem.message}")
        if parsed.errors and not args.good_rows:
            print(f"nothing imported: {len(parsed.errors)} rows with errors (--good-rows imports the rest)")
            return 1
        done = await commands.import_households(rt, _system_ctx(args.code), parsed.rows)
        print(", ".join(f"{k} {v}" for k, v in done.result.items()))
        return 0

    return _with_runtime(_refusals(body), run_projector=True)


def cmd_residents_add(args: argparse.Namespace) -> int:
    """Register and verify a resident (e.g. the first clerk) and print a one-time sign-in link for them."""
    from backend.residents import commands
    from backend.residents.domain.household import household_id_for

    async def body(rt: Runtime) -> int:
        ctx = _system_ctx(args.code)
        household = household_id_for(ctx.community_id, args.building, args.unit, args.room)
        done = await commands.register(
            rt, ctx, args.name, args.phone, household, "", args.id_number, verified=True, roles=tuple(args.role)
        )
        resident_id = UUID(done.result["resident_id"])
        code = await commands.issue_signin_code(rt, _system_ctx(args.code), resident_id)
        settings = rt.settings
        print(f"resident {resident_id} registered and verified")
        print(f"one-time sign-in link (7 days): http://{settings.host}:{settings.port}/signin/code/{code}")
        return 0

    return _with_runtime(_refusals(body), run_projector=True)


def cmd_roles(args: argparse.Namespace) -> int:
    from datetime import date

    from backend.residents import commands

    async def body(rt: Runtime) -> int:
        ctx = _system_ctx(args.code)
        resident_id = _resident_by_phone(rt, args.phone)
        if args.action == "grant":
            until = date.fromisoformat(args.until) if args.until else None
            await commands.grant_role(rt, ctx, resident_id, args.role, until, args.street or "")
        else:
            await commands.revoke_role(rt, ctx, resident_id, args.role, args.reason)
        print(f"{args.action}: {args.role}")
        return 0

    return _with_runtime(_refusals(body), run_projector=True)


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from backend import backup

    async def body(rt: Runtime) -> int:
        await backup.backup(rt, Path(args.dir), print)
        return 0

    return _backup_refusals(lambda: _with_runtime(body))


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from backend import backup

    return _backup_refusals(lambda: backup.restore(load_settings(), Path(args.dir), args.replace, print) or 0)


def _backup_refusals(run: Callable[[], int]) -> int:
    from backend.backup import BackupError

    try:
        return run()
    except BackupError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1


def cmd_export(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
        start = 1
        try:
            while True:
                batch = rt.store.recorder.select_notifications(start, 1000)
                if not batch:
                    break
                for n in batch:
                    event: Any = rt.store.mapper.to_domain_event(n)
                    record = {
                        "position": n.id,
                        "topic": n.topic,
                        "originator_id": str(n.originator_id),
                        "version": n.originator_version,
                        "timestamp": event.timestamp.isoformat(),
                    }
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                start = batch[-1].id + 1
        finally:
            if out is not sys.stdout:
                out.close()
        return 0

    return _with_runtime(body)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="linli", description="Linli 邻里 community platform")
    sub = root.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web app (LINLI_HOST, LINLI_PORT)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="web processes on the port (LINLI_WORKERS; default: one per core)")
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="create or migrate the event store and the views").set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help="load demo data into an empty data dir").set_defaults(func=cmd_demo)
    sub.add_parser("projector", help="run the projections as their own process").set_defaults(func=cmd_projector)
    projections = sub.add_parser("projections", help="manage projections")
    projections_sub = projections.add_subparsers(dest="action", required=True)
    rebuild = projections_sub.add_parser("rebuild", help="replay projections from the start of the log")
    rebuild.add_argument("names", nargs="*")
    rebuild.set_defaults(func=cmd_rebuild)
    verify = sub.add_parser("verify", help="recompute the hash chain over the whole log, or check a notice's proof")
    record_cli.add_proof_options(verify)
    verify.set_defaults(func=cmd_verify)
    record_cli.add_parsers(sub, _with_runtime)
    rules = sub.add_parser("rules", help="a community's rulebook")
    rules_sub = rules.add_subparsers(dest="action", required=True)
    rule_set = rules_sub.add_parser("set", help="set a rule from a date on (default today)")
    rule_set.add_argument("community", help="community code, e.g. xingfuli")
    rule_set.add_argument("rule", help="rule name, e.g. cosign_threshold")
    rule_set.add_argument("value", type=int)
    rule_set.add_argument("--from", dest="since", help="effective date YYYY-MM-DD")
    rule_set.set_defaults(func=cmd_rules_set)
    vote = rules_sub.add_parser("vote", help="a body's quorum and pass rule from a date on (default today)")
    vote.add_argument("community")
    vote.add_argument(
        "body",
        help="party_committee, joint_committees, party_meeting, residents_meeting, representatives or collective_asset",
    )
    vote.add_argument("quorum", help="present against expected, e.g. '>1/2' (more than half) or '>=2/3' (at least)")
    vote.add_argument("passing", metavar="pass", help="yes votes, e.g. '>1/2' or '>=2/3'")
    vote.add_argument("base", choices=["expected", "present"], help="yes votes counted against expected or present")
    vote.add_argument("--from", dest="since", help="effective date YYYY-MM-DD")
    vote.add_argument("--source", default="", help="the rule's source, e.g. the community's 居民议事规则 Art 5")
    vote.set_defaults(func=cmd_rules_vote)
    community = sub.add_parser("community", help="communities")
    community_sub = community.add_subparsers(dest="action", required=True)
    found = community_sub.add_parser("found", help="found a community")
    found.add_argument("code", help="short code for URLs, e.g. xingfuli")
    found.add_argument("name", help="e.g. 幸福里社区")
    found.add_argument("--street", help="the street (街道) or township it belongs to")
    found.set_defaults(func=cmd_community_found)
    street = community_sub.add_parser("street", help="set the street a community belongs to")
    street.add_argument("code")
    street.add_argument("street")
    street.set_defaults(func=cmd_community_street)
    households = sub.add_parser("households", help="the household register")
    households_sub = households.add_subparsers(dest="action", required=True)
    household_import = households_sub.add_parser("import", help="import a register from CSV or XLSX")
    household_import.add_argument("code")
    household_import.add_argument("file")
    household_import.add_argument("--good-rows", action="store_true", help="import the good rows of a file with errors")
    household_import.set_defaults(func=cmd_households_import)
    residents_parser = sub.add_parser("residents", help="residents")
    residents_sub = residents_parser.add_subparsers(dest="action", required=True)
    add = residents_sub.add_parser("add", help="register and verify a resident; prints a one-time sign-in link")
    add.add_argument("code")
    for name in ("name", "phone", "building", "room"):
        add.add_argument(f"--{name}", required=True)
    add.add_argument("--unit", default="")
    add.add_argument("--id-number", default="")
    add.add_argument("--role", action="append", default=[], help="e.g. --role clerk (repeatable)")
    add.set_defaults(func=cmd_residents_add)
    roles = sub.add_parser("roles", help="grant or revoke a resident's role")
    roles_sub = roles.add_subparsers(dest="action", required=True)
    grant = roles_sub.add_parser("grant")
    revoke = roles_sub.add_parser("revoke")
    for command in (grant, revoke):
        command.add_argument("code")
        command.add_argument("phone")
        command.add_argument("role")
        command.set_defaults(func=cmd_roles)
    grant.add_argument("--until", help="last day of the term, YYYY-MM-DD")
    grant.add_argument("--street", help="for street_operator: the street it oversees")
    revoke.add_argument("--reason", required=True)
    export = sub.add_parser("export", help="export the event log index as JSON lines")
    export.add_argument("--output", "-o")
    export.set_defaults(func=cmd_export)
    backup = sub.add_parser("backup", help="copy the log, the keys (encrypted: LINLI_BACKUP_PASSPHRASE) and uploads")
    backup.add_argument("dir", help="a new or empty directory")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="restore a backup into an empty data dir, rebuild the views, verify")
    restore.add_argument("dir", help="the backup's directory")
    restore.add_argument("--replace", action="store_true", help="replace a data dir that is not empty")
    restore.set_defaults(func=cmd_restore)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
