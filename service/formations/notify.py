"""Mails of the training feature, through the outbox (written in the caller's
transaction) with an iCalendar invitation attached — the same plumbing as convocations."""

from __future__ import annotations

from urllib.parse import urlsplit

from domain.i18n import _
from domain.training import PARIS
from service.context import AppContext
from service.documents.formatting import format_date_long, format_time
from service.documents.ics import CalendarEvent, calendar_bytes
from service.formations.store import EnrolmentRow, SessionRow, TrainingRow
from service.outbox.model import Attachment, OutgoingMail
from service.outbox.usecases.enqueue import enqueue


def _host(ctx: AppContext) -> str:
    return urlsplit(ctx.settings.public_base_url).hostname or "conseil-citoyen"


def session_event(ctx: AppContext, training: TrainingRow, session: SessionRow) -> CalendarEvent:
    where = session.lieu or session.lien_visio
    return CalendarEvent(
        uid=f"formation-seance-{session.id}@{_host(ctx)}",
        sequence=session.sequence,
        start=session.debut,
        end=session.fin,
        summary=_("Formation : {titre}").format(titre=training.titre),
        location=where,
        description="\n".join(x for x in (training.objectifs, session.lien_visio) if x),
        cancelled=session.annulee,
    )


def _when(session: SessionRow) -> str:
    start, end = session.debut.astimezone(PARIS), session.fin.astimezone(PARIS)
    return _("le {jour}, de {debut} à {fin}").format(jour=format_date_long(start.date()), debut=format_time(start), fin=format_time(end))


async def _send(ctx: AppContext, e: EnrolmentRow, subject: str, body: str, kind: str, training: TrainingRow,
                session: SessionRow, with_invitation: bool) -> None:
    if not e.email:
        return  # no address: the lead prints the invitation from the session page
    attachments: tuple[Attachment, ...] = ()
    if with_invitation:
        ics = calendar_bytes([session_event(ctx, training, session)], name=training.titre, method="REQUEST")
        attachments = (Attachment("formation.ics", "text/calendar; method=REQUEST", ics),)
    await enqueue(ctx.db, OutgoingMail(
        to=e.email, subject=subject, body=body, attachments=attachments, kind=kind,
        ref=f"formation-inscription:{e.id}:{kind}", territory_id=training.territory_id,
    ), now=ctx.now())


def _greeting(e: EnrolmentRow) -> str:
    return _("Bonjour {prenom} {nom},").format(prenom=e.prenom, nom=e.nom).replace("  ", " ")


async def invitation(ctx: AppContext, e: EnrolmentRow, training: TrainingRow, session: SessionRow) -> None:
    where = session.lieu or session.lien_visio
    body = "\n\n".join([
        _greeting(e),
        _("Votre inscription à la formation « {titre} » est confirmée : la séance a lieu {quand}, {lieu}.").format(
            titre=training.titre, quand=_when(session), lieu=where),
        _("L'invitation jointe s'ajoute à votre agenda. Si vous ne pouvez pas venir, annulez votre inscription "
          "depuis votre espace pour libérer la place."),
    ])
    await _send(ctx, e, _("Formation « {titre} » : inscription confirmée").format(titre=training.titre), body,
                "formation.invitation", training, session, True)


async def waiting(ctx: AppContext, e: EnrolmentRow, training: TrainingRow, session: SessionRow, position: int) -> None:
    body = "\n\n".join([
        _greeting(e),
        _("La séance du {jour} de la formation « {titre} » est complète : vous êtes en position {rang} sur la liste "
          "d'attente. Vous recevrez un courriel si une place se libère.").format(
            jour=format_date_long(session.debut.astimezone(PARIS).date()), titre=training.titre, rang=position),
    ])
    await _send(ctx, e, _("Formation « {titre} » : liste d'attente").format(titre=training.titre), body,
                "formation.attente", training, session, False)


async def promoted(ctx: AppContext, e: EnrolmentRow, training: TrainingRow, session: SessionRow) -> None:
    body = "\n\n".join([
        _greeting(e),
        (_("Une place s'est libérée : vous êtes inscrite à la séance de la formation « {titre} », {quand}.") if e.sexe == "F"
         else _("Une place s'est libérée : vous êtes inscrit à la séance de la formation « {titre} », {quand}.")).format(
            titre=training.titre, quand=_when(session)),
    ])
    await _send(ctx, e, _("Formation « {titre} » : une place pour vous").format(titre=training.titre), body,
                "formation.promotion", training, session, True)


async def reminder(ctx: AppContext, e: EnrolmentRow, training: TrainingRow, session: SessionRow) -> None:
    where = session.lieu or session.lien_visio
    body = "\n\n".join([
        _greeting(e),
        _("Rappel : la formation « {titre} » a lieu {quand}, {lieu}.").format(titre=training.titre, quand=_when(session), lieu=where),
    ])
    await _send(ctx, e, _("Rappel : formation « {titre} »").format(titre=training.titre), body,
                "formation.rappel", training, session, False)


async def changed(ctx: AppContext, e: EnrolmentRow, training: TrainingRow, session: SessionRow) -> None:
    """A session moved or was cancelled: the person is told, with the updated invitation
    (same UID, higher SEQUENCE) so their calendar follows."""
    where = session.lieu or session.lien_visio
    if session.annulee:
        subject = _("Formation « {titre} » : séance annulée").format(titre=training.titre)
        text = _("La séance de la formation « {titre} » prévue {quand} est annulée.").format(titre=training.titre, quand=_when(session))
    else:
        subject = _("Formation « {titre} » : séance modifiée").format(titre=training.titre)
        text = _("La séance de la formation « {titre} » a changé : elle a lieu {quand}, {lieu}.").format(
            titre=training.titre, quand=_when(session), lieu=where)
    if not e.email:
        return
    ics = calendar_bytes([session_event(ctx, training, session)], name=training.titre,
                         method="CANCEL" if session.annulee else "REQUEST")
    await enqueue(ctx.db, OutgoingMail(
        to=e.email, subject=subject, body="\n\n".join([_greeting(e), text]),
        attachments=(Attachment("formation.ics", "text/calendar; method=" + ("CANCEL" if session.annulee else "REQUEST"), ics),),
        kind="formation.modification", ref=f"formation-inscription:{e.id}:modification:{session.sequence}",
        territory_id=training.territory_id,
    ), now=ctx.now())
