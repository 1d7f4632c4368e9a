"""Convocations on a real database (both passes), with the meetings' store replaced by an
in-memory gateway: the notice rule, emergencies, idempotency, versions, the outbox rows,
the printable batch, the acknowledgement link and proxy answers, a real SMTP server,
and the calendar feeds parsed with icalendar."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from domain.errors import InvalidInput, InvalidState, NotFound, RuleBroken
from domain.meetings import AgendaItem, Meeting, MeetingStatus, convene
from service.audit import Actor
from service.reunions import calendars
from service.reunions.store_convocations import ConvocationStore
from service.reunions.usecases import acknowledgements as ack
from service.reunions.usecases import convocation_post as post
from service.reunions.usecases import convocations as conv
from service.reunions.usecases.convocation_inputs import Recipient
from tests.conftest import World

pytestmark = pytest.mark.anyio
PARIS = ZoneInfo("Europe/Paris")
ACTOR = Actor.system("test")


class FakeMeetings:
    def __init__(self, meetings: list[Meeting], members: list[Recipient], agenda: list[AgendaItem]) -> None:
        self.meetings = {m.id: m for m in meetings}
        self.members = members
        self.items = agenda
        self.saved: list[Meeting] = []

    async def get_meeting(self, reunion_id: int) -> Meeting:
        if reunion_id not in self.meetings:
            raise NotFound("Réunion introuvable.")
        return self.meetings[reunion_id]

    async def agenda(self, reunion_id: int) -> list[AgendaItem]:
        return [i for i in self.items if i.meeting_id == reunion_id]

    async def list_meetings(self, council_id: int) -> list[Meeting]:
        return [m for m in self.meetings.values() if m.council_id == council_id]

    async def before_sending(self, meeting: Meeting, sent_on: date) -> None:
        return None

    async def mark_convened(self, actor: Any, meeting: Meeting, sent_on: date, motif: str) -> Meeting:
        after = dataclasses.replace(convene(meeting, motif, sent_on), version=meeting.version + 1)
        self.meetings[after.id] = after
        self.saved.append(after)
        return after

    async def recipients(self, council_id: int, on: date, include_suppleants: bool) -> list[Recipient]:
        return list(self.members)


def _members() -> list[Recipient]:
    return [
        Recipient(1, "Madame", "Awa", "Diallo", "titulaire", email="awa@exemple.fr"),
        Recipient(2, "Monsieur", "Jérôme", "Martin", "titulaire", email="jerome@exemple.fr"),
        Recipient(3, "Madame", "Lætitia", "Nguyễn", "titulaire",
                  address=("Madame Lætitia NGUYỄN", "12 RUE DES LILAS", "37000 TOURS"), postal_key=("37000", "B")),
        Recipient(4, "Monsieur", "Karim", "Ben Saïd", "titulaire",
                  address=("Monsieur Karim BEN SAÏD", "3 PLACE DE LA MAIRIE", "13000 MARSEILLE"), postal_key=("13000", "A")),
    ]


@pytest.fixture
async def setup(ctx: Any, world: World, monkeypatch: pytest.MonkeyPatch) -> FakeMeetings:
    council = world.ids["council_a"]
    meetings = [
        Meeting(id=1, council_id=council, titre="Séance plénière de mars",
                debut=datetime(2026, 3, 8, 18, 0, tzinfo=PARIS), fin=datetime(2026, 3, 8, 20, 0, tzinfo=PARIS),
                lieu="Maison de quartier", publique=True),
        Meeting(id=2, council_id=council, titre="Bureau",
                debut=datetime(2026, 3, 7, 18, 0, tzinfo=PARIS), fin=datetime(2026, 3, 7, 19, 0, tzinfo=PARIS)),
        Meeting(id=3, council_id=council, titre="Assemblée annulée",
                debut=datetime(2026, 4, 7, 18, 0, tzinfo=PARIS), fin=datetime(2026, 4, 7, 19, 0, tzinfo=PARIS),
                publique=True, status=MeetingStatus.ANNULEE, sequence=4),
    ]
    agenda = [
        AgendaItem(10, 1, None, 1, "Adoption du compte rendu", "Présidente", 10),
        AgendaItem(11, 1, None, 2, "Rénovation urbaine", "Karim Ben Saïd", 45),
        AgendaItem(12, 1, 11, 1, "Jardins partagés", "", 15),
    ]
    fake = FakeMeetings(meetings, _members(), agenda)
    for module in (conv, ack, calendars, post):
        monkeypatch.setattr(module, "gateway", lambda _ctx: fake)
    return fake


def _smtp(ctx: Any, url: str = "smtp://127.0.0.1:1") -> None:
    ctx.settings = ctx.settings.with_(smtp_url=url, public_base_url="https://conseil.exemple.fr")


# --- notice rule -----------------------------------------------------------------------


async def test_notice_too_short_is_refused_with_the_days_counted(ctx: Any, setup: FakeMeetings) -> None:
    # Sent Mon 2 Mar, meeting Sat 7 Mar: 4 clear days, 5 required.
    with pytest.raises(RuleBroken) as err:
        await conv.send_convocations(ctx, ACTOR, 2)
    assert err.value.code == "delai-convocation"
    assert "4 jours francs" in err.value.detail and "5 jours francs" in err.value.detail
    assert await ConvocationStore(ctx.db).convocations(2) == []
    assert setup.saved == []


async def test_emergency_needs_a_reason_and_the_reason_is_kept(ctx: Any, setup: FakeMeetings) -> None:
    with pytest.raises(InvalidInput) as err:
        await conv.send_convocations(ctx, ACTOR, 2, urgence=True, motif="  ")
    assert err.value.field == "motif"
    report = await conv.send_convocations(ctx, ACTOR, 2, urgence=True, motif="Avis demandé par la préfecture")
    assert report.urgence and report.clear_days == 4 and report.convened == 4
    assert setup.meetings[2].status is MeetingStatus.CONVOQUEE
    assert setup.meetings[2].urgence_motif == "Avis demandé par la préfecture"
    (round_,) = await ConvocationStore(ctx.db).rounds(2)
    assert round_.urgence and round_.motif == "Avis demandé par la préfecture"


async def test_emergency_still_needs_one_clear_day(ctx: Any, setup: FakeMeetings, clock: Any) -> None:
    clock.now = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # Fri 6 → Sat 7: 0 clear day
    with pytest.raises(RuleBroken) as err:
        await conv.send_convocations(ctx, ACTOR, 2, urgence=True, motif="Urgence")
    assert err.value.code == "delai-convocation"


# --- sending, idempotency, versions ------------------------------------------------------


async def test_each_member_gets_one_convocation_by_mail_or_post(ctx: Any, setup: FakeMeetings) -> None:
    from service.audit.tables import AuditEvent

    _smtp(ctx)
    report = await conv.send_convocations(ctx, ACTOR, 1)
    assert (report.version, report.convened, report.by_email, report.by_post) == (1, 4, 2, 2)
    rows = await conv.list_convocations(ctx, 1)
    assert [r.membre_id for r in rows] == [1, 2, 3, 4]
    store = ConvocationStore(ctx.db)
    for r in rows:
        pdf = await store.pdf(r.id)
        assert pdf is not None and hashlib.sha256(pdf).hexdigest() == r.sha256
        assert (r.channel == "email") == (r.outbox_id is not None)
    from service.outbox.usecases import statuses

    st = await statuses(ctx.db, [f"convocation:{r.id}" for r in rows if r.channel == "email"])
    assert len(st) == 2 and all(s.state == "en_attente" for s in st.values())
    (event,) = await AuditEvent.select().where(AuditEvent.action == "reunion.convocations").output(load_json=True)
    sent = {e["membre"]: e for e in event["details"]["envois"]}
    assert sent[3]["canal"] == "courrier" and sent[1]["sha256"] == rows[0].sha256
    assert "exemple.fr" not in str(event["details"])


async def test_without_smtp_everyone_is_in_the_printable_batch_in_mail_room_order(ctx: Any, setup: FakeMeetings) -> None:
    report = await conv.send_convocations(ctx, ACTOR, 1)
    assert report.by_post == 4 and report.by_email == 0
    pdf = await post.printable(ctx, 1)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    # Members without an address last; Marseille (13000) before Tours (37000).
    assert text.index("BEN SAÏD") < text.index("NGUYỄN") < text.index("DIALLO")
    assert len(reader.pages) % 2 == 0
    assert await post.mark_posted(ctx, ACTOR, 1) == 4
    assert all(r.sent_at == ctx.now() for r in await conv.list_convocations(ctx, 1))


async def test_a_second_call_without_change_convenes_nobody_twice(ctx: Any, setup: FakeMeetings) -> None:
    first = await conv.send_convocations(ctx, ACTOR, 1)
    again = await conv.send_convocations(ctx, ACTOR, 1)
    assert first.convened == 4 and (again.convened, again.already, again.version) == (0, 4, 1)
    assert len(await conv.list_convocations(ctx, 1, all_versions=True)) == 4
    # A member who joined since is convened alone, in the same version.
    setup.members.append(Recipient(5, "Madame", "Zoë", "Petit", "titulaire"))
    late = await conv.send_convocations(ctx, ACTOR, 1)
    assert (late.convened, late.version, late.without_contact) == (1, 1, (5,))


async def test_the_unique_key_refuses_a_member_convened_twice(ctx: Any, setup: FakeMeetings) -> None:
    from service.reunions.store_convocations import NewConvocation

    await conv.send_convocations(ctx, ACTOR, 1)
    store = ConvocationStore(ctx.db)
    with pytest.raises(Exception):  # noqa: B017 — IntegrityError of either driver
        async with ctx.db.transaction():
            await store.insert_many(reunion_id=1, council_id=1, version=1, at=ctx.now(), items=[
                NewConvocation(1, "courrier", "0" * 64, b"%PDF", "f" * 64)])


async def test_a_change_sends_a_new_version_that_says_what_changed(ctx: Any, setup: FakeMeetings) -> None:
    _smtp(ctx)
    await conv.send_convocations(ctx, ACTOR, 1)
    old = {r.membre_id: r for r in await conv.list_convocations(ctx, 1)}
    m = setup.meetings[1]
    setup.meetings[1] = dataclasses.replace(m, lieu="Salle des fêtes", debut=m.debut.replace(hour=18, minute=30))
    report = await conv.send_convocations(ctx, ACTOR, 1)
    assert report.new_version and report.version == 2 and report.convened == 4
    assert any("lieu : Salle des fêtes" in c for c in report.changes)
    assert any("horaire" in c and "18\u00a0h\u00a030" in c for c in report.changes)
    everything = await conv.list_convocations(ctx, 1, all_versions=True)
    assert len(everything) == 8
    current = {r.membre_id: r for r in await conv.list_convocations(ctx, 1)}
    for mid, r in old.items():
        replaced = next(x for x in everything if x.id == r.id)
        assert replaced.replaced_by == current[mid].id and current[mid].version == 2
    pdf = await ConvocationStore(ctx.db).pdf(current[3].id)
    assert pdf is not None
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "remplace la précédente" in text and "Salle des fêtes" in text


async def test_a_cancelled_meeting_cannot_be_convened(ctx: Any, setup: FakeMeetings) -> None:
    with pytest.raises(InvalidState):
        await conv.send_convocations(ctx, ACTOR, 3)


# --- the acknowledgement link ----------------------------------------------------------


async def _tokens(ctx: Any, setup: FakeMeetings, monkeypatch: pytest.MonkeyPatch) -> dict[int, str]:
    """Convene meeting 1 and catch each member's token as it is drawn."""
    seen: list[str] = []
    real = conv.secrets.token_urlsafe

    def spy(n: int) -> str:
        token = real(n)
        seen.append(token)
        return token

    monkeypatch.setattr(conv.secrets, "token_urlsafe", spy)
    await conv.send_convocations(ctx, ACTOR, 1)
    monkeypatch.setattr(conv.secrets, "token_urlsafe", real)
    return dict(zip([1, 2, 3, 4], seen, strict=True))


async def test_acknowledging_is_recorded_once(ctx: Any, setup: FakeMeetings, clock: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from service.audit.tables import AuditEvent

    tokens = await _tokens(ctx, setup, monkeypatch)
    first_time = ctx.now()
    view = await ack.open_link(ctx, tokens[3])  # merely opening records nothing
    assert view.acknowledged_at is None and view.member_name == "Lætitia Nguyễn"
    assert {c.membre_id for c in view.colleagues} == {1, 2, 4}
    assert (await ack.acknowledge(ctx, tokens[3])).acknowledged_at == first_time
    clock.advance(hours=1)
    assert (await ack.acknowledge(ctx, tokens[3])).acknowledged_at == first_time
    assert (await ack.open_link(ctx, tokens[3])).acknowledged_at == first_time
    events = await AuditEvent.select().where(AuditEvent.action == "reunion.convocation.accuse")
    assert len(events) == 1
    with pytest.raises(NotFound):
        await ack.acknowledge(ctx, "jeton-inconnu")


async def test_answers_and_proxy_rules(ctx: Any, setup: FakeMeetings, monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = await _tokens(ctx, setup, monkeypatch)
    view = await ack.answer(ctx, tokens[1], "present")
    assert view.answer == "present" and view.acknowledged_at is not None
    with pytest.raises(InvalidInput):
        await ack.answer(ctx, tokens[2], "peut-etre")
    with pytest.raises(RuleBroken) as err:
        await ack.answer(ctx, tokens[2], "pouvoir", 2)
    assert err.value.code == "pouvoir-a-soi-meme"
    with pytest.raises(InvalidInput) as err2:
        await ack.answer(ctx, tokens[2], "pouvoir", 99)
    assert err2.value.field == "porteur_id"
    await ack.answer(ctx, tokens[4], "absent_excuse")
    with pytest.raises(RuleBroken) as err:
        await ack.answer(ctx, tokens[2], "pouvoir", 4)
    assert err.value.code == "pouvoir-a-un-absent"
    view = await ack.answer(ctx, tokens[2], "pouvoir", 1)
    assert view.proxy_holder_id == 1 and view.proxy_holder_name == "Awa Diallo"
    with pytest.raises(RuleBroken) as err:
        await ack.answer(ctx, tokens[3], "pouvoir", 1)
    assert err.value.code == "pouvoir-deja-detenu"
    # The holder cannot quietly drop the proxy by saying they will be absent.
    with pytest.raises(InvalidState):
        await ack.answer(ctx, tokens[1], "absent_excuse")


async def test_a_replaced_convocation_link_no_longer_answers(ctx: Any, setup: FakeMeetings,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = await _tokens(ctx, setup, monkeypatch)
    setup.meetings[1] = dataclasses.replace(setup.meetings[1], lieu="Ailleurs")
    await conv.send_convocations(ctx, ACTOR, 1)
    assert (await ack.open_link(ctx, tokens[1])).replaced
    with pytest.raises(InvalidState):
        await ack.answer(ctx, tokens[1], "present")


# --- a real SMTP server ----------------------------------------------------------------


async def test_the_convocation_mail_arrives_with_its_pdf_and_invitation(ctx: Any, setup: FakeMeetings) -> None:
    from service.outbox.usecases import send_due
    from tests.smtp_support import smtp_server

    with smtp_server() as (rec, url):
        _smtp(ctx, url)
        await conv.send_convocations(ctx, ACTOR, 1)
        report = await send_due(ctx, "w1")
    assert report.sent == 2
    by_to = {r.rcpt_tos[0]: r.message for r in rec.received}
    msg = by_to["awa@exemple.fr"]
    assert msg["Subject"].startswith("Convocation : Séance plénière de mars")
    body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Vous êtes convoquée" in body and "https://conseil.exemple.fr/convocations/" in body
    assert "2.1. Jardins partagés" in body
    parts = {p.get_filename(): p for p in msg.iter_attachments()}
    pdf = parts["convocation-2026-03-08.pdf"].get_content()
    (row,) = [r for r in await conv.list_convocations(ctx, 1) if r.membre_id == 1]
    assert hashlib.sha256(pdf).hexdigest() == row.sha256
    ics = parts["invitation.ics"]
    assert ics.get_param("method") == "REQUEST"
    cal = Calendar.from_ical(ics.get_payload(decode=True))
    assert str(cal["METHOD"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == "reunion-1@conseil.exemple.fr"
    assert event.decoded("DTSTART") == datetime(2026, 3, 8, 18, 0, tzinfo=PARIS)


# --- calendars ---------------------------------------------------------------------------


async def test_public_feed_lists_public_meetings_with_cancellations(ctx: Any, setup: FakeMeetings) -> None:
    data = await calendars.public_feed(ctx, setup.meetings[1].council_id)
    cal = Calendar.from_ical(data)
    events = {str(e["SUMMARY"]).split(" — ")[0]: e for e in cal.walk("VEVENT")}
    assert set(events) == {"Séance plénière de mars", "Assemblée annulée"}
    assert str(events["Assemblée annulée"]["STATUS"]) == "CANCELLED"
    assert int(events["Assemblée annulée"]["SEQUENCE"]) == 4
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"


async def test_personal_feed_is_secret_revocable_and_extensible(ctx: Any, setup: FakeMeetings) -> None:
    from service.documents.ics import CalendarEvent

    await conv.send_convocations(ctx, ACTOR, 1)
    council = setup.meetings[1].council_id
    link = await calendars.regenerate_link(ctx, ACTOR, council, 3)
    token = link.url.rsplit("/", 1)[1]
    assert token.endswith(".ics")

    async def trainings(_ctx: Any, membre_id: int) -> list[CalendarEvent]:
        start = datetime(2026, 4, 1, 9, 0, tzinfo=PARIS)
        return [CalendarEvent(uid=f"formation-1-{membre_id}@x", sequence=0, start=start,
                              end=start + timedelta(hours=3), summary="Formation")]

    calendars.event_provider(trainings)
    try:
        cal = Calendar.from_ical(await calendars.personal_feed(ctx, token))
    finally:
        calendars._PROVIDERS.remove(trainings)
    uids = sorted(str(e["UID"]) for e in cal.walk("VEVENT"))
    assert uids == ["formation-1-3@x", f"reunion-1@{ctx.settings.public_base_url.split('//')[1].split(':')[0]}"]
    new = await calendars.regenerate_link(ctx, ACTOR, council, 3)
    with pytest.raises(NotFound):
        await calendars.personal_feed(ctx, token)
    await calendars.personal_feed(ctx, new.url.rsplit("/", 1)[1])
    await calendars.revoke_link(ctx, ACTOR, council, 3)
    with pytest.raises(NotFound):
        await calendars.personal_feed(ctx, new.url.rsplit("/", 1)[1])


async def test_two_secretaries_sending_at_once_convene_each_member_once(ctx: Any, setup: FakeMeetings) -> None:
    import asyncio

    from domain.errors import Conflict

    results = await asyncio.gather(
        conv.send_convocations(ctx, ACTOR, 1), conv.send_convocations(ctx, ACTOR, 1), return_exceptions=True
    )
    ok = [r for r in results if isinstance(r, conv.ConvocationReport)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, Conflict) for r in refused), refused
    assert sum(r.convened for r in ok) == 4
    assert len(await conv.list_convocations(ctx, 1, all_versions=True)) == 4
    assert len(await ConvocationStore(ctx.db).rounds(1)) == 1


async def test_the_board_says_each_members_state_in_french(ctx: Any, setup: FakeMeetings,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from service.reunions.usecases import convocation_board as board_uc

    monkeypatch.setattr(board_uc, "gateway", lambda _ctx: setup)
    _smtp(ctx)
    tokens = await _tokens(ctx, setup, monkeypatch)
    await ack.answer(ctx, tokens[2], "pouvoir", 1)
    board = await board_uc.convocation_board(ctx, 1)
    by = {x.membre_id: x for x in board.lines}
    assert board.version == 1 and board.to_post == 2
    assert (by[1].channel_label, by[1].state, by[1].state_label) == ("courriel", "en_attente", "en attente")
    assert by[3].state_label == "à poster" and by[2].answer_label == "pouvoir donné à Awa Diallo"
    assert by[2].acknowledged_at is not None and by[1].acknowledged_at is None
    await post.mark_posted(ctx, ACTOR, 1)
    board = await board_uc.convocation_board(ctx, 1)
    assert board.to_post == 0 and not any(x.late for x in board.lines)


async def test_a_mail_that_left_too_late_is_flagged(ctx: Any, setup: FakeMeetings, clock: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from service.outbox.usecases import send_due
    from service.reunions.usecases import convocation_board as board_uc
    from tests.smtp_support import smtp_server

    monkeypatch.setattr(board_uc, "gateway", lambda _ctx: setup)
    _smtp(ctx)
    await conv.send_convocations(ctx, ACTOR, 1)  # Mon 2 March: 5 clear days before Sun 8
    clock.now = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # the server was down until Wed 4
    with smtp_server() as (_rec, url):
        _smtp(ctx, url)
        await send_due(ctx, "w1")
    late = {x.membre_id: x.late for x in (await board_uc.convocation_board(ctx, 1)).lines}
    assert late == {1: True, 2: True, 3: False, 4: False}


async def test_audit_head_for_published_documents(ctx: Any, setup: FakeMeetings) -> None:
    from service import audit

    before = await audit.current_head()
    await conv.send_convocations(ctx, ACTOR, 1)
    after = await audit.current_head()
    assert after["seq"] == before["seq"] + 1 and after["hash"] != before["hash"] and len(after["hash"]) == 64
