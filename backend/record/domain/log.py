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
# What the server's check of its own record can find at a position (VerificationFailed.finding): the event stored
# there no longer matches its leaf ("altered"), it is an event the tree had at another position ("moved", the log
# reordered), the tree has an event the log no longer holds ("missing", deleted), the log holds an event the tree
# never had ("unexpected", inserted below what was projected), the event matches its leaf but not its hash-chain link
# ("chain"), or the tree's nodes no longer give the root the log signed at a checkpoint or skip a leaf ("tree").
FINDINGS = ("altered", "moved", "missing", "unexpected", "chain", "tree", "forged")
KEPT_CHECKPOINTS = 1000  # a witness may cosign one of the last this many checkpoints (about 3 days' worth)


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
            log.bodies[self.size] = self.note.partition("\n\n")[0] + "\n"
            while len(log.bodies) > KEPT_CHECKPOINTS:
                log.bodies.pop(min(log.bodies))

    class WitnessAdded(LinliAggregate.Event):
        name: str
        public_key: str  # Ed25519, hex

        def apply(self, log: TransparencyLog) -> None:
            log.witnesses[self.name] = self.public_key

    class WitnessRemoved(LinliAggregate.Event):
        name: str

        def apply(self, log: TransparencyLog) -> None:
            log.witnesses.pop(self.name, None)

    class Cosigned(LinliAggregate.Event):
        size: int
        witness: str
        at: int  # the witness's own timestamp (seconds), signed with the checkpoint
        line: str  # the cosignature line, as a checkpoint carries it

        def apply(self, log: TransparencyLog) -> None:
            log.cosigned.add((self.size, self.witness))

    class VerificationFailed(LinliAggregate.Event):
        """The server's own check of its record (backend/record/watch.py) found the stored events and the tree or
        chain over them disagreeing: the first position found wrong, what was found there (one of FINDINGS) and, for
        an event moved or a checkpoint no longer matched, the other position or the checkpoint's size."""

        position: int
        finding: str
        other: int

        def apply(self, log: TransparencyLog) -> None:
            log.alarm = (self.position, self.finding, self.other)

    class VerificationRestored(LinliAggregate.Event):
        """The check found the record whole again (restored from a backup, the tampering undone)."""

        checked: int  # the events the check that found it whole covered

        def apply(self, log: TransparencyLog) -> None:
            log.alarm = None

    def __init__(self, origin: str, public_key: str) -> None:
        self.origin = origin
        self.public_key = public_key
        self.size = 0
        self.bodies: dict[int, str] = {}  # the last KEPT_CHECKPOINTS checkpoints' bodies, by size
        self.witnesses: dict[str, str] = {}  # name -> public key (hex)
        self.cosigned: set[tuple[int, str]] = set()
        self.alarm: tuple[int, str, int] | None = None  # what the server's check last found wrong, until restored

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

    def add_witness(self, ctx: Ctx, name: str, public_key: bytes) -> None:
        """A witness (the street office, the 居务监督委员会) whose cosignatures the log accepts from now on."""
        if not name or "\n" in name or " " in name or len(name) > 100:
            raise DomainError("A witness's name must be one word (no spaces) of at most 100 characters.")
        if len(public_key) != 32:
            raise DomainError("A witness's key must be an Ed25519 public key.")
        if name in self.witnesses:
            raise DomainError("There is already a witness with this name.", status=409)
        self.emit(self.WitnessAdded, ctx, name=name, public_key=public_key.hex())

    def remove_witness(self, ctx: Ctx, name: str) -> None:
        if name not in self.witnesses:
            raise DomainError("There is no witness with this name.", status=404)
        self.emit(self.WitnessRemoved, ctx, name=name)

    def cosign(self, ctx: Ctx, size: int, line: str) -> str:
        """Keep a witness's cosignature line for the checkpoint of `size`; returns the witness's name. The line
        must verify with a registered witness's key over that checkpoint: anyone may bring it, the signature is
        what counts."""
        body = self.bodies.get(size)
        if body is None:
            raise DomainError("There is no recent checkpoint of this size.", status=404)
        try:
            note = Note.parse(body + "\n" + line.rstrip("\n") + "\n")
        except ValueError as error:
            raise DomainError("Not a cosignature: %(why)s", why=str(error)) from None
        for name, public in self.witnesses.items():
            at = note.cosigned_by(name, bytes.fromhex(public))
            if at is not None:
                if (size, name) in self.cosigned:
                    raise DomainError("This witness has already cosigned this checkpoint.", status=409)
                self.emit(self.Cosigned, ctx, size=size, witness=name, at=at, line=line.rstrip("\n") + "\n")
                return name
        raise DomainError("This is not the cosignature of a witness of this log.", status=403)

    def fail_verification(self, ctx: Ctx, position: int, finding: str, other: int = 0) -> None:
        """Raise the alarm: the check found the record altered. Nothing new when the alarm already says this (the
        check runs every few minutes; only a change is an event)."""
        if finding not in FINDINGS:
            raise DomainError("Not a finding of the record's check: %(finding)s", finding=finding)
        if position < 1 or other < 0:
            raise DomainError("A finding names a position of the log.")
        if self.alarm == (position, finding, other):
            raise DomainError("The alarm already says this.", status=409)
        self.emit(self.VerificationFailed, ctx, position=position, finding=finding, other=other)

    def restore_verification(self, ctx: Ctx, checked: int) -> None:
        """Clear the alarm: the check found the record whole again."""
        if self.alarm is None:
            raise DomainError("The record's check raised no alarm.", status=409)
        self.emit(self.VerificationRestored, ctx, checked=checked)
