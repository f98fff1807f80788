"""The `linli` command: serve, migrate, demo, projector, projections rebuild, verify, export."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from backend.config import load_settings
from backend.runtime import Runtime


def _with_runtime(body: Callable[[Runtime], Awaitable[int]], run_projector: bool = False) -> int:
    async def main() -> int:
        runtime = Runtime(load_settings())
        await runtime.start(run_projector=run_projector)
        try:
            return await body(runtime)
        finally:
            await runtime.stop()

    return asyncio.run(main())


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = load_settings()
    uvicorn.run(
        "backend.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level="info",
        access_log=False,
        ws="websockets-sansio",
        proxy_headers=False,
    )
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
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
            from backend.app import channels_backend

            backend = channels_backend(settings)
            await backend.on_startup()

            async def publish(channel: str, payload: dict[str, Any]) -> None:
                await backend.publish(json.dumps(payload).encode(), [channel])

        runtime = Runtime(settings, publish=publish)
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
    from projections.chain import verify

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


def cmd_verify(_: argparse.Namespace) -> int:
    from projections.chain import verify

    async def body(rt: Runtime) -> int:
        await rt.projector.catch_up()
        verdict = await verify(rt.store)
        if verdict.ok:
            print(f"OK: {verdict.checked} events, chain head {verdict.head} at position {verdict.head_position}")
            return 0
        print(f"ALTERED at position {verdict.first_bad}: {verdict.reason}")
        return 1

    return _with_runtime(body)


def cmd_rules_set(args: argparse.Namespace) -> int:
    from datetime import UTC, date, datetime

    from backend.community import commands as community_commands
    from backend.community.domain import community_id_for
    from backend.eventstore import Ctx, DomainError

    async def body(rt: Runtime) -> int:
        ctx = Ctx(community_id_for(args.community), actor_id=None, now=datetime.now(UTC))
        since = date.fromisoformat(args.since) if args.since else ctx.now.date()
        try:
            await community_commands.set_rule(rt, ctx, args.rule, args.value, since)
        except DomainError as error:
            print(f"refused: {error.message}")
            return 1
        print(f"{args.community}: {args.rule} = {args.value} from {since.isoformat()}")
        return 0

    return _with_runtime(body, run_projector=True)


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
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="create or migrate the event store and the views").set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help="load demo data into an empty data dir").set_defaults(func=cmd_demo)
    sub.add_parser("projector", help="run the projections as their own process").set_defaults(func=cmd_projector)
    projections = sub.add_parser("projections", help="manage projections")
    projections_sub = projections.add_subparsers(dest="action", required=True)
    rebuild = projections_sub.add_parser("rebuild", help="replay projections from the start of the log")
    rebuild.add_argument("names", nargs="*")
    rebuild.set_defaults(func=cmd_rebuild)
    sub.add_parser("verify", help="recompute the hash chain over the whole log").set_defaults(func=cmd_verify)
    rules = sub.add_parser("rules", help="a community's rulebook")
    rules_sub = rules.add_subparsers(dest="action", required=True)
    rule_set = rules_sub.add_parser("set", help="set a rule from a date on (default today)")
    rule_set.add_argument("community", help="community code, e.g. xingfuli")
    rule_set.add_argument("rule", help="rule name, e.g. cosign_threshold")
    rule_set.add_argument("value", type=int)
    rule_set.add_argument("--from", dest="since", help="effective date YYYY-MM-DD")
    rule_set.set_defaults(func=cmd_rules_set)
    export = sub.add_parser("export", help="export the event log index as JSON lines")
    export.add_argument("--output", "-o")
    export.set_defaults(func=cmd_export)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
