"""The casework rows' text, made as cheaply as a rebuild needs (it writes hundreds of thousands of rows): ids as
text made once each, JSON through a C encoder made once, a timeline row's audience written straight."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from hashlib import sha1
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any
from uuid import UUID


def text(value: UUID | str | None) -> str | None:
    """An id as text, each made once: a rebuild writes the same case, resident and worker ids into row after row
    (UUID.__str__ formats anew each time, and costs several times the look-up)."""
    if value is None or type(value) is str:  # already text (a row read back): nothing to make or keep
        return value
    # keyed by the id's number: a UUID's own hash and equality are Python methods, and the log's ids come as a new
    # object each event (its originator's), so a look-up by the UUID cost two Python calls
    key = value.int if type(value) is UUID else value
    made = _TEXTS.get(key)
    if made is None:
        if len(_TEXTS) >= 200_000:  # bounded: starts again when full
            _TEXTS.clear()
        made = _TEXTS[key] = str(value)
    return made


def id_text(value: UUID) -> str:
    return text(value)  # type: ignore[return-value]  # never None here


def uuid5_text(namespace: UUID, name: str) -> str:
    """str(uuid5(namespace, name)), written from the digest: a rebuild makes a raiser's row id per case, and the UUID
    made only to be written as text cost several times the hash (the tests compare the two)."""
    h = sha1(namespace.bytes + name.encode()).hexdigest()
    # the version (5) in the 13th hex digit, the variant (10xx) in the 17th, as uuid.UUID(version=5) sets them
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


_TEXTS: dict[object, str] = {}  # by the id's number (or the id, when not a uuid.UUID)


def encoder(default: Callable[[Any], Any] | None = None) -> Callable[[Any], str]:
    """json.dumps(value, ensure_ascii=False, default=default) without making an encoder for each of the hundreds of
    thousands of values a rebuild writes: JSONEncoder.encode makes its C encoder anew on every call, which costs
    more than the encoding; this one is made once (the same text comes out; no check for circular values, which
    rows never hold)."""
    library = json.JSONEncoder(ensure_ascii=False, default=default)
    if c_make_encoder is None:  # no C accelerator: the library's own path
        return library.encode
    make = c_make_encoder(
        None,
        library.default,
        encode_basestring,
        library.indent,
        library.key_separator,
        library.item_separator,
        library.sort_keys,
        library.skipkeys,
        library.allow_nan,
    )
    return lambda value: "".join(make(value, 0))


to_json = encoder()


def audience_json(
    raisers: list[str], owner: str | None, worker: str | None, staff: list[str], unrated: list[str]
) -> str:
    """What to_json gives for the audience's dict, written straight: a timeline row per event of a rebuild, and the
    encoder's call costs more than the text. Ids only (hex digits and dashes, nothing to escape); anything else
    goes through the encoder."""
    if _ID_CHARS.fullmatch("".join((*raisers, owner or "", worker or "", *staff))):
        return (
            f'{{"raisers": {_strings(raisers)}, "owner": {_string(owner)}, "worker": {_string(worker)}, '
            f'"staff": {_strings(staff)}, "unrated": {_strings(unrated)}}}'
        )
    return to_json({"raisers": raisers, "owner": owner, "worker": worker, "staff": staff, "unrated": unrated})


def _strings(values: list[str]) -> str:
    return '["' + '", "'.join(values) + '"]' if values else "[]"


def _string(value: str | None) -> str:
    return "null" if value is None else f'"{value}"'


_ID_CHARS = re.compile(r"[0-9a-f-]*")  # what ids are written with: nothing the encoder would escape


def _plain(value: Any) -> Any:
    """An event's field as its timeline row keeps it: ids and moments as text, sequences as lists."""
    if isinstance(value, UUID):
        return id_text(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not kept in a timeline row")


# An event's fields as JSON, ids and moments as text, in one pass of the C encoder (tuples come out as lists).
plain_json = encoder(_plain)
