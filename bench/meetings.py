"""Meetings benchmarks: a 200-member council convened (one PDF per member, outbox rows
with the PDF and the .ics invitation, convocation rows and the audit event, in one
transaction on SQLite), its raw-reportlab baseline drawing the same pages, and a
calendar feed of 1,000 meetings."""

from __future__ import annotations

import asyncio
import io
import random
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.registry import bench

SEED = 20140221
N_MEMBERS = 200
PARIS = ZoneInfo("Europe/Paris")
FIRST = ["Lætitia", "Zoë", "Mohamed", "Chloé", "Aurélien", "Maëlys", "Jérôme", "Fatoumata", "Karim"]
LAST = ["Martin", "Ben Saïd", "Nguyễn", "Lefèvre", "Da Silva", "Kowalczyk", "N'Diaye", "Diallo"]


def _members(n: int) -> list[Any]:
    """n members: three in four with an e-mail, the others with a postal address."""
    from domain.adresse_postale import AdressePostale, cle_tri_postal, formater_adresse
    from service.reunions.usecases.convocation_inputs import Recipient

    rng = random.Random(SEED)
    out = []
    for i in range(n):
        female = rng.random() < 0.5
        civ = "Madame" if female else "Monsieur"
        prenom, nom = rng.choice(FIRST), rng.choice(LAST)
        if i % 4:
            out.append(Recipient(i + 1, civ, prenom, nom, "titulaire", email=f"membre{i + 1}@exemple.fr"))
            continue
        bloc = formater_adresse(AdressePostale(
            civilite=civ, prenom=prenom, nom=nom, numero=str(rng.randint(1, 120)),
            voie="rue des Lilas", code_postal=rng.choice(["37000", "37100"]), commune="Tours"))
        out.append(Recipient(i + 1, civ, prenom, nom, "titulaire", address=bloc.lines,
                             postal_key=tuple(cle_tri_postal(bloc))))
    return out


def _meeting(council_id: int) -> tuple[Any, list[Any]]:
    from domain.meetings import AgendaItem, Meeting

    meeting = Meeting(id=1, council_id=council_id, titre="Assemblée plénière de printemps",
                      debut=datetime(2026, 3, 12, 18, 30, tzinfo=PARIS), fin=datetime(2026, 3, 12, 21, 0, tzinfo=PARIS),
                      lieu="Salle des fêtes, 2 place de la Mairie, Tours")
    titles = ["Adoption du compte rendu de la séance précédente", "Rénovation urbaine : point d'étape",
              "Résidentialisation des bâtiments C et D", "Jardins partagés", "Budget participatif 2026",
              "Questions des habitants en attente de réponse"]
    agenda = [AgendaItem(10 + k, 1, 11 if k in (2, 3) else None, k + 1, t, "Rapporteur " + str(k + 1), 15 + 5 * k)
              for k, t in enumerate(titles)]
    return meeting, agenda


class _Meetings:
    """In-memory stand-in for the meetings' store: only the convocations are measured."""

    def __init__(self, meeting: Any, agenda: list[Any], members: list[Any]) -> None:
        self.meeting, self.items, self.members = meeting, agenda, members

    async def get_meeting(self, reunion_id: int) -> Any:
        return self.meeting

    async def agenda(self, reunion_id: int) -> list[Any]:
        return self.items

    async def list_meetings(self, council_id: int) -> list[Any]:
        return [self.meeting]

    async def before_sending(self, meeting: Any, sent_on: date) -> None:
        return None

    async def mark_convened(self, actor: Any, meeting: Any, sent_on: date, motif: str) -> Any:
        from domain.meetings import convene

        self.meeting = convene(meeting, motif, sent_on)
        return self.meeting

    async def recipients(self, council_id: int, on: date, include: bool) -> list[Any]:
        return self.members


async def _convene(work: Path) -> tuple[float, float, str]:
    from service import audit
    from service.audit import Actor
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine
    from service.db.migrate import upgrade
    from service.organisation import usecases as org
    from service.outbox.tables import OutboxMail
    from service.reunions.tables_convocations import Convocation
    from service.reunions.usecases.convocations import send_convocations
    from service.settings import load_settings

    settings = load_settings({"CONSEIL_VAR_DIR": str(work), "SECRET_KEY": "b" * 48,
                              "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
                              "SMTP_URL": "smtp://127.0.0.1:25", "PUBLIC_BASE_URL": "https://conseil.tours.example.fr"})
    db = bind_engine(make_engine(settings))
    await upgrade(db.engine)
    await audit.ensure_head()
    ctx = AppContext(settings=settings, db=db, clock=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    sysactor = Actor.system("bench")
    t = await org.create_territory(ctx, sysactor, org.TerritoryInput(name="Tours Métropole", departement="37"))
    q = await org.create_qpv(ctx, sysactor, t.id, org.QpvInput(code="QN03701M", name="Rives du Cher"))
    c = await org.create_council(ctx, sysactor, t.id, org.CouncilInput(name="Rives du Cher", qpv_ids=(q.id,)))
    meeting, agenda = _meeting(c.id)
    gateway = _Meetings(meeting, agenda, _members(N_MEMBERS))
    # Modules imported before the clock starts, as the baseline's reportlab is: a
    # running service has them loaded.
    import icalendar  # noqa: F401

    import service.documents.ics
    import service.documents.qr
    import service.outbox.usecases  # noqa: F401

    t0, c0 = time.perf_counter(), time.process_time()
    report = await send_convocations(ctx, sysactor, 1, meetings=gateway)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = await Convocation.count()
    mails = await OutboxMail.count()
    assert rows == N_MEMBERS and mails == report.by_email, (rows, mails)
    return seconds, cpu, (f"{rows} convocations ({report.by_email} courriels en file avec PDF + .ics, "
                          f"{report.by_post} courriers), une transaction SQLite")


def _baseline_pages() -> tuple[float, float, int]:
    """Bare reportlab: per member, one PDF of the same two pages (letterhead text, window
    address, body, numbered agenda, proxy form lines) with the same embedded font and
    reportlab's simpleSplit; no QR code, no database, no mail."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    from service.courriers.documents import SAMPLE_COUNCIL, letterhead_of
    from service.courriers.documents_wording import LetterWording
    from service.documents.fonts import BOLD, REGULAR, register_fonts
    from service.reunions.documents import (
        ConvocationLetter,
        CouncilSheet,
        convocation_paragraphs,
    )
    from service.reunions.usecases.convocations import meeting_sheet

    register_fonts()
    wording = LetterWording()
    council = CouncilSheet(letterhead_of(wording, SAMPLE_COUNCIL), "Conseil citoyen des Rives du Cher",
                           wording.lieu, wording.signataire, wording.fonction_signataire)
    meeting, agenda = _meeting(1)
    sheet = meeting_sheet(meeting, agenda)
    members = _members(N_MEMBERS)
    width = A4[0] - 2 * 56.7
    t0, c0 = time.perf_counter(), time.process_time()
    total = 0
    for m in members:
        letter = ConvocationLetter(m.membre_id, m.civilite, m.prenom, m.nom,
                                   "https://conseil.tours.example.fr/convocations/" + "x" * 22,
                                   date(2026, 3, 2), m.address)
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=REGULAR)
        c.setFont(BOLD, 12)
        c.drawString(56.7, A4[1] - 50, wording.organisation)
        c.setFont(REGULAR, 10)
        for i, line in enumerate(m.address):
            c.drawString(289, A4[1] - 160 - 12 * i, line)
        y = A4[1] - 260
        for paragraph in convocation_paragraphs(council, sheet, letter):
            for line in simpleSplit(paragraph, REGULAR, 10.5, width):
                c.drawString(56.7, y, line)
                y -= 14.5
            y -= 7
        c.showPage()
        y = A4[1] - 80
        for item in sheet.agenda:
            c.drawString(56.7 + 20 * item.depth, y, f"{item.numero} {item.titre}")
            y -= 14
        y -= 20
        for line in ("POUVOIR", f"Je soussigné(e) {letter.display_name}", "donne pouvoir à ....",
                     "Fait à ...... le ......", "Signature"):
            c.drawString(56.7, y, line)
            y -= 20
        c.showPage()
        c.save()
        total += len(buf.getvalue())
    return time.perf_counter() - t0, time.process_time() - c0, total


@bench("meetings.convocations.200")
def convocations_200() -> tuple[float, int, str]:
    baseline, baseline_cpu, _size = _baseline_pages()
    work = Path(tempfile.mkdtemp(prefix="bench-convocations-"))
    try:
        seconds, cpu, notes = asyncio.run(_convene(work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return seconds, N_MEMBERS, (f"CPU {cpu:.2f} s ; {notes} ; reportlab nu, mêmes pages, même exécution : "
                                f"{baseline:.2f} s (CPU {baseline_cpu:.2f} s) ; rapport {seconds / baseline:.2f}× "
                                f"(CPU {cpu / baseline_cpu:.2f}×) (cible ≤ 2×)")


@bench("meetings.convocations.baseline.200")
def convocations_baseline_200() -> tuple[float, int, str]:
    seconds, cpu, size = _baseline_pages()
    return seconds, N_MEMBERS, (f"CPU {cpu:.2f} s ; reportlab nu : un PDF de 2 pages par membre, même texte et même police, "
                                f"sans QR code ni base ; {size / 1e6:.1f} Mo")


@bench("meetings.ics.1k")
def ics_1k() -> tuple[float, int, str]:
    from domain.meetings import Meeting, MeetingKind, MeetingStatus
    from service.reunions.calendars import feed_bytes, meeting_event

    rng = random.Random(SEED)
    start = datetime(2026, 1, 5, 18, 30, tzinfo=PARIS)
    meetings = []
    for i in range(1000):
        debut = start + timedelta(days=3 * i + rng.randint(0, 2))
        meetings.append(Meeting(
            id=i + 1, council_id=1, titre=f"Réunion n° {i + 1}", debut=debut, fin=debut + timedelta(hours=2),
            lieu="Maison de quartier, 4 rue des Lilas", kind=rng.choice(list(MeetingKind)), publique=True,
            status=MeetingStatus.ANNULEE if i % 17 == 0 else MeetingStatus.PREVUE, sequence=rng.randint(0, 5)))
    t0, c0 = time.perf_counter(), time.process_time()
    events = [meeting_event(m, "https://conseil.tours.example.fr", "Conseil citoyen") for m in meetings]
    data = feed_bytes(events, "Réunions publiques")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    from icalendar import Calendar

    assert len(Calendar.from_ical(data).walk("VEVENT")) == 1000
    return seconds, 1000, (f"CPU {cpu:.2f} s ; {len(data) / 1e3:.0f} ko, VTIMEZONE Europe/Paris sur "
                           f"{meetings[-1].debut.year - meetings[0].debut.year + 1} ans (cible ≤ 0,5 s)")
