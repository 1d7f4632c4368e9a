"""PDFs of the training feature, on the shared plumbing (service/documents/): the
attendance sheet (feuille d'émargement, one page per half-day, a signature box per
enrolled person) and the training attestations (one page per person)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from domain.i18n import _, ngettext
from domain.training import PARIS, HalfDay, format_hours
from service.documents.flow import Flow
from service.documents.fonts import BOLD, REGULAR
from service.documents.formatting import format_date_long, format_date_short, format_time
from service.documents.page import (
    BODY,
    BODY_LEFT,
    SMALL,
    TITLE,
    Letterhead,
    PageTemplate,
    TextStyle,
    wrap_lines,
)
from service.documents.render import DocumentInfo, render_to_bytes
from service.formations.store import TrainingRow
from service.formations.usecases.attendance import PersonHours, Sheet, SheetLine

ROW_H = 13 * mm
HEADER_H = 8 * mm
CENTER_TITLE = TextStyle(font=BOLD, size=15, leading=19, align="center", space_after=12)


@dataclass(frozen=True)
class Issuer:
    """Who issues the documents: the territory (and the councils the training is for)."""

    organisation: str
    councils: str = ""
    signatory: str = ""  # « La cheffe de projet politique de la ville »
    place: str = ""  # « Fait à Blois »
    logo: bytes | None = None


def _template(issuer: Issuer) -> PageTemplate:
    return PageTemplate(Letterhead(issuer.organisation, issuer.councils, logo=issuer.logo), fold_marks=False, reserve_window=False)


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(PARIS)


def _half_day_title(h: HalfDay) -> str:
    start, end = _local(h.start), _local(h.end)
    return _("{partie} du {jour}, de {debut} à {fin}").format(
        partie=h.part.label, jour=format_date_long(start.date()), debut=format_time(start), fin=format_time(end))


def _fit(text: str, font: str, size: float, width: float) -> str:
    lines = wrap_lines(text, font, size, width)
    return lines[0] + ("…" if len(lines) > 1 else "") if lines else ""


def attendance_sheet_pdf(sheet: Sheet, issuer: Issuer, *, created: dt.datetime) -> bytes:
    """One page (or more) per half-day; each enrolled person has a line with a box to
    sign in, printable before the session."""
    template = _template(issuer)
    info = DocumentInfo(title=_("Feuille d'émargement — {titre}").format(titre=sheet.training.titre),
                        author=issuer.organisation, created=created)
    where = sheet.session.lieu or sheet.session.lien_visio

    def draw(canvas: Canvas) -> None:
        template.prepare(canvas)
        pages: list[tuple[HalfDay, Sequence[SheetLine]]] = []
        for h in sheet.half_days:
            box = template.body_box(1)
            per_page = max(1, int((box.height - 62 * mm) // ROW_H))
            lines = list(sheet.lines)
            chunks = [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]
            pages += [(h, chunk) for chunk in chunks]
        for number, (h, chunk) in enumerate(pages, start=1):
            template.draw_page(canvas, number, len(pages))
            _draw_sheet_page(canvas, template, sheet, h, chunk, where)
            canvas.showPage()

    return render_to_bytes(draw, info)


def _draw_sheet_page(canvas: Canvas, template: PageTemplate, sheet: Sheet, h: HalfDay, chunk: Sequence[SheetLine], where: str) -> None:
    box = template.body_box(1)
    x, width = box.x, box.width
    y = box.top - 4 * mm
    canvas.setFont(BOLD, 14)
    canvas.drawString(x, y, _("Feuille d'émargement"))
    y -= 7 * mm
    canvas.setFont(BOLD, 11)
    canvas.drawString(x, y, _fit(sheet.training.titre, BOLD, 11, width))
    y -= 5.5 * mm
    canvas.setFont(REGULAR, 10)
    for line in (_half_day_title(h), _("Lieu : {lieu}").format(lieu=where) if where else "",
                 _("Intervenant : {organisme}").format(organisme=sheet.training.organisme) if sheet.training.organisme else ""):
        if line:
            canvas.drawString(x, y, _fit(line, REGULAR, 10, width))
            y -= 5 * mm
    y -= 4 * mm
    cols = [(_("Nom"), 0.27), (_("Prénom"), 0.21), (_("Qualité"), 0.22), (_("Signature"), 0.30)]
    canvas.setLineWidth(0.6)
    canvas.setFont(BOLD, 9.5)
    cx = x
    canvas.rect(x, y - HEADER_H, width, HEADER_H)
    for label, share in cols:
        canvas.drawString(cx + 2 * mm, y - HEADER_H + 2.7 * mm, label)
        cx += width * share
    y -= HEADER_H
    canvas.setFont(REGULAR, 10)
    for sheet_line in chunk:
        e = sheet_line.enrolment
        canvas.rect(x, y - ROW_H, width, ROW_H)
        values = [e.nom.upper(), e.prenom, e.kind.label_for(e.sexe)]
        cx = x
        for (_label, share), value in zip(cols, [*values, ""], strict=True):
            if value:
                canvas.drawString(cx + 2 * mm, y - ROW_H / 2 - 1.3 * mm, _fit(value, REGULAR, 10, width * share - 4 * mm))
            cx += width * share
            canvas.line(cx, y, cx, y - ROW_H)
        y -= ROW_H
    count = len(sheet.lines)
    canvas.setFont(REGULAR, 8.5)
    canvas.drawString(x, y - 5 * mm, ngettext("{n} personne inscrite", "{n} personnes inscrites", count).format(n=count))


def attestations_pdf(training: TrainingRow, people: Sequence[PersonHours], issuer: Issuer, *, created: dt.datetime) -> bytes:
    """One attestation page per person who attended at least one half-day."""
    template = _template(issuer)
    info = DocumentInfo(title=_("Attestations de formation — {titre}").format(titre=training.titre),
                        author=issuer.organisation, created=created)
    today = format_date_long(_local(created).date(), weekday=False)

    def draw(canvas: Canvas) -> None:
        template.prepare(canvas)
        for p in people:
            _attestation_flow(template, training, p, issuer, today).render(canvas)

    return render_to_bytes(draw, info)


def _attestation_flow(template: PageTemplate, training: TrainingRow, p: PersonHours, issuer: Issuer, today: str) -> Flow:
    e = p.enrolment
    feminine = e.sexe == "F"
    days = ", ".join(format_date_short(d) for d in p.days)
    flow = Flow(template)
    flow.space(8).paragraph(_("Attestation de formation"), CENTER_TITLE)
    who = issuer.signatory or issuer.organisation
    flow.paragraph(
        (_("{signataire} atteste que Madame {prenom} {nom} a suivi la formation « {titre} »") if feminine else
         _("{signataire} atteste que Monsieur {prenom} {nom} a suivi la formation « {titre} »") if e.sexe == "M" else
         _("{signataire} atteste que {prenom} {nom} a suivi la formation « {titre} »")).format(
            signataire=who, prenom=e.prenom, nom=e.nom, titre=training.titre)
        + (_(", organisée par {organisme}.").format(organisme=training.organisme) if training.organisme else "."), BODY)
    if training.objectifs:
        flow.paragraph(_("Objectifs de la formation"), TITLE)
        flow.paragraph(training.objectifs, BODY)
    flow.paragraph(_("Présence"), TITLE)
    flow.paragraph((_("Date de présence : {dates}.") if len(p.days) == 1 else _("Dates de présence : {dates}.")).format(dates=days),
                   BODY_LEFT)
    flow.paragraph(_("Durée suivie : {heures}, comptée par demi-journée émargée.").format(heures=format_hours(p.hours)), BODY_LEFT)
    flow.space(10)
    place = f"{issuer.place}, " if issuer.place else ""
    flow.paragraph(_("{lieu}le {date}").format(lieu=place, date=today).capitalize(), BODY_LEFT)
    flow.space(4).paragraph(issuer.signatory or _("Pour {organisation}").format(organisation=issuer.organisation), BODY_LEFT).space(22)
    flow.paragraph(_("Signature et cachet"), SMALL)
    return flow


@dataclass(frozen=True)
class PrintedInvitation:
    """An invitation to post to an enrolled person without e-mail: their address block
    (NF Z10-011, in the DL window) and the session."""

    prenom: str
    nom: str
    sexe: str
    address: tuple[str, ...]
    postal_key: tuple[object, ...]


def invitations_pdf(training: TrainingRow, session: Any, people: Sequence[PrintedInvitation], issuer: Issuer, *,
                    created: dt.datetime) -> bytes:
    """One page per person, in mail-room order (postal sort key), the address in the
    envelope window as for the residents' letters and the convocations."""
    template = PageTemplate(Letterhead(issuer.organisation, issuer.councils, logo=issuer.logo))
    info = DocumentInfo(title=_("Invitations à poster — {titre}").format(titre=training.titre), author=issuer.organisation,
                        created=created)
    start, end = _local(session.debut), _local(session.fin)
    where = session.lieu or session.lien_visio
    today = format_date_long(_local(created).date(), weekday=False)

    def draw(canvas: Canvas) -> None:
        template.prepare(canvas)
        for p in sorted(people, key=lambda x: tuple(str(k) for k in x.postal_key)):
            flow = Flow(template)
            flow.paragraph(_("Le {date}").format(date=today), TextStyle(align="right"))
            flow.paragraph(_("Madame,") if p.sexe == "F" else _("Monsieur,") if p.sexe == "M" else _("Madame, Monsieur,"), BODY_LEFT)
            flow.paragraph(_("Vous êtes inscrite à la formation « {titre} ».") .format(titre=training.titre) if p.sexe == "F"
                           else _("Vous êtes inscrit à la formation « {titre} ».").format(titre=training.titre), BODY)
            flow.paragraph(_("La séance a lieu le {jour}, de {debut} à {fin}, {lieu}.").format(
                jour=format_date_long(start.date()), debut=format_time(start), fin=format_time(end), lieu=where), BODY)
            if training.objectifs:
                flow.paragraph(_("Objectifs : {o}").format(o=training.objectifs), BODY)
            flow.paragraph(_("Si vous ne pouvez pas venir, prévenez le chef de projet pour libérer votre place."), BODY)
            flow.space(8).paragraph(_("Pour {organisation}").format(organisation=issuer.organisation), BODY_LEFT)
            flow.render(canvas, address=p.address)

    return render_to_bytes(draw, info)
