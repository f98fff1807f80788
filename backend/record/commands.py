"""Signing a checkpoint: the log's key (made at first start, kept beside the residents' keys), the note signed with
it over the size and root the caller read from the Merkle tree, and the log opened the first time."""

from __future__ import annotations

import socket
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from eventsourcing.application import AggregateNotFoundError

from backend.kernel import notes
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp
from backend.record.domain.log import LOG_ID, TransparencyLog


def _new_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def signing_key(rt: Commands) -> Ed25519PrivateKey:
    """The log's Ed25519 key: made by whichever process asks first, the same for all afterwards."""
    return Ed25519PrivateKey.from_private_bytes(rt.personal.secret("log-signing-key", _new_key))


def origin(rt: Commands) -> str:
    """The name the log's checkpoints carry: LINLI_LOG_ORIGIN, else "linli/" and this machine's name. Fixed when
    the first checkpoint is signed (the log keeps it)."""
    return rt.settings.log_origin or f"linli/{socket.gethostname()}"


def log_of(app: LinliApp) -> TransparencyLog | None:
    try:
        return app.repository.get(LOG_ID)
    except AggregateNotFoundError:
        return None


async def sign_checkpoint(rt: Commands, ctx: Ctx, size: int, root: bytes) -> CommandResult:
    """Sign the tree of `size` leaves with root `root` (read from the Merkle tree) as the log's next checkpoint."""
    key = signing_key(rt)

    def action(app: LinliApp) -> tuple[list[TransparencyLog], dict[str, str]]:
        log = log_of(app) or TransparencyLog.open(ctx, origin(rt), notes.public_bytes(key.public_key()))
        note = notes.sign(notes.checkpoint_body(log.origin, size, root), log.origin, key)
        log.sign(ctx, note)
        return [log], {"size": str(size)}

    return await rt.execute("record.sign_checkpoint", ctx, LOG_ID, action)


async def _on_log(rt: Commands, name: str, ctx: Ctx, change: Callable[[TransparencyLog], str]) -> CommandResult:
    def action(app: LinliApp) -> tuple[list[TransparencyLog], dict[str, str]]:
        log = log_of(app)
        if log is None:
            raise DomainError("The log has signed no checkpoint yet.", status=404)
        return [log], {"result": change(log)}

    return await rt.execute(name, ctx, LOG_ID, action)


async def add_witness(rt: Commands, ctx: Ctx, verifier_key: str) -> CommandResult:
    """Register a witness by its verifier key (`linli witness key` prints it on the witness's machine)."""
    try:
        name, algorithm, public = notes.parse_verifier_key(verifier_key)
    except ValueError as error:
        raise DomainError("Not a witness's key: %(why)s", why=str(error)) from None
    if algorithm != notes.COSIGNATURE_V1:
        raise DomainError("Not a witness's key: a cosigner's key (algorithm 4) is expected.")

    def add(log: TransparencyLog) -> str:
        log.add_witness(ctx, name, public)
        return name

    return await _on_log(rt, "record.add_witness", ctx, add)


async def remove_witness(rt: Commands, ctx: Ctx, name: str) -> CommandResult:
    def remove(log: TransparencyLog) -> str:
        log.remove_witness(ctx, name)
        return name

    return await _on_log(rt, "record.remove_witness", ctx, remove)


async def record_cosignature(rt: Commands, ctx: Ctx, size: int, line: str) -> CommandResult:
    return await _on_log(rt, "record.cosign", ctx, lambda log: log.cosign(ctx, size, line))


async def raise_alarm(rt: Commands, ctx: Ctx, position: int, finding: str, other: int = 0) -> CommandResult:
    """The server's check found its record altered (backend/record/watch.py): say so in the log, where every host
    and the board see it. The first alarm opens the log if no checkpoint did yet."""
    key = signing_key(rt)

    def action(app: LinliApp) -> tuple[list[TransparencyLog], dict[str, str]]:
        log = log_of(app) or TransparencyLog.open(ctx, origin(rt), notes.public_bytes(key.public_key()))
        log.fail_verification(ctx, position, finding, other)
        return [log], {"finding": finding, "position": str(position)}

    return await rt.execute("record.verification_failed", ctx, LOG_ID, action)


async def clear_alarm(rt: Commands, ctx: Ctx, checked: int) -> CommandResult:
    """The check found the record whole again."""

    def clear(log: TransparencyLog) -> str:
        log.restore_verification(ctx, checked)
        return "restored"

    return await _on_log(rt, "record.verification_restored", ctx, clear)
