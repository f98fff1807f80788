"""The Merkle tree over the log, as certificate-transparency logs hash theirs (RFC 9162 §2.1): a leaf is
SHA-256(0x00 ‖ the event's canonical bytes), a node SHA-256(0x01 ‖ left ‖ right), and a tree of n leaves is split
at the largest power of two below n. Pure: no I/O, no clock.

The tree is kept as the hashes of its *perfect* subtrees — (level, index) is the root of the 2**level leaves from
index·2**level — which never change once made, so appending a leaf makes at most log2(n) new nodes, and the hash of
any range a proof needs is folded from at most log2(n) of them (`parts`, `fold`). The proofs are described first as
ranges of leaves (`inclusion_ranges`, `consistency_ranges`), so a store reads all their nodes in one statement.

Hand-written rather than taken from a package: the few Python Merkle packages on PyPI either hash differently from
RFC 9162 or keep the whole tree in memory; this one is checked against the RFC 6962 test vectors of
transparency-dev/merkle (tests/test_merkle.py) and against a plain recursive reading of the RFC (hypothesis)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence

Node = tuple[int, int]  # (level, index): the perfect subtree over leaves [index·2**level, (index+1)·2**level)
Range = tuple[int, int]  # leaves [start, end)

EMPTY_ROOT = hashlib.sha256(b"").digest()  # the root of the tree of no leaves (RFC 9162 §2.1.1)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, by the RFC's recursion (for tests and small trees; a store folds its nodes)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


# -- ranges and the perfect subtrees they are made of ------------------------------------------------------------
def parts(start: int, end: int) -> list[Node]:
    """The perfect subtrees that make up leaves [start, end), left to right, largest first. Every range the tree's
    recursion meets starts at a multiple of its largest part, so its hash is `fold` of these."""
    found: list[Node] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):
            level -= 1
        found.append((level, start >> level))
        start += 1 << level
    return found


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from the hashes of its `parts`, left to right: the right edge is folded first, as the
    RFC's recursion splits off the largest perfect subtree on the left each time."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def range_hash(start: int, end: int, node: Callable[[Node], bytes]) -> bytes:
    return fold([node(part) for part in parts(start, end)])


def appended(size: int, leaf: bytes, node: Callable[[Node], bytes]) -> list[tuple[Node, bytes]]:
    """The nodes that appending `leaf` as leaf number `size` makes: the leaf, then each perfect subtree it
    completes (`node` gives the left siblings, all among the subtrees of the tree of `size` leaves)."""
    made = [((0, size), leaf)]
    level, index, current = 0, size, leaf
    while index % 2:
        current = node_hash(node((level, index - 1)), current)
        level, index = level + 1, index // 2
        made.append(((level, index), current))
    return made


# -- proofs as ranges ----------------------------------------------------------------------------------------------
def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose hashes are the inclusion proof of leaf `index` in the tree of `size` leaves, in the proof's
    order (RFC 9162 §2.1.3.1 PATH: nearest the leaf first)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    found: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            found.append((start + k, end))
            end = start + k
        else:
            found.append((start, start + k))
            start += k
    return found[::-1]


def consistency_ranges(size1: int, size2: int) -> list[Range]:
    """The ranges whose hashes prove the tree of `size1` leaves a prefix of the tree of `size2` (RFC 9162 §2.1.4.1
    SUBPROOF), in the proof's order."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"no consistency proof from {size1} to {size2}")
    if size1 in (0, size2):
        return []
    found: list[Range] = []
    start, end, m, whole = 0, size2, size1, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            found.append((start + k, end))
            end = start + k
        else:
            found.append((start, start + k))
            m -= k
            start += k
            whole = False
    if not whole:
        found.append((start, end))
    return found[::-1]


# -- verifying (RFC 9162 §2.1.3.2 and §2.1.4.2, step by step) ------------------------------------------------------
def inclusion_root(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root that `proof` leads to from `leaf` at `index` in a tree of `size` leaves, or None when the proof has
    the wrong shape for that place. A compact proof carries no root: its checkpoint's signature is checked over the
    root this gives."""
    if not 0 <= index < size or any(len(h) != 32 for h in (leaf, *proof)):
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    return len(root) == 32 and inclusion_root(index, size, leaf, proof) == root


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> bool:
    if not 0 <= size1 <= size2 or any(len(h) != 32 for h in (root1, root2, *proof)):
        return False
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # a power of two: the old root is itself a node of the new tree
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == root1 and sr == root2 and sn == 0


# -- a proof file (the JSON shape of the transparency-dev vectors) ----------------------------------------------------
def check(case: dict[str, object]) -> tuple[bool, str]:
    """An inclusion case (`leafIdx`, `treeSize`, `root`, `leafHash`, `proof`) or a consistency case (`size1`,
    `size2`, `root1`, `root2`, `proof`), hashes in base64: whether it verifies, and one line saying why."""
    try:
        proof = [_b64(p) for p in case.get("proof") or []]  # type: ignore[union-attr]
        if "leafIdx" in case:
            index, size = int(case["leafIdx"]), int(case["treeSize"])  # type: ignore[call-overload]
            if verify_inclusion(index, size, _b64(case["leafHash"]), proof, _b64(case["root"])):
                return True, f"valid: leaf {index} is in the tree of {size} leaves with this root"
            return False, f"not valid: this proof does not lead from leaf {index} to the root of {size} leaves"
        if "size1" in case:
            size1, size2 = int(case["size1"]), int(case["size2"])  # type: ignore[call-overload]
            if verify_consistency(size1, size2, _b64(case["root1"]), _b64(case["root2"]), proof):
                return True, f"valid: the tree of {size1} leaves is a prefix of the tree of {size2}"
            return False, f"not valid: the tree of {size2} leaves does not extend the tree of {size1} by this proof"
    except (KeyError, TypeError, ValueError) as error:
        return False, f"not a proof: {error}"
    return False, "not a proof: neither an inclusion case (leafIdx, treeSize) nor a consistency case (size1, size2)"


def check_text(text: str) -> tuple[bool, str]:
    """`check` of a proof file's text."""
    try:
        case = json.loads(text)
    except ValueError as error:
        return False, f"not a proof: not JSON ({error})"
    return check(case) if isinstance(case, dict) else (False, "not a proof: the file holds no JSON object")


def _b64(value: object) -> bytes:
    if value in (None, ""):
        return b""
    if not isinstance(value, str):
        raise TypeError(f"a hash must be base64 text, not {type(value).__name__}")
    return base64.b64decode(value, validate=True)
