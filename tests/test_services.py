"""Service bookings against the real stores: a provider's weekly schedule, bookings under real thread concurrency
(two runners standing for two processes), the waitlist, reschedules, the provider's day, no-shows, ratings and
rates, reminders kept across a restart and pushed (encrypted) to a local push endpoint, and a rebuild that equals
the incremental views. Bad input writes nothing."""

from __future__ import annotations

import base64
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, time, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from uuid import UUID

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from backend.contexts import PASSES
from backend.inbox import commands as inbox_commands
from backend.inbox.rounds import push_notifications
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.runner import CommandRunner
from backend.kernel.store import open_event_store
from backend.runtime import Runtime
from backend.services import commands
from backend.services.domain.rules import BookingRules
from backend.services.domain.schedule import Schedule
from backend.services.domain.slot import Slot
from backend.services.rounds import remind_bookings
from projections.inbox import queries as inbox
from projections.services import queries as views
from tests.conftest import NOW
from tests.factories import community, count_topic, grant, snapshot

DAY = date(2026, 11, 3)  # a Tuesday, two days after NOW (2026-11-01 17:00 in China)


def schedule(capacity: int = 2, weeks: int = 1, opens: time = time(9), closes: time = time(11), place: str = "卫生站"):
    return Schedule(DAY, weeks, frozenset({1}), opens, closes, 30, capacity, place)


def as_resident(place, index: int, now=NOW) -> Ctx:
    return Ctx(place.community_id, place.residents[index], now)


async def setup(rt, residents: int = 5, capacity: int = 2, rules: BookingRules | None = None, **kw):
    """Resident 0 is the clerk who keeps the catalog; resident 1 acts for the clinic, whose family-doctor service
    has four 30-minute slots on Tuesday morning. Residents 2… book."""
    place = await community(rt, NOW, residents=residents, passwords=False)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "service_provider", now=NOW)
    clerk, provider = as_resident(place, 0), as_resident(place, 1)
    made = await commands.create_provider(rt, clerk, "幸福里卫生服务站", "")
    provider_id = UUID(made.result["provider_id"])
    await commands.add_member(rt, as_resident(place, 0), provider_id, place.residents[1])
    made = await commands.create_service(
        rt, as_resident(place, 0), provider_id, "家庭医生坐诊", "doctor", "量血压、开药", rules or BookingRules()
    )
    service_id = UUID(made.result["service_id"])
    await commands.publish_schedule(rt, provider, service_id, schedule(capacity, **kw))
    slots = [UUID(str(s["id"])) for s in await views.slots_of(service_id, NOW)]
    return place, provider_id, service_id, slots


async def test_a_weekly_schedule_yields_its_slots_and_an_overlapping_one_is_refused(runtime):
    place, _, service_id, _ = await setup(runtime)
    rows = await views.slots_of(service_id, NOW)
    assert len(rows) == 4 and rows[0]["capacity"] == 2 and rows[0]["place"] == "卫生站"
    assert [r["starts_at"].hour for r in rows] == [1, 1, 2, 2]  # 09:00 … 10:30 in China = 01:00 … 02:30 UTC
    before = runtime.event_count()
    with pytest.raises(DomainError, match="overlap"):
        await commands.publish_schedule(
            runtime, as_resident(place, 1), service_id, schedule(opens=time(10, 15), closes=time(12))
        )
    with pytest.raises(DomainError, match="slot must fit"):
        await commands.publish_schedule(
            runtime,
            as_resident(place, 1),
            service_id,
            Schedule(DAY, 1, frozenset({1}), time(14), time(14, 20), 30, 1, ""),
        )
    assert runtime.event_count() == before
    with pytest.raises(DomainError) as refused:
        await commands.publish_schedule(runtime, as_resident(place, 2), service_id, schedule(opens=time(14)))
    assert refused.value.status == 403, "only the service's provider publishes"


async def test_the_last_seat_then_the_waitlist_and_a_cancellation_promotes_exactly_one(runtime):
    place, _, _, slots = await setup(runtime, residents=6, capacity=1)
    assert (await commands.book(runtime, as_resident(place, 2), slots[0], "血压偏高")).result["status"] == "confirmed"
    before = runtime.event_count()
    with pytest.raises(DomainError, match="full"):
        await commands.book(runtime, as_resident(place, 3), slots[0])
    assert runtime.event_count() == before
    for index in (3, 4):
        done = await commands.book(runtime, as_resident(place, index), slots[0], waitlist=True)
        assert done.result["status"] == "waitlisted"
    assert await views.waitlist_place(slots[0], place.residents[4]) == 2
    await commands.cancel(runtime, as_resident(place, 2), slots[0])
    mine = {i: (await views.statuses([slots[0]], place.residents[i]))[str(slots[0])] for i in (2, 3, 4)}
    assert mine == {2: "cancelled", 3: "confirmed", 4: "waitlisted"}
    assert count_topic(runtime, Slot.Promoted) == 1
    row = await views.slot(slots[0])
    assert (row["booked"], row["waitlisted"]) == (1, 1), "one seat freed, one taken from the waitlist"
    notes = await inbox.notifications(place.residents[3])
    assert [n["kind"] for n in notes] == ["promoted"]
    assert await inbox.unread(place.residents[3]) == 1


async def test_a_waiting_resident_who_no_longer_fits_is_passed_over_with_the_reason(runtime):
    place, _, _, slots = await setup(runtime, residents=6, capacity=1)
    await commands.book(runtime, as_resident(place, 2), slots[0])
    await commands.book(runtime, as_resident(place, 3), slots[0], waitlist=True)
    await commands.book(runtime, as_resident(place, 4), slots[0], waitlist=True)
    await commands.book(runtime, as_resident(place, 3), slots[1])
    await commands.book(runtime, as_resident(place, 3), slots[2])  # two bookings this week: the service's limit
    await commands.cancel(runtime, as_resident(place, 2), slots[0])
    assert (await views.statuses([slots[0]], place.residents[3]))[str(slots[0])] == "passed"
    assert (await views.statuses([slots[0]], place.residents[4]))[str(slots[0])] == "confirmed"
    assert count_topic(runtime, Slot.Promoted) == 1 and count_topic(runtime, Slot.Passed) == 1


async def test_500_concurrent_attempts_never_exceed_the_capacity(runtime, settings):
    """250 residents each try twice at once on a 20-seat slot through two runners (two processes): 20 seats, the
    rest on the waitlist up to its length (100), everybody else refused; nobody holds two places."""
    place, _, _, slots = await setup(runtime, residents=252, capacity=20)
    other = CommandRunner(open_event_store(settings))
    residents = place.residents[2:]

    def attempt(n: int) -> str:
        ctx = Ctx(place.community_id, residents[n % 250], NOW)
        runner = runtime.commands if n % 2 else other
        try:
            return runner.run("slot.book", ctx, slots[0], commands.book_action(ctx, slots[0], "", True)).result[
                "status"
            ]
        except DomainError as error:
            return error.message

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(attempt, range(500)))
    assert results.count("confirmed") == 20
    assert results.count("waitlisted") == 100
    assert results.count("You have already booked this slot.") == 120  # the second try of those who got in
    assert results.count("The waitlist of this slot is full.") == 260  # both tries of the other 130
    await runtime.projector.wait_for(runtime.event_count(), timeout=30)
    row = await views.slot(slots[0])
    assert (row["booked"], row["waitlisted"]) == (20, 100)
    assert count_topic(runtime, Slot.Booked) == 20


async def test_one_resident_never_holds_two_overlapping_bookings_even_at_once(runtime, settings):
    """Each of 40 residents books a doctor's slot and an overlapping repair visit at the same instant, through two
    runners: exactly one of the two lands for each."""
    place, provider_id, _, slots = await setup(runtime, residents=42, capacity=50)
    repair = await commands.create_service(
        runtime, as_resident(place, 0), provider_id, "水电维修", "repair", "上门维修", BookingRules()
    )
    repair_id = UUID(repair.result["service_id"])
    await commands.publish_schedule(
        runtime, as_resident(place, 1), repair_id, Schedule(DAY, 1, frozenset({1}), time(9), time(10), 60, 50, "")
    )
    visit = UUID(str((await views.slots_of(repair_id, NOW))[0]["id"]))
    other = CommandRunner(open_event_store(settings))

    def attempt(n: int) -> str:
        ctx = Ctx(place.community_id, place.residents[2 + n // 2], NOW)
        slot = slots[0] if n % 2 else visit
        runner = runtime.commands if n % 4 < 2 else other
        try:
            return runner.run("slot.book", ctx, slot, commands.book_action(ctx, slot, "", False)).result["status"]
        except DomainError as error:
            return error.message

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(attempt, range(80)))
    assert results.count("confirmed") == 40
    assert results.count("You already have a booking at this time.") == 40
    await runtime.projector.wait_for(runtime.event_count(), timeout=20)
    for resident in place.residents[2:]:
        held = await views.statuses([slots[0], visit], resident)
        assert list(held.values()) == ["confirmed"]


async def test_booking_rules_refuse_clearly_and_write_nothing(runtime):
    rules = BookingRules(min_notice_hours=48, cancel_hours=24, per_week=1)
    place, _, service_id, slots = await setup(runtime, residents=5, rules=rules)
    before = runtime.event_count()
    with pytest.raises(DomainError, match="48 hours ahead"):  # Tue 09:00 is 40 hours after Sun 17:00
        await commands.book(runtime, as_resident(place, 2), slots[0])
    with pytest.raises(DomainError, match="in the past"):
        await commands.book(runtime, as_resident(place, 2, NOW + timedelta(days=3)), slots[0])
    with pytest.raises(DomainError, match="200 characters"):
        await commands.book(runtime, as_resident(place, 2), slots[0], "长" * 201)
    assert runtime.event_count() == before
    await commands.change_rules(runtime, as_resident(place, 0), service_id, BookingRules(2, 24, 1))
    await commands.book(runtime, as_resident(place, 2), slots[0])
    elsewhere = await community(runtime, NOW, code="other", residents=1, passwords=False)
    before = runtime.event_count()
    with pytest.raises(DomainError, match="limit of bookings for that week"):
        await commands.book(runtime, as_resident(place, 2), slots[2])
    with pytest.raises(DomainError, match="until 24 hours before"):
        await commands.cancel(runtime, as_resident(place, 2, NOW + timedelta(hours=20)), slots[0])
    with pytest.raises(DomainError, match="No such slot") as refused:
        await commands.book(runtime, as_resident(elsewhere, 0), slots[1])
    assert refused.value.status == 404
    with pytest.raises(DomainError, match="Only a booking marked done"):
        await commands.rate(runtime, as_resident(place, 2), slots[0], 5, "")
    assert runtime.event_count() == before


async def test_a_reschedule_moves_the_booking_and_frees_the_old_seat_for_the_waitlist(runtime):
    place, _, _, slots = await setup(runtime, residents=5, capacity=1)
    await commands.book(runtime, as_resident(place, 2), slots[0], "复诊")
    await commands.book(runtime, as_resident(place, 3), slots[0], waitlist=True)
    await commands.book(runtime, as_resident(place, 4), slots[1])
    before = runtime.event_count()
    with pytest.raises(DomainError, match="full"):
        await commands.reschedule(runtime, as_resident(place, 2), slots[0], slots[1])
    assert runtime.event_count() == before, "the full target leaves the old booking and the waitlist as they were"
    await commands.reschedule(runtime, as_resident(place, 2), slots[0], slots[2])
    statuses = await views.statuses(slots, place.residents[2])
    assert statuses == {str(slots[0]): "cancelled", str(slots[2]): "confirmed"}
    assert (await views.statuses([slots[0]], place.residents[3]))[str(slots[0])] == "confirmed"
    moved = await views.booking(
        next(r["id"] for r in await views.my_bookings(place.residents[2], NOW) if r["slot_id"] == slots[2])
    )
    assert moved["note"] == "复诊"


async def test_the_provider_confirms_marks_done_and_no_shows_limit_bookings(runtime):
    rules = BookingRules(min_notice_hours=0, cancel_hours=0, per_week=20, confirm=True)
    place, _, service_id, slots = await setup(runtime, residents=5, capacity=2, rules=rules, weeks=5)
    provider = as_resident(place, 1)
    assert (await commands.book(runtime, as_resident(place, 2), slots[0])).result["status"] == "pending"
    await commands.book(runtime, as_resident(place, 3), slots[0])
    await commands.confirm(runtime, provider, slots[0], place.residents[2])
    await commands.decline(runtime, provider, slots[0], place.residents[3], "医生临时出诊")
    with pytest.raises(DomainError, match="from 30 minutes before its slot"):
        await commands.complete(runtime, provider, slots[0], place.residents[2], no_show=False)
    started = (await views.slot(slots[0]))["starts_at"] + timedelta(minutes=5)
    await commands.complete(
        runtime, Ctx(place.community_id, place.residents[1], started), slots[0], place.residents[2], no_show=False
    )
    await commands.rate(runtime, as_resident(place, 2, started), slots[0], 5, "很耐心")
    with pytest.raises(DomainError, match="rated this booking already"):
        await commands.rate(runtime, as_resident(place, 2, started), slots[0], 4, "")
    rates = (await views.rates(place.community_id, started))[str(service_id)]
    assert (rates["response"], rates["completion"], rates["satisfaction"]) == (100, 100, 100)
    assert [n["kind"] for n in await inbox.notifications(place.residents[3])] == ["declined"]
    # Three no-shows (the rulebook's default) and resident 4 cannot book for a while.
    later = [s for s in await views.slots_of(service_id, NOW)][4::4][:4]
    for slot in later[:3]:
        row = await views.slot(slot["id"])
        await commands.book(runtime, as_resident(place, 4), row["id"])
        await commands.complete(
            runtime,
            Ctx(place.community_id, place.residents[1], row["starts_at"]),
            row["id"],
            place.residents[4],
            no_show=True,
        )
    when = later[2]["starts_at"] + timedelta(hours=1)
    with pytest.raises(DomainError, match="repeated no-shows"):
        await commands.book(runtime, as_resident(place, 4, when), later[3]["id"])
    rates = (await views.rates(place.community_id, when))[str(service_id)]
    assert rates["completion"] == 100, "no-shows are the resident's, not the provider's"


class FakePushService:
    """A local push service: records what it is sent, as a browser vendor's would."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()


def phone_keys() -> tuple[ec.EllipticCurvePrivateKey, str, bytes, str]:
    """A phone's subscription keys: its ECDH key pair and auth secret, as PushManager makes them."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    auth = os.urandom(16)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return private, b64(public), auth, b64(auth)


async def test_each_reminder_is_sent_exactly_once_across_a_restart_and_pushed_encrypted(runtime, settings):
    place, _, _, slots = await setup(runtime, residents=5, capacity=2)
    first = (await views.slot(slots[0]))["starts_at"]
    for index in (2, 3):
        await commands.book(runtime, as_resident(place, index), slots[0])
    await commands.book(runtime, as_resident(place, 4), slots[2])
    runtime.settings = replace(runtime.settings, push_local=True)  # the push service runs on this machine
    push = FakePushService()
    private, p256dh, auth, auth_b64 = phone_keys()
    await inbox_commands.subscribe(runtime, as_resident(place, 2), f"{push.url}/push/phone-2", p256dh, auth_b64)
    try:
        day_before = first - timedelta(hours=23)
        assert set(await remind_bookings(runtime, day_before)) == {slots[0], slots[2]}
        assert await remind_bookings(runtime, day_before + timedelta(minutes=1)) == []
        await runtime.projector.wait_for(runtime.event_count(), timeout=10)
        assert len(await push_notifications(runtime, day_before)) == 1
        await runtime.stop()  # the server restarts in the middle of the schedule

        again = Runtime(replace(settings, push_local=True), passes=PASSES)
        await again.start(run_projector=True)
        try:
            assert await remind_bookings(again, day_before + timedelta(minutes=5)) == []
            assert await push_notifications(again, day_before + timedelta(minutes=5)) == []
            hour_before = first - timedelta(minutes=50)
            assert await remind_bookings(again, hour_before) == [slots[0]]
            await again.projector.wait_for(again.event_count(), timeout=10)
            assert len(await push_notifications(again, hour_before)) == 1
            assert await remind_bookings(again, first - timedelta(minutes=10)) == []
            kinds = sorted(n["kind"] for n in await inbox.notifications(place.residents[2]))
            assert kinds == ["reminder_day", "reminder_hour"]
            assert count_topic(again, Slot.Reminded) == 5  # day: 2, 3, 4 (its slot starts an hour later); hour: 2, 3
        finally:
            await again.stop()
    finally:
        push.close()
    assert [path for path, _, _ in push.received] == ["/push/phone-2", "/push/phone-2"]
    titles = []
    for _, headers, body in push.received:
        assert headers["content-encoding"] == "aes128gcm" and headers["authorization"].startswith("vapid ")
        plain = http_ece.decrypt(body, private_key=private, auth_secret=auth, version="aes128gcm")
        titles.append(json.loads(plain)["title"])
    assert titles == ["明天：家庭医生坐诊", "一小时后：家庭医生坐诊"]


async def test_a_rebuild_gives_the_same_views(runtime):
    rules = BookingRules(min_notice_hours=0, cancel_hours=0, per_week=5, confirm=True)
    place, _, _, slots = await setup(runtime, residents=5, capacity=1, rules=rules)
    await commands.book(runtime, as_resident(place, 2), slots[0])
    await commands.book(runtime, as_resident(place, 3), slots[0], waitlist=True)
    await commands.confirm(runtime, as_resident(place, 1), slots[0], place.residents[2])
    await commands.cancel(runtime, as_resident(place, 2), slots[0])
    await commands.book(runtime, as_resident(place, 4), slots[1])
    await remind_bookings(runtime, (await views.slot(slots[0]))["starts_at"] - timedelta(hours=20))
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    before = await snapshot()
    await runtime.projector.stop()
    await runtime.projector.reset(["services", "inbox"])
    await runtime.projector.catch_up()
    assert await snapshot() == before, "a rebuild from zero equals the incremental result"
