"""The minutes' PDF (compte rendu): the meeting's record, one section per agenda item with
its decision and votes, the residents' questions answered, signature lines for the chair
and the secretary. Inputs are frozen dataclasses filled by the use cases; the letterhead
and the meeting sheet are the convocations' (service.reunions.documents)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas

from domain.i18n import _
from service.documents.flow import Flow
from service.documents.fonts import BOLD, ITALIC, REGULAR
from service.documents.formatting import count_of, format_date_long
from service.documents.page import BODY, BODY_LEFT, BOLD_BODY, GREY, SMALL, TITLE, PageTemplate, mm
from service.documents.render import DocumentInfo, render_to_bytes
from service.reunions.documents import (
    HEADING,
    CouncilSheet,
    MeetingSheet,
    local,
    when_text,
)

# ---------------------------------------------------------------------------
# Minutes (compte rendu)


@dataclass(frozen=True)
class VoteLine:
    pour: int = 0
    contre: int = 0
    abstention: int = 0
    consensus: bool = False
    adopte: bool | None = None


@dataclass(frozen=True)
class MinutesSection:
    numero: str
    titre: str
    texte: str = ""
    decision: str = ""
    vote: VoteLine | None = None


@dataclass(frozen=True)
class AnsweredQuestion:
    texte: str
    destinataire: str
    reponse: str
    repondue_le: dt.date | None = None


@dataclass(frozen=True)
class MinutesSheet:
    meeting: MeetingSheet
    president: str = ""
    secretaire: str = ""
    presents: tuple[str, ...] = ()
    excuses: tuple[str, ...] = ()
    absents: tuple[str, ...] = ()
    pouvoirs: tuple[tuple[str, str], ...] = ()
    """(giver, holder)."""
    quorum_requis: int | None = None
    quorum_presents: int = 0
    quorum_atteint: bool | None = None
    sections: tuple[MinutesSection, ...] = ()
    questions: tuple[AnsweredQuestion, ...] = ()
    state_label: str = ""
    """« Projet (brouillon) », « Adopté le … », « Publié le … »."""
    version: int = 1
    correction_reason: str = ""
    audit_head: str = ""
    """The audit chain head at publication, when the service offers it."""
    extra: tuple[str, ...] = field(default=())
    texte: str = ""
    """The minutes as written and adopted (the meetings feature's text, drafted from the
    agenda, attendance and decisions): when given, it is the body, printed as is."""


def _names(names: Sequence[str]) -> str:
    return ", ".join(names) if names else _("aucun")


def _vote_text(vote: VoteLine) -> str:
    if vote.consensus:
        return _("Décision prise par consensus.")
    text = _("Votes : {pour} pour, {contre} contre, {abst}.").format(
        pour=vote.pour,
        contre=vote.contre,
        abst=count_of(vote.abstention, "abstention", "abstentions"),
    )
    if vote.adopte is True:
        text += " " + _("Adopté.")
    elif vote.adopte is False:
        text += " " + _("Non adopté.")
    return text


def _signature_block(
    president: str, secretaire: str
) -> tuple[float, Callable[[Canvas, float, float, float], None]]:
    def draw(c: Canvas, x: float, y_top: float, width: float) -> None:
        half = width / 2
        for i, (label, name) in enumerate(
            ((_("La présidente ou le président de séance"), president),
             (_("La ou le secrétaire de séance"), secretaire))
        ):
            left = x + i * half
            c.setFont(BOLD, 9.5)
            c.drawString(left, y_top - 10, label)
            c.setFont(REGULAR, 9.5)
            if name:
                c.drawString(left, y_top - 23, name)
            c.setStrokeColorRGB(*GREY)
            c.setDash(1, 2)
            c.line(left, y_top - 30 * mm, left + half - 10 * mm, y_top - 30 * mm)
            c.setDash()
            c.setFont(ITALIC, 8)
            c.setFillColorRGB(*GREY)
            c.drawString(left, y_top - 30 * mm - 10, _("Signature"))
            c.setFillColorRGB(0, 0, 0)
        c.setStrokeColorRGB(0, 0, 0)

    return 38, draw


_SIGNATURE_LINES = ("Le président de séance", "Le secrétaire de séance")


def _text_body(flow: Flow, texte: str) -> None:
    """The written minutes, line by line: numbered item titles in bold, blank lines as
    paragraph breaks; the signature labels the text ends with are replaced by the
    signature block drawn after it."""
    lines = texte.replace("\r\n", "\n").split("\n")
    while lines and (not lines[-1].strip() or lines[-1].strip() in _SIGNATURE_LINES):
        lines.pop()
    for k, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            flow.space(1.5)
            continue
        if k == 0 and line.startswith(_("Compte rendu")):
            continue  # the title is printed above
        head = line.split(" ", 1)[0]
        numbered = head.endswith(".") and head[:-1].replace(".", "").isdigit()
        flow.paragraph(line, BOLD_BODY if numbered else BODY_LEFT)


def _status(flow: Flow, minutes: MinutesSheet) -> None:
    status = minutes.state_label
    if minutes.version > 1:
        status += (" — " if status else "") + _("version {n}").format(n=minutes.version)
    if status:
        flow.paragraph(status, SMALL)
    if minutes.correction_reason:
        flow.paragraph(_("Correction : {motif}").format(motif=minutes.correction_reason), SMALL)


def _sitting(flow: Flow, minutes: MinutesSheet) -> None:
    """When, where, who chaired, and why the convocation was exceptional if it was."""
    m = minutes.meeting
    flow.paragraph(_("Date et heure : {quand}").format(quand=when_text(m)), BODY)
    if m.lieu:
        flow.paragraph(_("Lieu : {lieu}").format(lieu=m.lieu), BODY)
    flow.paragraph(
        _("Présidence de séance : {p} — secrétariat de séance : {s}").format(
            p=minutes.president or "—", s=minutes.secretaire or "—"
        ),
        BODY,
    )
    if m.urgence_motif:
        flow.paragraph(
            _("Convocation en urgence. Motif, rappelé à l'ouverture de la séance : {motif}").format(
                motif=m.urgence_motif
            ),
            BODY,
        )
    if m.second_convocation:
        flow.paragraph(
            _("Seconde convocation : le conseil délibère sans condition de quorum."), BODY
        )


def _attendance(flow: Flow, minutes: MinutesSheet) -> None:
    """Present, excused, absent, proxies and the quorum."""
    flow.paragraph(_("Présences"), HEADING)
    flow.paragraph(_("Présents ({n}) : {noms}").format(n=len(minutes.presents), noms=_names(minutes.presents)), BODY)
    flow.paragraph(_("Excusés ({n}) : {noms}").format(n=len(minutes.excuses), noms=_names(minutes.excuses)), BODY)
    flow.paragraph(_("Absents ({n}) : {noms}").format(n=len(minutes.absents), noms=_names(minutes.absents)), BODY)
    if minutes.pouvoirs:
        flow.paragraph(
            _("Pouvoirs : {liste}").format(
                liste="; ".join(_("{a} à {b}").format(a=a, b=b) for a, b in minutes.pouvoirs)
            ),
            BODY,
        )
    else:
        flow.paragraph(_("Pouvoirs : aucun"), BODY)
    if minutes.quorum_requis is not None:
        reached = (
            _("atteint")
            if minutes.quorum_atteint
            else _("non atteint")
            if minutes.quorum_atteint is False
            else "—"
        )
        flow.paragraph(
            _("Quorum : {requis} requis, {presents} présents — {etat}. Les pouvoirs ne comptent pas pour le quorum.").format(
                requis=minutes.quorum_requis, presents=minutes.quorum_presents, etat=reached
            ),
            BODY,
        )


def _sections(flow: Flow, minutes: MinutesSheet) -> None:
    """One section per agenda item, with its decision and votes."""
    flow.paragraph(_("Ordre du jour et décisions"), HEADING)
    for section in minutes.sections:
        flow.paragraph(f"{section.numero}. {section.titre}", BOLD_BODY)
        if section.texte:
            for para in section.texte.split("\n\n"):
                if para.strip():
                    flow.paragraph(" ".join(para.split()), BODY)
        if section.decision:
            flow.paragraph(_("Décision : {d}").format(d=section.decision), BODY)
        if section.vote is not None:
            flow.paragraph(_vote_text(section.vote), BODY)


def _questions(flow: Flow, minutes: MinutesSheet) -> None:
    """The residents' questions that received an answer."""
    if not minutes.questions:
        return
    flow.paragraph(_("Questions des habitants ayant reçu une réponse"), HEADING)
    for q in minutes.questions:
        flow.paragraph(_("Question (à {dest}) : {texte}").format(dest=q.destinataire, texte=q.texte), BODY)
        answered = (
            _(" (le {date})").format(date=format_date_long(q.repondue_le, weekday=False))
            if q.repondue_le
            else ""
        )
        flow.paragraph(_("Réponse{le} : {r}").format(le=answered, r=q.reponse), BODY)


def _record_body(flow: Flow, minutes: MinutesSheet) -> None:
    """The minutes drafted from the record, when no written text is given."""
    _sitting(flow, minutes)
    _attendance(flow, minutes)
    _sections(flow, minutes)
    _questions(flow, minutes)


def _closing(flow: Flow, minutes: MinutesSheet) -> None:
    """Extra lines, the signature block and the audit chain head."""
    for line in minutes.extra:
        flow.paragraph(line, BODY)
    flow.space(6)
    height, draw = _signature_block(minutes.president, minutes.secretaire)
    flow.block(height, draw)
    if minutes.audit_head:
        flow.space(4)
        flow.paragraph(
            _("Empreinte du journal d'audit à la publication : {h}").format(h=minutes.audit_head),
            SMALL,
            typography=False,
        )


def minutes_pdf(council: CouncilSheet, minutes: MinutesSheet) -> bytes:
    """The minutes (spec §5): date, place, chair and secretary, attendance, proxies,
    quorum, emergency reason, one section per item with its decision and votes,
    questions answered, signature lines."""
    m = minutes.meeting
    template = PageTemplate(council.letterhead, reserve_window=False, fold_marks=False)
    flow = Flow(template)
    flow.paragraph(_("Compte rendu de la réunion du {date}").format(
        date=format_date_long(local(m.debut).date())), TITLE)
    flow.paragraph(m.titre, BOLD_BODY)
    _status(flow, minutes)
    if minutes.texte:
        _text_body(flow, minutes.texte)
    else:
        _record_body(flow, minutes)
    _closing(flow, minutes)
    info = DocumentInfo(
        title=_("Compte rendu — {titre}").format(titre=m.titre),
        author=council.letterhead.organisation,
        subject=council.council_name,
        keywords=("conseil citoyen", "compte rendu"),
        created=dt.datetime.combine(local(m.debut).date(), dt.time(9), tzinfo=dt.UTC),
    )
    return render_to_bytes(lambda c: flow.render(c), info)
