"""The rules of the certificates (证明事项) on the pure aggregates: the national first batch is on the negative list and
stays there; a street's line takes effect on its day; a negative-list item is refused with its basis and where to go,
never issued; an item on neither list is refused with "ask the street" or 告知承诺; an issued certificate takes the
book's next number; a cancelled one keeps its number and stays cancelled. Hypothesis interleaves requests, issues
(some from a stale copy of the book, which the store refuses, as a second clerk's save would be), refusals and
cancellations: the numbers are 1..n without gaps or repeats, whatever the order; and the real store refuses the
second of two saves of the same book version."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.store import open_event_store
from backend.kernel.zone import LOCAL_ZONE
from backend.workload.domain.certificate_lists import (
    NATIONAL_FIRST_BATCH,
    NEGATIVE,
    POSITIVE,
    RESIDENCE,
    CertificateLists,
    ListItem,
    items_in_force,
)
from backend.workload.domain.certificates import (
    ASK_STREET,
    BY_LIST,
    CANCELLED,
    ISSUED,
    NOT_IN_REGISTER,
    REFUSED,
    UNDERTAKING,
    Certificate,
    CertificateBook,
    RegisterFacts,
)

COMMUNITY = uuid4()
CLERK = uuid4()
TODAY = date(2026, 12, 7)
LOOKUP = "a" * 64
ITEMS = items_in_force([], TODAY)


def on(day: date = TODAY, actor=CLERK) -> Ctx:
    return Ctx(COMMUNITY, actor, datetime.combine(day, time(10), LOCAL_ZONE).astimezone(UTC))


def facts(resident) -> RegisterFacts:
    return RegisterFacts(resident, "sealed-name", "1栋1单元101室", True)


def asked(item: ListItem | None, resident=None) -> Certificate:
    made = Certificate.request(on(), uuid4(), resident or uuid4(), item, "" if item else "收入证明", "入学")
    made.collect_events()
    return made


def new_book() -> CertificateBook:
    book = CertificateBook.open(on(), TODAY.year)
    book.collect_events()
    return book


def test_the_national_first_batch_has_twenty_items_each_saying_where_to_go_instead():
    assert len(NATIONAL_FIRST_BATCH) == 20
    names = " ".join(i.name for i in NATIONAL_FIRST_BATCH)
    for name in (
        "亲属关系证明",
        "居民身份信息证明",
        "婚姻状况证明",
        "无犯罪记录证明",
        "死亡证明",
        "残疾状况证明",
        "健在证明",
        "出生证明",
    ):
        assert name in names
    assert all(i.side == NEGATIVE and i.instead and "民发〔2020〕20号" in i.basis for i in NATIONAL_FIRST_BATCH)
    assert ITEMS["residence"].side == POSITIVE and "{address}" in ITEMS["residence"].sample


def test_a_street_line_takes_effect_on_its_day_and_the_national_batch_is_a_floor():
    lists = CertificateLists.open(on(), "江南街道")
    later = TODAY + timedelta(days=10)
    extra = ListItem("travel", "出行证明", NEGATIVE, "某省清单（第二批）", instead="交通管理部门")
    lists.set_item(on(), extra, later, "某省民政厅 2026 年第 3 号通知")
    assert "travel" not in lists.items_on(TODAY) and lists.items_on(later)["travel"].instead == "交通管理部门"
    with pytest.raises(DomainError):
        lists.set_item(
            on(),
            ListItem("kinship", "亲属关系证明", POSITIVE, "x", purpose="p", procedure="p", sample="s", valid_days=30),
            later,
            "r",
        )
    for renamed in ("亲属关系证明", "亲属关系证明（本地）", "亲属关系 证明"):  # the same certificate under a new code
        with pytest.raises(DomainError, match="other list"):
            lists.set_item(
                on(),
                ListItem("kin2", renamed, POSITIVE, "x", purpose="p", procedure="p", sample="s", valid_days=30),
                later,
                "r",
            )
    assert "kin2" not in lists.items_on(later)
    with pytest.raises(DomainError):
        lists.drop_item(on(), "death", later, "r")
    with pytest.raises(DomainError):
        lists.set_item(on(), extra, later, "")  # every edit cites its rule
    with pytest.raises(DomainError):
        lists.set_item(on(), extra, TODAY - timedelta(days=1), "r")
    lists.drop_item(on(), "residence", later, "某市清单调整")
    assert "residence" in lists.items_on(TODAY) and "residence" not in lists.items_on(later)


def test_a_negative_item_is_refused_with_its_basis_and_where_to_go_and_never_issued():
    kinship = ITEMS["kinship"]
    made = asked(kinship)
    with pytest.raises(DomainError):
        made.issue(on(), new_book(), kinship, facts(made.resident_id), TODAY, LOOKUP)
    with pytest.raises(DomainError):
        made.refuse(on(), kinship, ASK_STREET)
    made.refuse(on(), kinship, BY_LIST)
    (event,) = made.collect_events()
    assert event.basis == kinship.basis and "公安机关" in event.instead and made.status == REFUSED


def test_an_item_on_neither_list_is_refused_with_ask_the_street_or_an_undertaking():
    for kind in (ASK_STREET, UNDERTAKING):
        made = asked(None)
        with pytest.raises(DomainError):
            made.refuse(on(), None, BY_LIST)
        made.refuse(on(), None, kind)
        assert made.status == REFUSED
    with pytest.raises(DomainError):
        asked(None).issue(on(), new_book(), None, facts(uuid4()), TODAY, LOOKUP)


def test_an_issue_takes_the_register_facts_a_valid_day_and_the_next_number():
    book = new_book()
    made = asked(RESIDENCE)
    with pytest.raises(DomainError):
        made.issue(on(), book, RESIDENCE, facts(uuid4()), TODAY, LOOKUP)  # another resident's facts
    with pytest.raises(DomainError):
        made.issue(on(), book, RESIDENCE, facts(made.resident_id), TODAY + timedelta(days=91), LOOKUP)
    with pytest.raises(DomainError):
        made.refuse(on(), RESIDENCE, NOT_IN_REGISTER)  # say what the register shows
    assert made.issue(on(), book, RESIDENCE, facts(made.resident_id), TODAY + timedelta(days=90), LOOKUP) == 1
    issued = made.collect_events()[-1]
    assert issued.household == "1栋1单元101室" in issued.text and issued.number == 1
    second = asked(RESIDENCE)
    assert second.issue(on(), book, RESIDENCE, facts(second.resident_id), TODAY, LOOKUP) == 2


def test_a_cancelled_certificate_keeps_its_number_and_stays_cancelled():
    made = asked(RESIDENCE)
    made.issue(on(), new_book(), RESIDENCE, facts(made.resident_id), TODAY, LOOKUP)
    with pytest.raises(DomainError):
        made.cancel(on(), "")
    made.cancel(on(), "地址登记错误")
    for step in (
        lambda: made.cancel(on(), "again"),
        lambda: made.issue(on(), new_book(), RESIDENCE, facts(made.resident_id), TODAY, LOOKUP),
        lambda: made.refuse(on(), RESIDENCE, NOT_IN_REGISTER, "x"),
    ):
        with pytest.raises(DomainError):
            step()
    assert made.status == CANCELLED and made.number == 1


STEP = st.tuples(st.sampled_from(["ask", "issue", "stale_issue", "refuse", "cancel"]), st.integers(0, 30))
ASKABLE = [*(i.code for i in NATIONAL_FIRST_BATCH[:4]), "residence", ""]


@settings(max_examples=150, deadline=None)
@given(st.lists(STEP, max_size=60), st.lists(st.sampled_from(ASKABLE), min_size=1, max_size=10))
def test_numbers_are_gapless_and_unique_under_any_interleaving(steps, codes):
    store_book = new_book()  # as saved; a clerk works on a copy and saves it only if nobody saved in between
    certificates: list[Certificate] = []
    ever_cancelled: set = set()
    for n, (kind, pick) in enumerate(steps):
        if kind == "ask" or not certificates:
            code = codes[pick % len(codes)]
            certificates.append(asked(ITEMS.get(code) if code else None))
            continue
        made = certificates[pick % len(certificates)]
        item = ITEMS.get(made.item_code)
        before = copy.deepcopy(made)
        try:
            if kind in ("issue", "stale_issue"):
                copy_book = copy.deepcopy(store_book)
                if kind == "stale_issue" and store_book.numbers:  # a copy read before the last number was taken
                    copy_book = copy.deepcopy(store_book)
                    copy_book.numbers.pop()
                    copy_book.version -= 1
                made.issue(on(), copy_book, item, facts(made.resident_id), TODAY, LOOKUP)
                if copy_book.version - len(copy_book.collect_events()) != store_book.version:
                    raise IntegrityError("version conflict")  # the store's optimistic concurrency
                store_book = copy_book
            elif kind == "refuse":
                reason = (
                    BY_LIST if item and item.side == NEGATIVE else (ASK_STREET if item is None else NOT_IN_REGISTER)
                )
                made.refuse(on(), item, reason, f"note {n}")
            else:
                made.cancel(on(), f"reason {n}")
        except (DomainError, IntegrityError):
            certificates[certificates.index(made)] = before  # a refused command changes nothing
            continue
        made.collect_events()
        if made.status == CANCELLED:
            ever_cancelled.add(made.id)
    numbered = [c for c in certificates if c.status in (ISSUED, CANCELLED)]
    assert sorted(c.number for c in numbered) == list(range(1, len(numbered) + 1))
    assert store_book.numbers == [c.id for c in sorted(numbered, key=lambda c: c.number)]
    assert all(ITEMS[c.item_code].side == POSITIVE for c in numbered), "no negative-list item is ever issued"
    assert all(c.status == CANCELLED for c in certificates if c.id in ever_cancelled)


def test_the_store_refuses_the_second_of_two_saves_of_the_same_book(settings):
    app = open_event_store(settings)
    try:
        book = CertificateBook.open(on(actor=None), TODAY.year)
        app.save(book)
        first, second = (app.repository.get(book.id) for _ in range(2))
        first.allocate(on(), uuid4())
        second.allocate(on(), uuid4())
        app.save(first)
        with pytest.raises(IntegrityError):
            app.save(second)
        assert app.repository.get(book.id).numbers == first.numbers
    finally:
        app.close()


def test_a_check_code_is_80_bits_of_base32_per_kind_and_read_as_typed():
    import hashlib
    import hmac

    from backend.kernel.codes import check_code, check_code_valid, check_lookup

    def digest(value: str) -> str:
        return hmac.new(b"pepper", value.encode(), hashlib.sha256).hexdigest()

    target = uuid4()
    code = check_code(digest, "workload-certificate", target)
    assert len(code) == 16 and set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert code != check_code(digest, "volunteer-certificate", target), "two kinds never share a code"
    typed = "-".join(code[i : i + 4] for i in range(0, 16, 4)).lower()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)  # full-width, as a Chinese keyboard may send it
    assert all(check_code_valid(digest, "workload-certificate", target, t) for t in (code, typed, wide))
    assert check_lookup(typed) == check_lookup(code) != check_lookup(code[:-1] + ("A" if code[-1] != "A" else "B"))
    assert not check_code_valid(digest, "workload-certificate", uuid4(), code)
