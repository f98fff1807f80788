"""Rendering pages: the shared template context, versioned static URLs, flashes, form idempotency keys."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from backend.i18n import HTML_LANG, current_locale, gettext
from backend.kernel.context import new_command_id
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.web.auth import current_user
from projections.chain import verification
from projections.community import queries as communities

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "frontend" / "static"
TEMPLATE_DIR = ROOT / "frontend" / "templates"
COMMAND_ID = re.compile(r"^[0-9a-f]{32}$")
ALARMED = frozenset({"clerk", "street_operator"})  # who sees the banner while the record fails its check


@cache
def static_version(path: str) -> str:
    file = STATIC_DIR / path
    if not file.is_file():
        return "0"
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10]


def static(path: str) -> str:
    return f"/static/{path}?v={static_version(path)}"


def has_session(request: Request[Any, Any, Any]) -> bool:
    return isinstance(request.scope.get("session"), dict)


def flash(request: Request[Any, Any, Any], message: str, category: str = "info") -> None:
    if not has_session(request):
        request.set_session({})
    flashes = list(request.session.get("flashes", []))
    flashes.append([category, message])
    request.session["flashes"] = flashes


def command_id_from(form: Any) -> str:
    """The idempotency key a form carries; a missing or malformed one gets a fresh key."""
    value = str(form.get("command_id", "")).strip().lower()
    return value if COMMAND_ID.match(value) else new_command_id()


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


async def render(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    from projections.inbox.queries import unread

    user = await current_user(request)
    bell = await unread(user.id) if user and not is_htmx(request) else 0  # the header's bell, on whole pages
    # The record's alarm (issue 24: the server watches itself), on every whole page of the staff who must act on it.
    staff = user is not None and not is_htmx(request) and not ALARMED.isdisjoint(user.roles)
    record_alarm = await verification.alarm() if staff else None
    return render_now(request, template, status_code, bell=bell, record_alarm=record_alarm, **context)


def page_context(request: Request[Any, Any, Any], **context: Any) -> dict[str, Any]:
    """What every page's template gets, and `context`."""
    base = {
        "user": request.state.get("user"),
        "lang": current_locale(),
        "html_lang": HTML_LANG[current_locale()],
        "csrf_token": ScopeState.from_scope(request.scope).csrf_token or "",
        # taken when a whole page shows them (base.html), not by an htmx fragment that would lose them
        "take_flashes": lambda: request.session.pop("flashes", []) if has_session(request) else [],
        "command_id": new_command_id(),
    }
    base.update(context)
    return base


def render_now(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    """Render without awaiting anything (for exception handlers, which Litestar calls synchronously)."""
    return Template(template_name=template, context=page_context(request, **context), status_code=status_code)


def render_html(request: Request[Any, Any, Any], template: str, **context: Any) -> str:
    """The page as text, for a page kept and served again (nothing in it may belong to one visitor)."""
    engine = request.app.template_engine
    return engine.get_template(template).render(request=request, **page_context(request, **context))  # type: ignore[union-attr]


def now() -> datetime:
    """The time a command is stamped with (commands never read the clock themselves)."""
    return datetime.now(UTC)


def today() -> date:
    """The day it is in China (forms, schedules, deadlines)."""
    return now().astimezone(LOCAL_ZONE).date()


def whole_number(value: object, field: str, message: str) -> int:
    """A form's whole number, or `message` on `field`."""
    try:
        return int(str(value).strip())
    except ValueError:
        raise DomainError(message, field) from None


def error_status(error: DomainError) -> int:
    """A refused form comes back as 422 unless the rule said otherwise (403, 404, 409, 410)."""
    return error.status if error.status != 400 else 422


def error_text(error: DomainError) -> str:
    """The refusal in the reader's language, with its numbers filled in."""
    return gettext(error.message, **error.variables)


def redirect(path: str, status_code: int = 303) -> Redirect:
    return Redirect(path=path, status_code=status_code)


def safe_next(value: str | None, default: str = "/") -> str:
    """Only local paths: never redirect to another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def found(row: dict[str, Any] | None, message: str) -> dict[str, Any]:
    """The view row, or a 404 page saying `message` (already translated)."""
    if row is None:
        raise NotFoundException(message)
    return row


async def board_community(request: Request[Any, Any, Any], code: str | None) -> dict[str, Any]:
    """The board shown: the one asked for, else the signed-in resident's, else the first community."""
    if code:
        found = await communities.by_code(code)
        if found is None:
            raise NotFoundException(gettext("No such community."))
        return found
    user = await current_user(request)
    if user is not None:
        found = await communities.by_id(user.community_id)
        if found is not None:
            return found
    first = await communities.first_community()
    if first is None:
        raise NotFoundException(gettext("No community has been set up yet."))
    return first
