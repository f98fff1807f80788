"""Reading the residents' forms into command arguments: the registration form (self-registration and the counter),
the household chosen, a role's term and a household typed at the clerk's desk."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec

from backend.kernel.authz import GRANTABLE
from backend.kernel.errors import DomainError
from backend.residents.domain.access import REASONS
from backend.residents.domain.household import HouseholdRow
from backend.residents.register_file import split_members
from backend.web.act import EMPTY, Day, File, Form, FormBody, Id, Text, Texts, one_of, text

FIELDS = ("name", "phone", "password", "id_number", "building", "unit", "household_id", "community")
HOUSEHOLD_FIELDS = ("building", "unit", "room", "members")


def form_values(form: Any) -> dict[str, str]:
    return {key: str(form.get(key, "")).strip() for key in FIELDS}


def parse_uuid(value: object, field: str = "household") -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise DomainError("Please choose your room.", field) from None


def role_term(form: Form) -> tuple[str, date | None]:
    """The role a clerk gives and the last day of its term (none: no end)."""
    role = text(form, "role")
    if role not in GRANTABLE:
        raise DomainError("Unknown role.", "role")
    until_text = text(form, "until").strip()
    try:
        until = date.fromisoformat(until_text) if until_text else None
    except ValueError:
        raise DomainError("Please enter a date like 2027-12-31.", "until") from None
    return role, until


def household_values(form: Form) -> dict[str, str]:
    """The household form as typed (shown again when it is refused)."""
    return {k: text(form, k).strip() for k in HOUSEHOLD_FIELDS}


def household_row(values: dict[str, str]) -> HouseholdRow:
    """A household typed at the desk, as one row of a register."""
    return HouseholdRow(0, values["building"], values["unit"], values["room"], split_members(values["members"]))


# -- the forms, as the API schema describes them (backend.web.act: every field optional, read by the handler) --------
class SignInForm(FormBody):
    phone: Text = EMPTY
    password: Text = EMPTY
    next: Text = EMPTY


class HouseholdChoice(FormBody):
    """The household picker: the community, then building, unit and room (the household's id)."""

    community: Text = EMPTY
    building: Text = EMPTY
    unit: Text = EMPTY
    household_id: Id = EMPTY


class RegistrationForm(HouseholdChoice):
    name: Text = EMPTY
    phone: Text = EMPTY
    password: Text = EMPTY
    id_number: Text = EMPTY


class PasswordForm(FormBody):
    password: Text = EMPTY


class EraseForm(FormBody):
    confirm: Annotated[Text, one_of("yes")] = EMPTY


class ReasonForm(FormBody):
    """A registration rejected, or a role ended: the reason given."""

    reason: Text = EMPTY


class RevealForm(FormBody):
    """Why the clerk needs to see a resident's details (recorded, and shown to the resident)."""

    reason: Annotated[Text, one_of(*REASONS)] = EMPTY


class RoleForm(FormBody):
    role: Annotated[Text, one_of(*GRANTABLE)] = EMPTY
    until: Day = EMPTY


class HouseholdForm(FormBody):
    building: Text = EMPTY
    unit: Text = EMPTY
    room: Text = EMPTY
    members: Text = EMPTY


class MoveOutForm(FormBody):
    on: Day = EMPTY
    whole: Annotated[Text, one_of("yes", "no")] = EMPTY
    residents: Texts = msgspec.field(default_factory=Texts)  # the accounts ticked (ids)


class MoveInForm(FormBody):
    on: Day = EMPTY
    members: Text = EMPTY


class ImportForm(FormBody):
    file: File = msgspec.field(default_factory=File)
    mode: Annotated[Text, one_of("all", "good")] = EMPTY
