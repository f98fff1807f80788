"""The API schema (/schema/openapi.json) describes every form the pages send, so that a fuzzer reaches the forms'
logic (fuzz/run.py); and the form models that describe them never refuse a request before the handler's own checks:
a field missing, sent twice or sent as a file still gets the form's own message, never Litestar's generic 400."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in

TEMPLATES = Path(__file__).resolve().parent.parent / "frontend" / "templates"
INCLUDE = re.compile(r'{%\s*include\s+"([^"]+)"\s*%}')
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _inlined(text: str, depth: int = 0) -> str:
    """A template with the templates it includes written out (the household picker inside the registration form)."""
    if depth > 5:
        return text
    return INCLUDE.sub(lambda m: _inlined((TEMPLATES / m.group(1)).read_text(), depth + 1), text)


def page_forms() -> list[tuple[str, str, bool, set[str]]]:
    """Every form of the templates that posts: (template, action, multipart, the names of its fields)."""
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for attributes, body in re.findall(r"<form\b([^>]*)>(.*?)</form>", _inlined(template.read_text()), re.S):
            if not re.search(r'method="post"|hx-post=', attributes, re.I):
                continue
            action = re.search(r'(?:action|hx-post)="([^"]+)"', attributes)
            assert action, f"{template.name}: a form that posts without an action"
            # fields named in the markup, and those a macro makes (field("name", …) in the registration form)
            names = set(re.findall(r'\bname="([^"{]+)"', body)) | set(re.findall(r'\bfield\("(\w+)"', body))
            name = str(template.relative_to(TEMPLATES))
            found.append((name, action.group(1), "multipart/form-data" in attributes, names))
    return found


def operation_for(schema: dict[str, Any], action: str) -> tuple[str, dict[str, Any]] | None:
    """The POST operation a form's action (with its {{ … }} filled in) goes to: a path without parameters first."""
    sent = re.sub(r"{{.*?}}", "X", action)
    candidates = [
        (path, operations["post"])
        for path, operations in schema["paths"].items()
        if "post" in operations and re.fullmatch(re.sub(r"{\w+}", "[^/]+", path), sent)
    ]
    return min(candidates, key=lambda c: c[0].count("{"), default=None)


def body_schema(schema: dict[str, Any], operation: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The media type of an operation's body and its object schema (references followed)."""
    media_type, content = next(iter(operation["requestBody"]["content"].items()))
    found = content["schema"]
    if "oneOf" in found:
        found = next(s for s in found["oneOf"] if "$ref" in s)
    if "$ref" in found:
        found = schema["components"]["schemas"][found["$ref"].rsplit("/", 1)[1]]
    return media_type, found


async def test_every_form_of_the_pages_is_described_field_by_field(client):
    schema = (await client.get("/schema/openapi.json")).json()
    forms = page_forms()
    assert len(forms) > 80, "the templates' forms were not found"
    problems = []
    for template, action, multipart, names in forms:
        found = operation_for(schema, action)
        if found is None:
            problems.append(f"{template}: {action}: no operation in the schema")
            continue
        path, operation = found
        if "requestBody" not in operation:
            problems.append(f"{template}: {action}: POST {path} describes no body")
            continue
        media_type, body = body_schema(schema, operation)
        if media_type != ("multipart/form-data" if multipart else "application/x-www-form-urlencoded"):
            problems.append(f"{template}: {action}: the form is sent as {multipart=}, described as {media_type}")
        missing = names - set(body.get("properties", {}))
        if missing:
            problems.append(f"{template}: {action}: POST {path} does not describe {sorted(missing)}")
        required = set(body.get("required", []))
        if required:
            problems.append(f"{template}: {action}: POST {path} requires {sorted(required)} (a missing field is empty)")
    assert not problems, "\n".join(problems)


async def test_every_post_describes_its_body(client):
    schema = (await client.get("/schema/openapi.json")).json()
    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}
    assert len(posts) > 70
    undescribed = [path for path, operation in posts.items() if "requestBody" not in operation]
    assert not undescribed, undescribed
    for path, operation in posts.items():
        media_type, body = body_schema(schema, operation)
        if media_type in FORM_TYPES:
            assert "command_id" in body["properties"] and "_csrf_token" in body["properties"], path


def _filled(path: str, operation: dict[str, Any]) -> str:
    """The path with a value for each parameter (an id, a number, the first of the choices)."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "path":
            continue
        kind = parameter["schema"]
        value = kind["enum"][0] if "enum" in kind else "1" if kind.get("type") == "integer" else str(uuid4())
        path = path.replace("{" + parameter["name"] + "}", value)
    return path


async def test_odd_forms_reach_the_handlers_checks_not_a_generic_400(client):
    """Every field twice (its first value counts, as the handlers read it), a file field sent as text, a form with
    photos sent URL-encoded, a form sent with nothing: none is refused before the handler (400) or breaks it (5xx).
    Signed in as a clerk, CSRF token in the header (as htmx sends it)."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    await grant(rt, place, 0, "clerk", now=NOW)
    await sign_in(client, place.phones[0])
    schema = (await client.get("/schema/openapi.json")).json()
    header = {"x-csrftoken": client.cookies.get("csrftoken")}
    problems = []
    ending = ("/signout", "/signout/everywhere", "/me/erase")  # they end the session: last
    posts = sorted(
        ((p, ops["post"]) for p, ops in schema["paths"].items() if "post" in ops), key=lambda c: c[0] in ending
    )
    for path, operation in posts:
        media_type, body = body_schema(schema, operation)
        if media_type not in FORM_TYPES:
            continue
        names = [n for n in body["properties"] if n != "_csrf_token"]
        twice = [(name, value) for name in names for value in ("1", "2")]
        url = _filled(path, operation)
        sent = [
            ("twice", {"content": urlencode(twice), "headers": {"content-type": FORM_TYPES[0]}}),
            ("nothing", {"content": b"", "headers": {"content-type": FORM_TYPES[0]}}),
        ]
        if media_type == "multipart/form-data":
            as_text = [(name, (None, value)) for name, value in twice]  # file fields too, as plain text parts
            sent.append(("multipart", {"files": as_text}))
        for how, request in sent:
            headers = {**header, **request.pop("headers", {})}
            answer = await client.post(url, **request, headers=headers)
            if answer.status_code == 400 or answer.status_code >= 500:
                problems.append(f"POST {path} ({how}): {answer.status_code} {answer.text[:200]}")
    assert not problems, "\n".join(problems)
