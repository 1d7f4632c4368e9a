"""The meetings' printed documents: convocations (one per member, with the proxy form),
the printable batch for members without e-mail, and the minutes.

Built on the shared plumbing of ``service.documents`` (page template, window address
block, flow, QR codes, assembler): the letterhead is the council's, the one its letters
to residents use (``courriers.documents.letterhead_of``), so a council has one identity
on paper. The inputs are small frozen dataclasses of their own, filled by the use cases
from the meetings' store: rendering knows nothing of the database.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reportlab.pdfgen.canvas import Canvas

from domain.i18n import _
from service.courriers.documents import salutation
from service.documents.assemble import concatenate
from service.documents.flow import Flow
from service.documents.fonts import BOLD, REGULAR
from service.documents.formatting import (
    NBSP,
    format_date_long,
    format_datetime_long,
    format_time,
)
from service.documents.page import (
    BODY,
    BODY_LEFT,
    GREY,
    RIGHT,
    Letterhead,
    PageTemplate,
    TextStyle,
    mm,
    wrap_lines,
)
from service.documents.qr import draw_qr
from service.documents.render import DocumentInfo, render_in_batches, render_to_bytes

PARIS = ZoneInfo("Europe/Paris")

# ---------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class AgendaLine:
    """One printed agenda item; ``numero`` as people print it (« 2.1 »)."""

    numero: str
    titre: str
    rapporteur: str = ""
    duree_minutes: int | None = None

    @property
    def depth(self) -> int:
        return self.numero.count(".")


@dataclass(frozen=True)
class MeetingSheet:
    """What every convocation of one meeting prints."""

    reunion_id: int
    titre: str
    debut: dt.datetime
    fin: dt.datetime
    lieu: str
    kind_label: str = ""
    """« séance plénière », « réunion du bureau »…"""
    agenda: tuple[AgendaLine, ...] = ()
    urgence_motif: str = ""
    second_convocation: bool = False
    """A second meeting on the same agenda after a quorum not reached: it deliberates
    without quorum, and its convocation says so (spec §2)."""


@dataclass(frozen=True)
class CouncilSheet:
    """Who convenes: the council's letterhead and signature."""

    letterhead: Letterhead
    council_name: str
    lieu: str = ""
    """Place of writing: « Valmont-sur-Loire, le … »."""
    signataire: str = ""
    fonction_signataire: str = ""


@dataclass(frozen=True)
class ConvocationLetter:
    """One member's convocation."""

    member_id: int
    civilite: str
    prenom: str
    nom: str
    ack_url: str
    letter_date: dt.date
    address: tuple[str, ...] = ()
    """NF Z10-011 lines (domain.adresse_postale), empty when the member has no postal
    address (e-mail only)."""
    version: int = 1
    changes: tuple[str, ...] = ()
    """What changed since the previous version, for a re-sent convocation."""
    postal_key: tuple[object, ...] = ()
    """Mail-room sort key (``domain.adresse_postale.cle_tri_postal``)."""

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.prenom, self.nom.upper()) if p)


# ---------------------------------------------------------------------------
# Wording helpers


def _e(civilite: str) -> str:
    """Agreement: « convoquée », « convoqué », « convoqué·e »."""
    return {"Madame": "e", "Monsieur": ""}.get(salutation(civilite), "·e")


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(PARIS)


def when_text(meeting: MeetingSheet) -> str:
    """« jeudi 12 mars 2026 à 18 h 30 », with the end time when on the same day."""
    start, end = local(meeting.debut), local(meeting.fin)
    text = format_datetime_long(start)
    if end.date() == start.date() and end > start:
        text += _(" (fin prévue à {heure})").format(heure=format_time(end))
    return text


def duration_text(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}{NBSP}h{NBSP}{rest:02d}"
    if hours:
        return f"{hours}{NBSP}h"
    return f"{rest}{NBSP}min"


def agenda_detail(item: AgendaLine) -> str:
    parts = []
    if item.rapporteur:
        parts.append(_("rapporteur : {nom}").format(nom=item.rapporteur))
    if item.duree_minutes:
        parts.append(duration_text(item.duree_minutes))
    return " — ".join(parts)


def convocation_subject(council: CouncilSheet, meeting: MeetingSheet, version: int = 1) -> str:
    base = _("Convocation : {titre}, {date}").format(
        titre=meeting.titre, date=format_date_long(local(meeting.debut).date())
    )
    if version > 1:
        base += _(" (modifiée, version {n})").format(n=version)
    return base


def convocation_paragraphs(
    council: CouncilSheet, meeting: MeetingSheet, letter: ConvocationLetter
) -> list[str]:
    """The body of the convocation (also the body of its e-mail)."""
    greeting = salutation(letter.civilite)
    out = [f"{greeting},"]
    if letter.version > 1 and letter.changes:
        out.append(
            _("Cette convocation remplace la précédente. Ce qui a changé : {liste}.").format(
                liste=" ; ".join(letter.changes)
            )
        )
    elif letter.version > 1:
        out.append(_("Cette convocation remplace la précédente."))
    kind = f" ({meeting.kind_label})" if meeting.kind_label else ""
    out.append(
        _(
            "Vous êtes convoqué{e} à la réunion « {titre} »{kind} du {conseil}, qui se "
            "tiendra le {quand}, {lieu}."
        ).format(
            e=_e(letter.civilite),
            titre=meeting.titre,
            kind=kind,
            conseil=council.council_name,
            quand=when_text(meeting),
            lieu=_("à l'adresse suivante : {lieu}").format(lieu=meeting.lieu)
            if meeting.lieu
            else _("au lieu habituel"),
        )
    )
    if meeting.urgence_motif:
        out.append(
            _(
                "Cette réunion est convoquée en urgence, avec un délai plus court que le délai "
                "habituel, pour la raison suivante : {motif}. Ce motif sera rappelé à "
                "l'ouverture de la séance et inscrit au compte rendu."
            ).format(motif=meeting.urgence_motif.rstrip(". "))
        )
    if meeting.second_convocation:
        out.append(
            _(
                "Le quorum n'ayant pas été atteint lors de la réunion précédente, cette "
                "seconde convocation porte sur le même ordre du jour : le conseil délibérera "
                "valablement sans condition de quorum."
            )
        )
    out.append(
        _(
            "Merci d'accuser réception de cette convocation et d'indiquer si vous serez "
            "présent{e}, excusé{e} ou si vous donnez pouvoir à un autre membre, en ligne "
            "sur {url} (ou en scannant le code QR ci-dessous). Si vous ne pouvez pas venir, "
            "vous pouvez aussi remettre le pouvoir joint, rempli et signé, au membre que "
            "vous désignez."
        ).format(e=_e(letter.civilite), url=letter.ack_url)
    )
    return out


# ---------------------------------------------------------------------------
# Drawing

AGENDA_NUM = TextStyle(font=BOLD, size=10.5, leading=14)
AGENDA_TEXT = TextStyle(size=10.5, leading=14)
# Grey roman rather than italic: a convocation embeds two font subsets, not three (each
# member's PDF is its own file, and font subsetting is most of its cost).
AGENDA_DETAIL = TextStyle(font=REGULAR, size=9, leading=12, color=GREY)
HEADING = TextStyle(font=BOLD, size=11.5, leading=15, space_before=4, space_after=5)


def _agenda_block(
    item: AgendaLine, width: float
) -> tuple[float, Callable[[Canvas, float, float, float], None]]:
    """An agenda item with a hanging number: « 2.1 » in its column, the title wrapped
    beside it, the rapporteur and duration in small italics under the title."""
    indent = (4 + 7 * item.depth) * mm
    num_w = 11 * mm
    text_w = width - indent - num_w
    title_lines = wrap_lines(item.titre, AGENDA_TEXT.font, AGENDA_TEXT.size, text_w)
    detail = agenda_detail(item)
    detail_lines = (
        wrap_lines(detail, AGENDA_DETAIL.font, AGENDA_DETAIL.size, text_w) if detail else ()
    )
    height = len(title_lines) * AGENDA_TEXT.leading + len(detail_lines) * AGENDA_DETAIL.leading
    height += 2.5 * mm

    def draw(c: Canvas, x: float, y_top: float, _width: float) -> None:
        y = y_top - AGENDA_TEXT.size
        c.setFillColorRGB(0, 0, 0)
        c.setFont(AGENDA_NUM.font, AGENDA_NUM.size)
        c.drawString(x + indent, y, item.numero + ("." if item.depth == 0 else ""))
        c.setFont(AGENDA_TEXT.font, AGENDA_TEXT.size)
        for line in title_lines:
            c.drawString(x + indent + num_w, y, line)
            y -= AGENDA_TEXT.leading
        if detail_lines:
            # Back to the last title baseline, then one detail leading down.
            y += AGENDA_TEXT.leading - AGENDA_DETAIL.leading
            c.setFont(AGENDA_DETAIL.font, AGENDA_DETAIL.size)
            c.setFillColorRGB(*AGENDA_DETAIL.color)
            for line in detail_lines:
                c.drawString(x + indent + num_w, y, line)
                y -= AGENDA_DETAIL.leading
            c.setFillColorRGB(0, 0, 0)

    return height / mm, draw


def _ack_block(url: str) -> tuple[float, Callable[[Canvas, float, float, float], None]]:
    side = 30 * mm

    def draw(c: Canvas, x: float, y_top: float, width: float) -> None:
        draw_qr(c, url, x, y_top - side, side)
        c.setFont(BOLD, 10)
        tx = x + side + 4 * mm
        c.drawString(tx, y_top - 10 * mm, _("Accusé de réception et présence"))
        # A URL is never wrapped: the font shrinks until it fits on one line.
        size = 9.0
        while size > 6 and c.stringWidth(url, REGULAR, size) > width - side - 4 * mm:
            size -= 0.5
        c.setFont(REGULAR, size)
        y = y_top - 15 * mm
        c.drawString(tx, y, url)
        y -= 11
        c.setFont(REGULAR, 8)
        c.setFillColorRGB(*GREY)
        c.drawString(tx, y - 2, _("Lien personnel : ne le transmettez pas."))
        c.setFillColorRGB(0, 0, 0)

    return side / mm + 2, draw


def _lines(c: Canvas, text: str, x: float, y: float, width: float) -> float:
    """``text`` in the proxy's body size, a line every 15 pt down from ``y``: where it ends."""
    for line in wrap_lines(text, REGULAR, 10.5, width):
        c.drawString(x, y, line)
        y -= 15
    return y


def _blank(c: Canvas, x1: float, x2: float, y: float) -> None:
    """A dotted line to write on, under the baseline ``y``."""
    c.setDash(1, 2)
    c.line(x1, y - 1, x2, y - 1)
    c.setDash()


def _proxy_form(
    council: CouncilSheet, meeting: MeetingSheet, letter: ConvocationLetter
) -> tuple[float, Callable[[Canvas, float, float, float], None]]:
    """The proxy (pouvoir) to fill in and sign: giver printed, holder left blank."""
    height_mm = 112
    date_text = format_date_long(local(meeting.debut).date())

    def draw(c: Canvas, x: float, y_top: float, width: float) -> None:
        c.setStrokeColorRGB(*GREY)
        c.setLineWidth(0.6)
        c.rect(x, y_top - height_mm * mm, width, height_mm * mm, stroke=1, fill=0)
        inner = x + 6 * mm
        inner_w = width - 12 * mm
        y = y_top - 10 * mm
        c.setFont(BOLD, 13)
        c.drawCentredString(x + width / 2, y, _("POUVOIR"))
        y -= 6 * mm
        c.setFont(REGULAR, 9)
        c.setFillColorRGB(*GREY)
        for line in wrap_lines(
            _("Réunion « {titre} » du {date} — {conseil}").format(
                titre=meeting.titre, date=date_text, conseil=council.council_name
            ),
            REGULAR,
            9,
            inner_w,
        )[:2]:
            c.drawCentredString(x + width / 2, y, line)
            y -= 11
        c.setFillColorRGB(0, 0, 0)
        y -= 5 * mm
        c.setFont(REGULAR, 10.5)
        giver = _("Je soussigné{e} {nom}, membre du conseil citoyen,").format(
            e=_e(letter.civilite),
            nom=letter.display_name,
        )
        y = _lines(c, giver, inner, y, inner_w) - 2 * mm
        c.drawString(inner, y, _("donne pouvoir à Madame / Monsieur :"))
        label_w = c.stringWidth(_("donne pouvoir à Madame / Monsieur :"), REGULAR, 10.5)
        _blank(c, inner + label_w + 2 * mm, inner + inner_w, y)
        y -= 8 * mm
        body = _(
            "membre du conseil citoyen présent{e2} à la réunion, pour me représenter et "
            "voter en mon nom sur toutes les questions inscrites à l'ordre du jour."
        ).format(e2="·e")
        y = _lines(c, body, inner, y, inner_w) - 5 * mm
        c.drawString(inner, y, _("Fait à"))
        _blank(c, inner + 12 * mm, inner + 70 * mm, y)
        c.drawString(inner + 74 * mm, y, _("le"))
        _blank(c, inner + 80 * mm, inner + inner_w, y)
        y -= 10 * mm
        half = inner_w / 2
        c.setFont(BOLD, 9.5)
        c.drawString(inner, y, _("Signature du mandant"))
        c.drawString(inner + half, y, _("Signature du mandataire"))
        c.setFont(REGULAR, 8)
        c.setFillColorRGB(*GREY)
        c.drawString(inner, y - 11, _("précédée de « bon pour pouvoir »"))
        c.drawString(inner + half, y - 11, _("précédée de « bon pour acceptation »"))
        c.setFillColorRGB(0, 0, 0)
        c.setFont(REGULAR, 7.5)
        c.setFillColorRGB(*GREY)
        note = _(
            "Un membre présent ne peut détenir qu'un seul pouvoir. Le pouvoir est caduc si "
            "vous arrivez à la réunion. Vous pouvez aussi le déclarer en ligne avec le lien "
            "de votre convocation."
        )
        yy = y_top - height_mm * mm + 10 * mm
        for line in wrap_lines(note, REGULAR, 7.5, inner_w):
            c.drawString(inner, yy, line)
            yy -= 9
        c.setFillColorRGB(0, 0, 0)
        c.setStrokeColorRGB(0, 0, 0)

    return height_mm, draw


def draw_convocation(
    canvas: Canvas,
    template: PageTemplate,
    council: CouncilSheet,
    meeting: MeetingSheet,
    letter: ConvocationLetter,
) -> int:
    """One member's convocation; returns the number of pages drawn (always even, so a
    batch prints recto-verso)."""
    flow = Flow(template)
    lieu = council.lieu
    dated = format_date_long(letter.letter_date, weekday=False)
    flow.paragraph(_("{lieu}, le {date}").format(lieu=lieu, date=dated) if lieu else dated, RIGHT)
    flow.space(2)
    flow.paragraph(
        _("Objet : ") + convocation_subject(council, meeting, letter.version),
        TextStyle(font=BOLD, size=10.5, leading=14.5),
    )
    for text in convocation_paragraphs(council, meeting, letter):
        # Justifying the line before a long link would stretch its spaces: ragged right.
        flow.paragraph(text, BODY_LEFT if letter.ack_url in text else BODY)
    if council.fonction_signataire:
        flow.paragraph(council.fonction_signataire, TextStyle(align="right", space_after=2))
    if council.signataire:
        flow.paragraph(council.signataire, TextStyle(font=BOLD, align="right"))
    flow.space(1)
    flow.paragraph(_("Ordre du jour"), HEADING)
    if not meeting.agenda:
        flow.paragraph(_("L'ordre du jour sera communiqué en séance."), BODY)
    width = template.content_width
    for item in meeting.agenda:
        height, draw = _agenda_block(item, width)
        flow.block(height, draw)
    flow.space(3)
    height, draw = _ack_block(letter.ack_url)
    flow.block(height, draw)
    flow.space(4)
    height, draw = _proxy_form(council, meeting, letter)
    flow.block(height, draw)
    pages = flow.layout()
    if len(pages) % 2:
        flow.page_break()
    return flow.render(canvas, address=letter.address or None)


def convocation_info(council: CouncilSheet, meeting: MeetingSheet, day: dt.date) -> DocumentInfo:
    return DocumentInfo(
        title=_("Convocation — {titre}").format(titre=meeting.titre),
        author=council.letterhead.organisation,
        subject=council.council_name,
        keywords=("conseil citoyen", "convocation"),
        created=dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC),
    )


def template_of(council: CouncilSheet) -> PageTemplate:
    return PageTemplate(council.letterhead)


def convocation_pdf(
    council: CouncilSheet,
    meeting: MeetingSheet,
    letter: ConvocationLetter,
    template: PageTemplate | None = None,
) -> bytes:
    """One member's convocation as its own PDF (what the e-mail attaches and what the
    SHA-256 of the sending is computed on)."""
    template = template or template_of(council)
    return render_to_bytes(
        lambda c: draw_convocation(c, template, council, meeting, letter),
        convocation_info(council, meeting, letter.letter_date),
    )


def mail_room_order(letters: Sequence[ConvocationLetter]) -> list[ConvocationLetter]:
    """Postal sort key first (as the residents' letters), then member id: a total order."""
    return sorted(letters, key=lambda x: (tuple(str(k) for k in x.postal_key), x.member_id))


def printable_batch(
    council: CouncilSheet,
    meeting: MeetingSheet,
    letters: Sequence[ConvocationLetter],
    *,
    per_part: int = 250,
) -> bytes:
    """The convocations to post, in mail-room order, in one PDF."""
    ordered = mail_room_order([x for x in letters if x.address])
    template = template_of(council)
    day = ordered[0].letter_date if ordered else local(meeting.debut).date()
    info = convocation_info(council, meeting, day)
    info = DocumentInfo(
        title=_("Convocations à poster — {titre}").format(titre=meeting.titre),
        author=info.author,
        subject=info.subject,
        keywords=info.keywords,
        created=info.created,
    )
    parts = render_in_batches(
        ordered,
        lambda c, letter: draw_convocation(c, template, council, meeting, letter),
        info,
        per_file=per_part,
    )
    out = io.BytesIO()
    concatenate(parts, out, info)
    return out.getvalue()
