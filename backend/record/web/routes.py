"""What witnesses and verifiers fetch (no sign-in: the record is public): the latest signed checkpoint as a C2SP
note (`GET /checkpoint`), and proofs in the JSON shape `linli proof check` reads — a leaf's inclusion in a tree of a
given size (`GET /proof/inclusion?position=&size=`) and one tree being a prefix of a larger
(`GET /proof/consistency?size1=&size2=`). Hashes in base64; sizes no larger than the tree has."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromQuery, JSONBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.record import commands
from backend.record.domain.log import DEPLOYMENT
from backend.web.pages import error_status, error_text, now, render_now
from projections.chain import keys
from projections.chain import merkle as tree
from projections.chain import queries as chain


@dataclass
class Cosignature:
    size: int
    line: str


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


async def _size(size: int) -> int:
    """`size`, or the tree's whole size when 0; a size the tree has not reached is refused."""
    have = await tree.size()
    if size < 0 or size > have:
        raise ValidationException(_("The tree has %(have)s leaves; ask for a size from 1 to that.", have=have))
    return size or have


@get("/checkpoint", name="record.checkpoint", media_type="text/plain; charset=utf-8")
async def checkpoint(request: Request[Any, Any, Any]) -> Response[str]:
    """The latest checkpoint with the witnesses' cosignatures it has so far."""
    latest = await chain.latest_checkpoint()
    if latest is None:
        raise NotFoundException(_("The log has signed no checkpoint yet."))
    lines = "".join(c["line"] for c in await chain.cosignatures(int(latest["size"])))
    headers = {"Cache-Control": "no-cache"}
    return Response(latest["note"] + lines, media_type="text/plain; charset=utf-8", headers=headers)


@post("/checkpoint/cosignatures", name="record.cosign", opt={"exclude_from_csrf": True}, status_code=201)
async def cosign(request: Request[Any, Any, Any], data: JSONBody[Cosignature]) -> Response[dict[str, Any]]:
    """A witness brings its cosignature of a checkpoint (`linli witness`). No session and no CSRF token: no cookie
    is used, and the signature, by a key the log registered, is what is checked."""
    line_id = hashlib.sha256(data.line.encode()).hexdigest()
    ctx = Ctx(DEPLOYMENT, None, now(), command_id=f"cosign-{data.size}-{line_id}")
    try:
        done = await commands.record_cosignature(request.app.state.runtime, ctx, data.size, data.line)
    except DomainError as error:
        return Response({"error": error_text(error)}, status_code=error_status(error))
    return Response({"witness": done.result["result"], "size": data.size}, status_code=201)


@get("/proof/inclusion", name="record.inclusion")
async def inclusion(position: FromQuery[int], size: FromQuery[int] = 0) -> dict[str, Any]:
    """The inclusion proof of the event at log `position` in the tree of `size` leaves (default: the whole tree)."""
    index = await tree.leaf_index(position) if 0 < position < 2**63 else None
    if index is None:
        raise NotFoundException(_("There is no event at this position."))
    size = await _size(size)
    if index >= size:
        raise ValidationException(_("That event came after the tree of this size."))
    leaf = (await tree.nodes([(0, index)]))[(0, index)]
    proof = await tree.inclusion_proof(index, size)
    root = await tree.root(size)
    return {"leafIdx": index, "treeSize": size, "root": _b64(root), "leafHash": _b64(leaf),
            "proof": [_b64(p) for p in proof], "position": position}  # fmt: skip


@get("/proof/consistency", name="record.consistency")
async def consistency(size1: FromQuery[int], size2: FromQuery[int] = 0) -> dict[str, Any]:
    """The proof that the tree of `size1` leaves is a prefix of the tree of `size2` (default: the whole tree)."""
    size2 = await _size(size2)
    if not 0 <= size1 <= size2:
        raise ValidationException(_("The first size must be at most the second."))
    proof = await tree.consistency_proof(size1, size2)
    root1, root2 = await tree.root(size1), await tree.root(size2)
    return {"size1": size1, "size2": size2, "root1": _b64(root1), "root2": _b64(root2),
            "proof": [_b64(p) for p in proof]}  # fmt: skip


def _verifier_texts() -> dict[str, str]:
    """The verifier page's words, translated here for the script that checks the proof in the browser."""
    return {
        "valid": _("Valid: event #{position} is in the record's signed tree of {size} events."),
        "witnessed": _("Witnessed by {name} on {when}."),
        "unwitnessed": _("No witness had cosigned this checkpoint when the notice was printed."),
        "malformed": _("This is not a proof: the QR code may be damaged or cut. Scan it again."),
        "unsigned": _(
            "Not valid: the proof does not carry this record's signature over this notice. The notice or "
            "its proof was changed, or it comes from another record."
        ),
        "nokey": _("This page has no key of the record yet: open it once while online."),
        "nocrypto": _("This browser cannot check signatures (it is too old); ask someone to check on another phone."),
        "same": _("Checked online too: today's record ({size} events, signed) still contains this one."),
        "rewritten": _(
            "The record was rewritten: today's record no longer contains the signed tree this notice "
            "was published in. Tell the 居务监督委员会 and the street office."
        ),
        "offline": _("Offline: checked on this phone only. Online, this page also checks today's record."),
    }


@get("/verify/proof", name="record.verify_proof")
async def verify_proof(request: Request[Any, Any, Any]) -> Template:
    """The verifier of the proof a notice's QR code carries after its '#', which the browser never sends: the
    script checks it with the keys on this page, offline too (the page is kept by the service worker). Rendered
    as for nobody signed in, so the copy a shared phone keeps names no one."""
    return render_now(request, "record/verify_proof.html", log_key=await keys.log_key(), user=None, bell=0,
                      witnesses=await keys.witness_keys(), texts=_verifier_texts())  # fmt: skip


routes = [checkpoint, cosign, inclusion, consistency, verify_proof]
