"""Convocation and minutes PDFs (service/reunions/documents.py), read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from service.courriers.documents import SAMPLE_COUNCIL, letterhead_of
from service.courriers.documents_wording import LetterWording
from service.reunions.documents import (
    AgendaLine,
    ConvocationLetter,
    CouncilSheet,
    MeetingSheet,
    convocation_pdf,
    mail_room_order,
    printable_batch,
    when_text,
)
from service.reunions.minutes_documents import MinutesSection, MinutesSheet, VoteLine, minutes_pdf

PARIS = ZoneInfo("Europe/Paris")
W = LetterWording()
COUNCIL = CouncilSheet(
    letterhead=letterhead_of(W, SAMPLE_COUNCIL),
    council_name="conseil citoyen des Rives du Cher",
    lieu="Valmont-sur-Loire",
    signataire="Claire Lefèvre",
    fonction_signataire="Cheffe de projet",
)
MEETING = MeetingSheet(
    reunion_id=7,
    titre="Séance plénière de mars",
    debut=dt.datetime(2026, 3, 12, 17, 30, tzinfo=dt.UTC),
    fin=dt.datetime(2026, 3, 12, 19, 30, tzinfo=dt.UTC),
    lieu="Maison de quartier, 4 rue des Lilas",
    agenda=(
        AgendaLine("1", "Adoption du compte rendu", "La présidente", 10),
        AgendaLine("2", "Rénovation urbaine", "Mohamed Ben Saïd", 45),
        AgendaLine("2.1", "Résidentialisation des bâtiments C et D", "", 20),
    ),
)


def _letter(member_id: int = 1, **kw: object) -> ConvocationLetter:
    values: dict[str, object] = dict(
        member_id=member_id,
        civilite="Madame",
        prenom="Lætitia",
        nom="Nguyễn",
        ack_url="https://conseil.example.fr/convocations/abcDEF123",
        letter_date=dt.date(2026, 3, 2),
        address=("Madame Lætitia NGUYỄN", "12 RUE DES LILAS", "37000 VALMONT SUR LOIRE"),
    )
    values.update(kw)
    return ConvocationLetter(**values)  # type: ignore[arg-type]


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def test_date_and_time_in_french_paris_time() -> None:
    assert when_text(MEETING).startswith("jeudi 12 mars 2026 à 18\u00a0h\u00a030")


def test_convocation_prints_agenda_proxy_and_link_on_even_pages() -> None:
    pages, text = _text(convocation_pdf(COUNCIL, MEETING, _letter()))
    assert pages % 2 == 0
    flat = " ".join(text.split())
    assert "jeudi 12 mars 2026" in flat
    assert "Résidentialisation des bâtiments C et D" in flat
    assert "2.1" in flat and "rapporteur : Mohamed Ben Saïd" in flat
    assert "POUVOIR" in flat and "Je soussignée Lætitia NGUYỄN" in flat
    assert "https://conseil.example.fr/convocations/abcDEF123" in flat
    assert "urgence" not in flat and "sans condition de quorum" not in flat


def test_emergency_second_convocation_and_changes_are_stated() -> None:
    import dataclasses

    meeting = dataclasses.replace(
        MEETING, urgence_motif="avis demandé par la préfecture", second_convocation=True
    )
    letter = _letter(version=2, changes=("horaire : 18\u00a0h au lieu de 18\u00a0h\u00a030",))
    _pages, text = _text(convocation_pdf(COUNCIL, meeting, letter))
    flat = " ".join(text.split())
    assert "en urgence" in flat and "avis demandé par la préfecture" in flat
    assert "sans condition de quorum" in flat
    assert "remplace la précédente" in flat and "version 2" in flat


def test_convocation_is_deterministic() -> None:
    assert convocation_pdf(COUNCIL, MEETING, _letter()) == convocation_pdf(
        COUNCIL, MEETING, _letter()
    )


def test_batch_in_mail_room_order_skips_members_without_address() -> None:
    letters = [
        _letter(1, nom="Zed", postal_key=("37000", "B")),
        _letter(2, nom="Alpha", postal_key=("13000", "A")),
        _letter(3, nom="Sans", address=()),
    ]
    assert [x.member_id for x in mail_room_order(letters[:2])] == [2, 1]
    pdf = printable_batch(COUNCIL, MEETING, letters)
    pages, text = _text(pdf)
    single, _ = _text(convocation_pdf(COUNCIL, MEETING, letters[0]))
    assert pages == 2 * single
    assert text.index("ALPHA") < text.index("ZED")
    assert "SANS" not in text


def test_minutes_contents_and_signatures() -> None:
    minutes = MinutesSheet(
        meeting=MEETING,
        president="Lætitia Nguyễn",
        secretaire="Jérôme Martin",
        presents=("A. Un", "B. Deux"),
        excuses=("C. Trois",),
        absents=("D. Quatre",),
        pouvoirs=(("C. Trois", "A. Un"),),
        quorum_requis=3,
        quorum_presents=2,
        quorum_atteint=False,
        sections=(MinutesSection("1", "Adoption", decision="Adopté", vote=VoteLine(5, 1, 1, adopte=True)),),
        audit_head="f" * 64,
    )
    _pages, text = _text(minutes_pdf(COUNCIL, minutes))
    flat = " ".join(text.split())
    assert "Présents (2)" in flat and "C. Trois à A. Un" in flat
    assert "3 requis, 2 présents" in flat and "non atteint" in flat
    assert "5 pour, 1 contre, 1 abstention." in flat
    assert "Signature" in flat and "f" * 64 in flat
