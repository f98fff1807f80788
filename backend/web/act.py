"""The one way a form runs a command: who acts (the policy decides), the form's idempotency key, the command, and
then either the next page (with a flash) or the same page again with the refusal (HTTP 4xx, swappable by htmx).
Every POST handler of the contexts that changes something goes through `act`, so the rules of DESIGN 4.10 (bad
input gets a clear error and changes nothing) are kept in one place.

Each form is also described, for the API schema (/schema/openapi.json) and the fuzzer that reads it: a model of the
fields it sends (a `FormBody` in the context's web/forms.py, its fields `Text`), declared as the handler's typed body
(`data: URLEncodedBody[Model]`, or `MultipartBody[Model]` for a form with photos or a file). Its fields never refuse
a request before the handler's own checks (a missing field is empty, a field sent twice is its first value, as `text`
reads it), so odd input still gets the form's own clear message, never Litestar's generic 400. The handlers read the
fields from the parsed form (Litestar parses it once), through `act` and `text`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Annotated, Any, ClassVar, cast
from uuid import UUID

import msgspec
from litestar import Request, Response
from litestar.config.app import AppConfig
from litestar.datastructures import FormMultiDict
from litestar.exceptions import ClientException
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from litestar.params import Parameter, PathParameter, QueryParameter
from litestar.plugins import InitPlugin, OpenAPISchemaPlugin
from litestar.response import Template
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.typing import FieldDefinition

from backend.i18n import DEFAULT_LOCALE, gettext, set_locale
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.web.auth import User, ctx_for, require
from backend.web.pages import command_id_from, flash, now, redirect

Form = Mapping[str, Any]
# What the handler wants done: the process's commands, the context (actor, time, idempotency key) and the form.
Run = Callable[[Commands, Any, Form], Awaitable[Any]]
# The page again, saying why not: given the refusal and the form as it was sent (to keep what was typed).
Refused = Callable[[DomainError, Form], Awaitable[Template | Response[Any]]]
# Where to go when done: a path, or a path made from what the command returned (an id it made).
Then = str | Callable[[Any], str]


async def act(
    request: Request[Any, Any, Any],
    who: str | User,
    run: Run,
    *,
    then: Then,
    refused: Refused,
    done: str | None = None,
    on_behalf_of: UUID | None = None,
) -> Template | Response[Any]:
    """`who`: the action the signed-in user must be allowed (asked of the policy), or a user already checked.
    `done`: the flash shown on the next page (already translated), or None when that page says it itself."""
    user = who if isinstance(who, User) else await require(request, who)
    form = await request.form()
    ctx = ctx_for(user, now(), command_id_from(form), on_behalf_of)
    try:
        result = await run(request.app.state.runtime, ctx, form)
    except DomainError as error:
        return await refused(error, form)
    if done:
        flash(request, done, "success")
    return redirect(then(result) if callable(then) else then)


def text(form: Form, name: str) -> str:
    """A text field as sent (missing: empty)."""
    return str(form.get(name, ""))


def texts(form: Form, name: str) -> list[str]:
    """Every value of a field that may come several times (ticked boxes), as sent (missing: none)."""
    return [str(v) for v in cast(FormMultiDict, form).getall(name, [])] if hasattr(form, "getall") else []


def day_field(form: Form, name: str, message: str) -> date:
    """A form's day (YYYY-MM-DD), or `message` on that field."""
    try:
        return date.fromisoformat(text(form, name).strip())
    except ValueError:
        raise DomainError(message, name) from None


def uuid_field(form: Form, name: str, message: str, status: int = 400) -> UUID:
    """A field naming a resident, a slot, a shift…: its id, or `message` on that field (or, with another status,
    e.g. 404 as for a wrong path, on the page)."""
    try:
        return UUID(text(form, name))
    except ValueError:
        raise DomainError(message, name if status == 400 else None, status=status) from None


# -- what a form sends, described for the API schema --------------------------------------------------------------
class Text(str):
    """A form's field as sent (its first value when it comes twice; missing: empty). Subclasses say what the field
    holds to a reader of the schema (an id, a day, a whole number); none of them is checked before the handler."""

    schema: ClassVar[dict[str, Any]] = {}


class Id(Text):
    """Names something (a resident, a slot, a household…) by its id."""

    schema: ClassVar[dict[str, Any]] = {"format": OpenAPIFormat.UUID}


class Day(Text):
    """A day, YYYY-MM-DD."""

    schema: ClassVar[dict[str, Any]] = {"format": OpenAPIFormat.DATE}


class Clock(Text):
    """A time of day, HH:MM."""

    schema: ClassVar[dict[str, Any]] = {"pattern": r"^[0-2][0-9]:[0-5][0-9]$"}


class Moment(Text):
    """A date and time as a datetime-local input sends it, YYYY-MM-DDTHH:MM (China time)."""

    schema: ClassVar[dict[str, Any]] = {"pattern": r"^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]$"}


class Whole(Text):
    """A whole number."""

    schema: ClassVar[dict[str, Any]] = {"pattern": r"^[0-9]{1,6}$"}


class Amount(Text):
    """An amount of money in yuan, e.g. 1280.50."""

    schema: ClassVar[dict[str, Any]] = {"pattern": r"^[0-9]{1,9}(\.[0-9]{1,2})?$"}


class Texts(list[str]):
    """A field that may come several times (ticked boxes): every value sent."""


class Files(list[Any]):
    """A file field (photos): every file sent (an empty file input sends one nameless part, which the handler
    drops)."""


class File(Files):
    """A file field that takes one file (the handler reads the first)."""


def one_of(*values: str) -> Any:
    """The values a field's choices send (a checkbox's value, a radio's), for the schema: others still reach the
    handler, which refuses them with its own message."""
    return Parameter(schema_extra={"enum": [str(v) for v in values]})


def query_of(kind: type[Text]) -> Any:
    """A page's query parameter (a filter, the day shown) holding what `kind` holds, for the schema: as text, so that
    a wrong one reaches the handler, which falls back or says why."""
    return QueryParameter(schema_extra=dict(kind.schema))


# The days a page shows (a day's slots, a week from a day): their neighbours, weeks and hours in UTC all exist.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def day_shown(text: str) -> date | None:
    """The day a page's query names (YYYY-MM-DD), or None when it names none: no date, or one outside the years a
    page shows, next to the first or last day a date holds (9999-12-31 has no next day to link to)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def segment_of(*values: str) -> Any:
    """The values a path segment naming what a form does takes (open or close, approve or return…), for the schema:
    another is the handler's own 404."""
    return PathParameter(schema_extra={"enum": [str(v) for v in values]})


EMPTY = Text()


class FormBody(msgspec.Struct, kw_only=True):
    """What every form of the pages sends besides its own fields."""

    command_id: Annotated[
        Text, Parameter(description="The form's idempotency key (32 hex digits): the same key again does nothing.")
    ] = EMPTY
    csrf_token: Annotated[Text, Parameter(description="The CSRF token (or the x-csrftoken header instead).")] = (
        msgspec.field(default=EMPTY, name="_csrf_token")
    )


def _first(kind: type[Text], value: Any) -> Text:
    value = value[0] if isinstance(value, list) and value else value
    return kind(value if isinstance(value, str) else "")


def _every(kind: type[list[Any]], value: Any) -> list[Any]:
    return kind(value if isinstance(value, list) else [value])


def _read_form_first(app: ASGIApp) -> ASGIApp:
    """Parse a POST's form by the content type it was sent with before the handler's typed body is read (as the CSRF
    check does when the token comes in a field), so that the form a handler reads is the same whether the token came
    in a field or in the header, and a form sent URL-encoded to a handler that also takes photos still reads.

    And refuse a request whose address or form holds a NUL character, which nobody types: PostgreSQL's text takes
    none, so a search or a field holding one would fail in a query, or stop a view at the event that kept it (the
    events refuse it too: backend.kernel.context)."""

    async def read_form_first(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = scope["litestar_app"].request_class(scope, receive)
            held = "\x00" in scope["path"] or any("\x00" in k + v for k, v in request.query_params.multi_items())
            if scope["method"] == "POST":
                form = await request.form()
                held = held or any("\x00" in k + (v if isinstance(v, str) else "") for k, v in form.multi_items())
            if held:
                set_locale(request.cookies.get("lang", DEFAULT_LOCALE))  # (the app's hook setting it comes later)
                raise ClientException(gettext("Text may not contain the NUL character."))
        await app(scope, receive, send)

    return read_form_first


class FormFields(InitPlugin, OpenAPISchemaPlugin):
    """Makes the form models work (fields read leniently, forms parsed by their own content type) and describes
    their fields in the schema. Registered once, by the app factory."""

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.type_decoders = [
            *(app_config.type_decoders or ()),
            (lambda kind: isinstance(kind, type) and issubclass(kind, Text), _first),
            (lambda kind: isinstance(kind, type) and issubclass(kind, (Texts, Files)), _every),
        ]
        app_config.middleware = [*app_config.middleware, _read_form_first]
        return app_config

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        annotation = field_definition.annotation
        return isinstance(annotation, type) and issubclass(annotation, (Text, Texts, Files))

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        annotation = field_definition.annotation
        if issubclass(annotation, File):
            return Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
        if issubclass(annotation, Files):
            return Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))
        if issubclass(annotation, Texts):
            return Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING))
        return Schema(type=OpenAPIType.STRING, **annotation.schema)
