"""Keyed digests in place of personal values: the phone a resident signs in with, and the blind index of the clerk's
search (a clerk types "张", "明华" or "5678" and finds the resident without the views holding a name or a phone).

The key is a deployment secret kept in the key store beside the residents' keys (`PersonalData.secret`), not in
the views database nor in the data dir's `secret` file: a copy of the views alone cannot test a guess.

What the blind index leaks, to someone holding the views but not the key: equal pieces share a digest within a
community, so the index tells which residents share a character of their name or a run of phone digits, and
counting how many residents share each single-character digest points at the common surnames (the digest most
residents share is probably 王 or 李); the number of a resident's rows tells the length of their name. It never
gives a name or a number without the key, and says nothing across communities (the community is in each digest).
Erasure deletes a resident's rows with the rest of their personal data."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from uuid import UUID
from weakref import WeakKeyDictionary

from backend.kernel.personal import PersonalData

SEARCH_SECRET = "resident-search"
# Phone digits are found from 4 in a row: the last four are what a clerk asks for ("尾号"); 3 would add a quarter
# more rows per resident and match about one resident in a hundred by chance.
PHONE_RUN_MIN = 4
NAME_PIECE_MAX = 12  # longer pieces of a (long, e.g. Latin-script) name are not searched for
DIGEST_HEX = 32  # 128 bits: no two pieces collide by chance in any community

_keys: WeakKeyDictionary[PersonalData, bytes] = WeakKeyDictionary()


def search_key(personal: PersonalData) -> bytes:
    """The deployment's search key (made once, by whichever process asks first). Blocking: call it in a thread."""
    key = _keys.get(personal)
    if key is None:
        key = _keys[personal] = personal.secret(SEARCH_SECRET, lambda: secrets.token_bytes(32))
    return key


def _digest(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def phone_digest(key: bytes, phone: str) -> str:
    """Sign-in by phone: the resident whose phone this is, without the phone."""
    return _digest(key, "phone", phone)


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def name_pieces(name: str) -> set[str]:
    """Every piece of the name a clerk may type: each run of 1 to NAME_PIECE_MAX characters."""
    name = _normal(name)
    return {
        name[start:end]
        for start in range(len(name))
        for end in range(start + 1, min(len(name), start + NAME_PIECE_MAX) + 1)
        if name[start:end].strip()
    }


def phone_pieces(phone: str) -> set[str]:
    """Every run of at least PHONE_RUN_MIN digits of the phone."""
    digits = re.sub(r"\D", "", phone)
    return {digits[start:end] for start in range(len(digits)) for end in range(start + PHONE_RUN_MIN, len(digits) + 1)}


def index_digests(key: bytes, community_id: UUID, name: str, phone: str) -> set[str]:
    """The digests stored for a resident."""
    community = str(community_id)
    return {_digest(key, community, "name", p)[:DIGEST_HEX] for p in name_pieces(name)} | {
        _digest(key, community, "phone", p)[:DIGEST_HEX] for p in phone_pieces(phone)
    }


def query_digests(key: bytes, community_id: UUID, query: str) -> list[str]:
    """The digests a clerk's query matches: as a piece of a name, and (all digits) as a run of a phone."""
    query = _normal(query)
    community = str(community_id)
    found: list[str] = []
    if query and len(query) <= NAME_PIECE_MAX:
        found.append(_digest(key, community, "name", query)[:DIGEST_HEX])
    digits = query.replace(" ", "")
    if digits.isdigit() and len(digits) >= PHONE_RUN_MIN:
        found.append(_digest(key, community, "phone", digits)[:DIGEST_HEX])
    return found
