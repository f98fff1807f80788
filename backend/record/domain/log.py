"""The log as a transparency log: its origin (the name its checkpoints carry), its public key, and the checkpoints
it signed — each a C2SP signed note (backend/kernel/notes.py) over a larger tree than the last. Pure: the note comes
signed; the aggregate only checks it names this log, is signed by this log's key and covers more than the last."""

from __future__ import annotations

from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.notes import Note

DEPLOYMENT = UUID(int=0)  # the log belongs to the deployment, not to one community: its events carry this id
LOG_ID = uuid5(UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "linli:transparency-log")  # one per deployment
CHECKPOINT_MINUTES = 5  # a checkpoint at most this often while the log grows


class TransparencyLog(LinliAggregate):
    class Opened(LinliAggregate.Created):
        origin: str
        public_key: str  # Ed25519, hex

    class CheckpointSigned(LinliAggregate.Event):
        size: int
        root: str  # hex
        note: str  # the checkpoint as signed (cosignatures are added by witnesses, not here)

        def apply(self, log: TransparencyLog) -> None:
            log.size = self.size

    def __init__(self, origin: str, public_key: str) -> None:
        self.origin = origin
        self.public_key = public_key
        self.size = 0

    @classmethod
    def open(cls, ctx: Ctx, origin: str, public_key: bytes) -> TransparencyLog:
        if not origin or "\n" in origin or len(origin) > 100:
            raise DomainError("The log's origin must be one line of at most 100 characters.")
        if len(public_key) != 32:
            raise DomainError("The log's key must be an Ed25519 public key.")
        return cls.start(cls.Opened, ctx, LOG_ID, origin=origin, public_key=public_key.hex())

    def sign(self, ctx: Ctx, note: str) -> int:
        """Record a checkpoint the log's key signed; returns its tree size."""
        try:
            parsed = Note.parse(note)
            checkpoint = parsed.checkpoint()
        except ValueError as error:
            raise DomainError("Not a checkpoint: %(why)s", why=str(error)) from None
        if checkpoint.origin != self.origin:
            raise DomainError("A checkpoint must name this log (%(origin)s).", origin=self.origin)
        if not parsed.signed_by(self.origin, bytes.fromhex(self.public_key)):
            raise DomainError("A checkpoint must be signed with this log's key.")
        if checkpoint.size <= self.size:
            raise DomainError("A checkpoint must cover more of the log than the last one.", status=409)
        self.emit(self.CheckpointSigned, ctx, size=checkpoint.size, root=checkpoint.root.hex(), note=note)
        return checkpoint.size
