"""The rules of the errands done for residents (全程代办) on the pure aggregate: steps only in order (documents,
handover, the office's answer, hand back, confirmation); no handover before every required document; more documents
sends it back to collecting; only the resident confirms, once; a confirmed errand changes no more. Hypothesis runs
random sequences of steps against a model of the rules. The catalog never needs a negative-list certificate from
the committee: each one its office may ask for says where to get it instead."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.workload.domain.certificate_lists import NATIONAL_CODES, NEGATIVE
from backend.workload.domain.errands import (
    APPROVED,
    CATALOG,
    COLLECTING,
    CONFIRMED,
    DECIDED,
    HANDED_BACK,
    MORE_DOCUMENTS,
    REFUSED,
    WITH_OFFICE,
    Errand,
)

COMMUNITY = uuid4()
CLERK, RESIDENT, OTHER = uuid4(), uuid4(), uuid4()
TODAY = date(2026, 12, 7)


def on(actor=CLERK, day: date = TODAY, for_whom=None) -> Ctx:
    now = datetime.combine(day, time(10), LOCAL_ZONE).astimezone(UTC)
    return Ctx(COMMUNITY, actor, now, on_behalf_of=for_whom)


def opened(code: str = "elder_allowance") -> Errand:
    return Errand.open(on(), uuid4(), RESIDENT, code)


def test_the_catalog_names_its_offices_documents_and_the_certificates_we_never_issue():
    assert {i.name for i in CATALOG.values()} == {
        "残疾证申领",
        "医保参保登记",
        "高龄津贴申请",
        "低保申请",
        "居住证办理",
    }
    for item in CATALOG.values():
        assert item.office and item.documents
        assert set(item.not_ours) <= NATIONAL_CODES
        assert all(f.side == NEGATIVE and f.instead for f in item.forbidden())
    alive = CATALOG["elder_allowance"].forbidden()
    assert [f.name for f in alive] == ["健在证明（生存证明）"] and "社会保险经办机构" in alive[0].instead


def test_a_whole_errand_in_order():
    errand = opened()
    with pytest.raises(DomainError, match="every required document"):
        errand.hand_over(on(), TODAY)
    for document in CATALOG["elder_allowance"].documents:
        errand.receive(on(), document)
    with pytest.raises(DomainError):
        errand.receive(on(), "身份证")  # twice
    with pytest.raises(DomainError):
        errand.receive(on(), "结婚证")  # not needed
    with pytest.raises(DomainError):
        errand.hand_over(on(), TODAY + timedelta(days=1))  # a day to come
    with pytest.raises(DomainError):
        errand.hand_over(on(), TODAY - timedelta(days=1))  # before it was opened
    errand.hand_over(on(), TODAY)
    assert errand.status == WITH_OFFICE
    with pytest.raises(DomainError, match="Say why"):
        errand.decide(on(), REFUSED, "")
    errand.decide(on(), MORE_DOCUMENTS, "补充银行卡复印件")
    assert errand.status == COLLECTING
    errand.hand_over(on(day=TODAY + timedelta(days=2)), TODAY + timedelta(days=1))
    errand.decide(on(), APPROVED)
    assert errand.status == DECIDED
    with pytest.raises(DomainError):
        errand.confirm(on(RESIDENT))  # not handed back yet
    errand.hand_back(on())
    with pytest.raises(DomainError, match="Only the resident"):
        errand.confirm(on())  # the clerk
    with pytest.raises(DomainError, match="Only the resident"):
        errand.confirm(on(CLERK, for_whom=RESIDENT))  # at the counter for them
    errand.confirm(on(RESIDENT))
    assert errand.status == CONFIRMED
    with pytest.raises(DomainError, match="confirmed already"):
        errand.confirm(on(RESIDENT))


def test_an_unknown_item_is_refused():
    with pytest.raises(DomainError, match="catalog"):
        Errand.open(on(), uuid4(), RESIDENT, "dog_licence")


STEP = st.sampled_from(
    ["receive", "receive_bad", "hand_over", "approve", "refuse", "more", "back", "confirm", "stranger"]
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(CATALOG)), st.lists(STEP, max_size=25), st.randoms(use_true_random=False))
def test_steps_only_in_order_and_a_closed_errand_changes_no_more(code, steps, rnd):
    errand = Errand.open(on(), uuid4(), RESIDENT, code)
    documents = list(CATALOG[code].documents)
    status, received = COLLECTING, set()
    for step in steps:
        pending = len(errand.pending_events)
        expected_ok: bool
        try:
            if step == "receive":
                document = rnd.choice(documents)
                expected_ok = status == COLLECTING and document not in received
                errand.receive(on(), document)
                received.add(document)
            elif step == "receive_bad":
                expected_ok = False
                errand.receive(on(), "不需要的材料")
            elif step == "hand_over":
                expected_ok = status == COLLECTING and received == set(documents)
                errand.hand_over(on(), TODAY)
                status = WITH_OFFICE
            elif step in ("approve", "refuse", "more"):
                expected_ok = status == WITH_OFFICE
                result = {"approve": APPROVED, "refuse": REFUSED, "more": MORE_DOCUMENTS}[step]
                errand.decide(on(), result, "" if result == APPROVED else "原因")
                status = COLLECTING if result == MORE_DOCUMENTS else DECIDED
            elif step == "back":
                expected_ok = status == DECIDED
                errand.hand_back(on())
                status = HANDED_BACK
            elif step == "confirm":
                expected_ok = status == HANDED_BACK
                errand.confirm(on(RESIDENT))
                status = CONFIRMED
            else:  # somebody else confirms: never
                expected_ok = False
                errand.confirm(on(OTHER))
        except DomainError:
            assert not expected_ok, (step, status)
            assert len(errand.pending_events) == pending, "a refused step emits nothing"
        else:
            assert expected_ok, (step, status)
            assert len(errand.pending_events) == pending + 1
        assert errand.status == status
    confirmations = [e for e in errand.collect_events() if isinstance(e, Errand.Confirmed)]
    assert len(confirmations) == (1 if status == CONFIRMED else 0)
