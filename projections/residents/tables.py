"""The residents' view tables: residents (sign-in by phone, status, roles with their terms), the household register,
issued sign-in codes (by digest only), the blind index the clerk's search uses, and who looked at whose personal data.

No personal field is kept here in clear (issue 21): a copy of the views database must not give away a resident.
Names, phone numbers, ID numbers and the register's member names are kept as the sealed tokens of the log (sealed
with the resident's, or the household's, key, which lives in the key store, not here) and opened at render time for
those who may see them; what is stored in clear is masked (张*明, 138****5678). Lookups go through keyed digests
(`projections.residents.blind`). The address of a dwelling (building, unit, room) is not sealed: the register of
dwellings is offered to anyone registering, and the log holds it in clear."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Boolean, Date, Text, Timestamptz, Varchar
from piccolo.table import Table

TOMBSTONE = "已注销居民"  # what an erased resident's name reads as, wherever it is shown


class ResidentView(Table, tablename="resident"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    name_masked = Varchar(length=30)
    name_sealed = Text(default="")  # the log's token, sealed with the resident's key ("" once erased)
    phone_masked = Varchar(length=20, default="")
    phone_sealed = Text(default="")
    phone_digest = Varchar(length=64, default="", index=True)  # keyed digest: sign-in by phone
    id_number_sealed = Text(default="")  # the ID number (and the birth date in it: who needs a guardian's consent)
    household_id = UUID(null=True, default=None, index=True)
    household = Varchar(length=60)
    has_id_number = Boolean(default=False)
    password_hash = Varchar(length=200)
    status = Varchar(length=10, default="pending")  # pending | verified | rejected | erased
    reject_reason = Varchar(length=200, default="")
    roles = JSON()  # [{"role", "until", "street", "since", "by"}]
    registered_at = Timestamptz()
    decided_by = UUID(null=True, default=None)


class HouseholdView(Table, tablename="household"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    building = Varchar(length=20)
    unit = Varchar(length=20)
    room = Varchar(length=20)
    label = Varchar(length=60)
    members_sealed = Text(default="")  # the names the register lists, sealed with the household's key
    vacant = Boolean(default=False)  # its household moved out, no other moved in yet


class RegisterMoveView(Table, tablename="register_move"):
    """Each move in or out of the register (迁入, 迁出), as the 一表通 counts them: a household leaving its dwelling
    (household_out), a new one at a vacant dwelling (household_in), a person's account leaving (resident_out)."""

    id = UUID(primary_key=True)  # the event's: its record and version
    community_id = UUID(index=True)
    household_id = UUID(index=True)
    resident_id = UUID(null=True, default=None)
    kind = Varchar(length=16)  # household_in | household_out | resident_out
    was_verified = Boolean(default=False)  # resident_out: the account was verified when it moved out
    moved_on = Date()  # the day of the move, as the clerk recorded it
    at = Timestamptz()  # when it was recorded
    position = BigInt(default=0)  # the log position of its event


class SignInCodeView(Table, tablename="signin_code"):
    id = UUID(primary_key=True)  # derived from a keyed digest of the code: the code itself is nowhere
    community_id = UUID(index=True)
    resident_id = UUID(index=True)
    expires_at = Timestamptz()
    used = Boolean(default=False)
    issued_by = UUID(null=True, default=None)


class ResidentSearch(Table, tablename="resident_search"):
    """The blind index of the clerk's search: one row per piece of a resident's name or phone a clerk may type,
    as a keyed digest (`projections.residents.blind`). Erasure deletes a resident's rows."""

    resident_id = UUID(index=True)
    community_id = UUID()
    digest = Varchar(length=32, index=True)


class AccessView(Table, tablename="resident_access"):
    """Who looked at a resident's personal data: a clerk's view of the clear values, an export, an erasure."""

    id = UUID(primary_key=True)  # the event's: its record and version
    resident_id = UUID(index=True)
    community_id = UUID(index=True)
    actor_id = UUID(null=True, default=None)
    kind = Varchar(length=10)  # viewed | exported | erased
    reason = Varchar(length=20)  # verification | own_request | business | other
    at = Timestamptz()
