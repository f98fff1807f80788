"""The record's commands of `linli` (registered by backend/cli.py): checking a proof file offline, and witnesses —
on the witness's machine (`witness key`, `witness run`) and on the log's (`witness add`, `witness remove`)."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

WithRuntime = Callable[[Callable[[Any], Awaitable[int]]], int]


def proof_check(args: argparse.Namespace) -> int:
    """Check one Merkle proof file offline (no data dir, no server): 0 when it verifies, 1 when it does not."""
    from backend.kernel.merkle import check_text

    try:
        ok, why = check_text(Path(args.file).read_text(encoding="utf-8"))
    except OSError as error:
        ok, why = False, f"not a proof: {error}"
    print(why)
    return 0 if ok else 1


def add_proof_options(verify: Any) -> None:
    """`linli verify --proof FILE`: a notice's proof (tlog-proof), with the keys given here (offline, no data dir)
    or, without --log-key, this deployment's keys and its record as it is today."""
    verify.add_argument("--proof", metavar="FILE", help="check a notice's proof file (c2sp.org/tlog-proof)")
    verify.add_argument("--log-key", help="the record's verifier key, as printed on notices (checks offline)")
    verify.add_argument("--witness", action="append", default=[], help="a witness's verifier key (repeatable)")


def _say(verdict: Any, extra: str = "") -> None:
    seen = "".join(f"; witnessed by {name} at {time.strftime('%Y-%m-%d %H:%M', time.gmtime(at))} UTC"
                   for name, at in verdict.witnesses)  # fmt: skip
    print(verdict.message + seen + extra)


def verify_proof(args: argparse.Namespace, with_runtime: WithRuntime) -> int:
    """0 when the proof verifies (and, on the deployment, today's record still holds it), 1 when it does not, with
    one line saying why."""
    from backend.kernel import proofs

    try:
        proof = proofs.parse(Path(args.proof).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"not a proof: {error}")
        return 1
    if args.log_key:
        try:
            verdict = proofs.verify(proof, args.log_key, args.witness)
        except ValueError as error:
            print(f"not a key: {error}")
            return 1
        _say(verdict)
        return 0 if verdict.ok else 1

    async def body(rt: Any) -> int:
        from projections.chain.proofs import still_holds, verified

        await rt.projector.catch_up()
        verdict = await verified(proof, more_witnesses=args.witness)
        if verdict is None:
            print("not valid: this deployment has signed no checkpoint yet")
            return 1
        if not verdict.ok:
            _say(verdict)
            return 1
        if not await still_holds(rt.store.recorder, proof, verdict):
            print("REWRITTEN: the proof is signed by this record's key, but the record no longer contains it")
            return 1
        _say(verdict, "; today's record still contains it")
        return 0

    return with_runtime(body)


async def forged(rt: Any) -> bool:
    """Whether an event of the log was written by no sealed command (backend/record/sealed.py); says which."""
    import anyio

    from backend.kernel.seals import seal_key
    from backend.record.sealed import check

    _, found = await anyio.to_thread.run_sync(check, rt.store, seal_key(rt.settings.ensure_secret()))
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        print(f"FORGED at position {found[0].position}: {found[0].reason}{more}")
    return bool(found)


def witness_key(args: argparse.Namespace) -> int:
    from backend.record.witness import verifier

    print(verifier(Path(args.dir), args.name))
    return 0


def witness_run(args: argparse.Namespace) -> int:
    import httpx

    from backend.record.witness import witness_once

    async def run() -> tuple[bool, str]:
        async with httpx.AsyncClient(base_url=args.url, timeout=30) as http:
            return await witness_once(http, Path(args.dir), args.name, args.log_key, int(time.time()))

    try:
        ok, why = asyncio.run(run())
    except (httpx.HTTPError, ValueError) as error:
        ok, why = False, f"could not reach or read the log: {error}"
    print(why)
    return 0 if ok else 1


def add_parsers(sub: Any, with_runtime: WithRuntime) -> None:
    proof = sub.add_parser("proof", help="Merkle proofs of the log")
    proof_sub = proof.add_subparsers(dest="action", required=True)
    check = proof_sub.add_parser("check", help="check one inclusion or consistency proof file (JSON), offline")
    check.add_argument("file")
    check.set_defaults(func=proof_check)

    witness = sub.add_parser("witness", help="witnesses of the log: cosign its checkpoints elsewhere")
    witness_sub = witness.add_subparsers(dest="action", required=True)
    key = witness_sub.add_parser("key", help="(on the witness's machine) print this witness's verifier key")
    key.add_argument("--name", required=True, help="one word, e.g. heping-street-office")
    key.add_argument("--dir", default="var-witness", help="the witness's own data dir")
    key.set_defaults(func=witness_key)
    run = witness_sub.add_parser("run", help="(on the witness's machine) check the log's latest checkpoint, cosign")
    run.add_argument("url", help="the log's address, e.g. https://linli.example")
    run.add_argument("--name", required=True)
    run.add_argument("--log-key", required=True, help="the log's verifier key, as printed on its notices")
    run.add_argument("--dir", default="var-witness")
    run.set_defaults(func=witness_run)
    add = witness_sub.add_parser("add", help="(on the log's machine) accept this witness's cosignatures")
    add.add_argument("key", help="the witness's verifier key (from `linli witness key`)")
    add.set_defaults(func=lambda args: _on_log(with_runtime, "add", args.key))
    remove = witness_sub.add_parser("remove", help="(on the log's machine) no longer accept a witness")
    remove.add_argument("name")
    remove.set_defaults(func=lambda args: _on_log(with_runtime, "remove", args.name))
    log_key = witness_sub.add_parser("log-key", help="(on the log's machine) print the log's verifier key")
    log_key.set_defaults(func=lambda args: _on_log(with_runtime, "log-key", ""))


def _on_log(with_runtime: WithRuntime, what: str, value: str) -> int:
    from datetime import UTC, datetime

    from backend.kernel import notes
    from backend.kernel.context import Ctx
    from backend.kernel.errors import DomainError
    from backend.record import commands
    from backend.record.domain.log import DEPLOYMENT

    async def body(rt: Any) -> int:
        if what == "log-key":
            log = commands.log_of(rt.store)
            if log is None:
                print("the log has signed no checkpoint yet")
                return 1
            print(notes.verifier_key(log.origin, bytes.fromhex(log.public_key)))
            return 0
        ctx = Ctx(DEPLOYMENT, None, datetime.now(UTC))
        try:
            if what == "add":
                done = await commands.add_witness(rt, ctx, value)
            else:
                done = await commands.remove_witness(rt, ctx, value)
        except DomainError as error:
            print(f"refused: {error}")
            return 1
        print(f"witness {done.result['result']}: {'added' if what == 'add' else 'removed'}")
        return 0

    return with_runtime(body)
