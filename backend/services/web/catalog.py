"""Routes of the clerk's catalog: providers and the residents who act for them, services and their booking rules."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.services import commands
from backend.services.web.forms import (
    SERVICE_FIELDS,
    MemberForm,
    ProviderForm,
    RulesForm,
    ServiceForm,
    booking_rules,
    values_of,
)
from backend.services.web.views import service_or_404, show_catalog
from backend.web.act import Form, Refused, act, text, uuid_field
from backend.web.auth import require
from backend.web.pages import error_status, error_text, found
from projections.services import queries as views

CATALOG = "/services/catalog"


def _refused(request: Request[Any, Any, Any], error_name: str) -> Refused:
    """The catalog again, with the refusal next to the form it came from (`error_name`)."""

    async def refused(error: DomainError, _form: Form) -> Template:
        return await show_catalog(request, error_status(error), **{error_name: error_text(error)})

    return refused


@get("/services/catalog", name="services.catalog")
async def catalog(request: Request[Any, Any, Any]) -> Template:
    return await show_catalog(request)


@post("/providers", name="services.create_provider")
async def create_provider(request: Request[Any, Any, Any], data: URLEncodedBody[ProviderForm]) -> Response[Any]:
    return await act(
        request,
        "service.catalog",
        lambda rt, ctx, form: commands.create_provider(rt, ctx, text(form, "name"), text(form, "description")),
        then=CATALOG,
        refused=_refused(request, "provider_error"),
        done=_("The provider is added."),
    )


@post("/providers/{provider_id:uuid}/members", name="services.add_member")
async def add_member(
    request: Request[Any, Any, Any], provider_id: FromPath[UUID], data: URLEncodedBody[MemberForm]
) -> Response[Any]:
    user = await require(request, "service.catalog")
    found(await views.provider(provider_id), _("No such provider."))

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        resident = uuid_field(form, "resident_id", "Choose a resident with the provider role.")
        return await commands.add_member(rt, ctx, provider_id, resident)

    return await act(
        request,
        user,
        run,
        then=CATALOG,
        refused=_refused(request, "member_error"),
        done=_("The provider's account is added."),
    )


@post("/services/new", name="services.create")
async def create_service(request: Request[Any, Any, Any], data: URLEncodedBody[ServiceForm]) -> Response[Any]:
    user = await require(request, "service.catalog")
    values = values_of(await request.form(), SERVICE_FIELDS)

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        provider = uuid_field(form, "provider_id", "Choose the provider.")
        return await commands.create_service(
            rt, ctx, provider, values["name"], values["category"], values["description"], booking_rules(form)
        )

    async def refused(error: DomainError, _form: Form) -> Template:
        return await show_catalog(request, error_status(error), values=values, service_error=error_text(error))

    return await act(
        request,
        user,
        run,
        then=lambda done: f"/services/{done.result['service_id']}",
        refused=refused,
        done=_("The service is in the catalog; its provider publishes the schedule."),
    )


@post("/services/{service_id:uuid}/rules", name="services.rules")
async def change_rules(
    request: Request[Any, Any, Any], service_id: FromPath[UUID], data: URLEncodedBody[RulesForm]
) -> Response[Any]:
    user = await require(request, "service.catalog")
    await service_or_404(service_id)
    return await act(
        request,
        user,
        lambda rt, ctx, form: commands.change_rules(rt, ctx, service_id, booking_rules(form)),
        then=CATALOG,
        refused=_refused(request, "rules_error"),
        done=_("The booking rules are changed."),
    )


routes = [catalog, create_provider, add_member, create_service, change_rules]
