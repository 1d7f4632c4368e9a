"""``conseil reunions …``: what a secretary would script (meetings, agenda, attendance,
minutes, questions). Convocations: ``conseil reunions convoquer`` (convocations feature)."""

from __future__ import annotations

import argparse
from datetime import date, datetime

from domain.errors import InvalidInput
from domain.meetings import PARIS
from service.audit import Actor
from service.cli import register
from service.context import AppContext

ACTOR = Actor.system("ligne de commande")


def _moment(raw: str, field: str) -> datetime:
    """ISO 8601; without an offset the time is read in Europe/Paris."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"Date et heure invalides pour --{field} : « {raw} » (ex. 2026-03-12T18:30).",
                           field=field) from None
    return value if value.tzinfo else value.replace(tzinfo=PARIS)


def _when(m: datetime) -> str:
    from service.documents.formatting import format_datetime_long

    return format_datetime_long(m.astimezone(PARIS))


def _create_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--conseil", type=int, required=True, help="numéro du conseil")
    p.add_argument("--titre", required=True)
    p.add_argument("--debut", required=True, help="début, ex. 2026-03-12T18:30 (heure de Paris)")
    p.add_argument("--fin", required=True, help="fin, ex. 2026-03-12T20:30")
    p.add_argument("--lieu", default="")
    p.add_argument("--type", default="pleniere", help="pleniere, bureau, groupe_de_travail, assemblee_publique")
    p.add_argument("--publique", action="store_true", help="réunion ouverte au public")


@register("reunions creer", "crée une réunion du conseil", _create_args)
async def _create(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.reunions.usecases import meetings as mt

    m = await mt.create_meeting(ctx, ACTOR, args.conseil, mt.MeetingInput(
        titre=args.titre, debut=_moment(args.debut, "debut"), fin=_moment(args.fin, "fin"), lieu=args.lieu,
        kind=args.type, publique=args.publique))
    print(f"Réunion n° {m.id} créée : {m.titre}, {_when(m.debut)}.")
    return 0


def _list_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--conseil", type=int, required=True, help="numéro du conseil")


@register("reunions lister", "liste les réunions d'un conseil", _list_args)
async def _list(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.reunions.usecases import meetings as mt

    meetings = await mt.list_meetings(ctx, args.conseil)
    if not meetings:
        print("Aucune réunion.")
    for m in meetings:
        print(f"{m.id}\t{_when(m.debut)}\t{m.status.label}\t{m.titre}\t{m.lieu}")
    return 0


def _agenda_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reunion", type=int, required=True, help="numéro de la réunion")
    p.add_argument("--ajouter", metavar="TITRE", help="ajoute un point portant ce titre")
    p.add_argument("--parent", type=int, default=None, help="sous-point du point portant ce numéro interne")
    p.add_argument("--rapporteur", default="")
    p.add_argument("--duree", type=int, default=None, help="durée prévue en minutes")


@register("reunions ordre-du-jour", "affiche l'ordre du jour numéroté, ou y ajoute un point", _agenda_args)
async def _agenda(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.reunions.usecases import agenda as ag

    if args.ajouter:
        item = await ag.add_item(ctx, ACTOR, args.reunion, args.ajouter, parent_id=args.parent,
                                 rapporteur=args.rapporteur, duree_minutes=args.duree)
        print(f"Point {item.numero} ajouté (n° interne {item.id}).")
        return 0
    for item in await ag.agenda(ctx, args.reunion):
        indent = "  " * item.numero.count(".")
        extra = f" — {item.rapporteur}" if item.rapporteur else ""
        extra += f" ({item.duree_minutes} min)" if item.duree_minutes else ""
        print(f"{indent}{item.numero}. {item.titre}{extra}  [n° {item.id}]")
    return 0


def _attendance_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reunion", type=int, required=True, help="numéro de la réunion")
    p.add_argument("--membre", type=int, help="numéro du membre")
    p.add_argument("--presence", choices=["present", "absent_excuse", "absent"])
    p.add_argument("--pouvoir-a", type=int, dest="pouvoir_a", help="le membre (présent) qui reçoit le pouvoir de --membre")
    p.add_argument("--clore", action="store_true", help="clôt les présences : quorum atteint ou non")


@register("reunions presences", "note présences et pouvoirs, affiche le quorum, clôt les présences", _attendance_args)
async def _attendance(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.reunions.usecases import attendance as att
    from service.reunions.usecases import meetings as mt

    if args.membre is not None and args.presence:
        await att.record_presence(ctx, ACTOR, args.reunion, args.membre, args.presence)
    if args.membre is not None and args.pouvoir_a is not None:
        await att.give_proxy(ctx, ACTOR, args.reunion, args.membre, args.pouvoir_a)
    if args.clore:
        view = await att.close_attendance(ctx, ACTOR, args.reunion, (await mt.get_meeting(ctx, args.reunion)).version)
    else:
        view = await att.attendance(ctx, args.reunion)
    for m in view.members:
        row = view.rows.get(m.id)
        state = row.presence.label if row else "non renseigné"
        proxy = f", pouvoir à n° {row.porteur_id}" if row and row.porteur_id else ""
        print(f"{m.id}\t{m.display_name}\t{state}{proxy}")
    if view.quorum is not None:
        print(view.quorum.message)
    print(f"État de la réunion : {view.meeting.status.label}.")
    return 0


def _minutes_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reunion", type=int, required=True, help="numéro de la réunion")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--brouillon", action="store_true", help="rédige le brouillon à partir de l'ordre du jour")
    action.add_argument("--adopter-en", type=int, dest="adopter_en", metavar="REUNION",
                        help="adopte le compte rendu lors de cette réunion ultérieure (tenue), par consensus")
    action.add_argument("--publier", action="store_true", help="publie le compte rendu adopté")


@register("reunions compte-rendu", "affiche, rédige, adopte ou publie le compte rendu", _minutes_args)
async def _minutes(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.reunions.usecases import minutes as mn

    if args.brouillon:
        m = await mn.create_draft(ctx, ACTOR, args.reunion)
    else:
        versions = await mn.versions(ctx, args.reunion)
        if not versions:
            print("Pas encore de compte rendu.")
            return 0
        m = versions[-1]
        if args.adopter_en is not None:
            m = await mn.adopt(ctx, ACTOR, args.reunion, args.adopter_en, m.version)
        elif args.publier:
            m = await mn.publish(ctx, ACTOR, args.reunion, m.version)
    print(f"Compte rendu, version {m.numero_version} : {m.state.label}.")
    print(m.texte)
    return 0


def _questions_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--conseil", type=int, required=True, help="numéro du conseil")
    p.add_argument("--ajouter", metavar="TEXTE", help="enregistre une question posée en réunion")
    p.add_argument("--destinataire", default="ville", help="ville, epci, bailleur, etat ou autre")
    p.add_argument("--date", type=date.fromisoformat, default=None, help="date de la question (AAAA-MM-JJ)")


@register("reunions questions", "liste les questions des habitants, ou en enregistre une", _questions_args)
async def _questions(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.reunions.usecases import questions as qs

    if args.ajouter:
        q = await qs.record_question(ctx, ACTOR, args.conseil, args.ajouter, args.destinataire, raised_on=args.date)
        print(f"Question n° {q.id} enregistrée ({q.addressee.label}).")
        return 0
    for q in await qs.list_questions(ctx, args.conseil):
        answer = f" — réponse du {q.answered_on.strftime('%d/%m/%Y')} : {q.reponse}" if q.answered_on else ""
        print(f"{q.id}\t{q.raised_on.strftime('%d/%m/%Y')}\t{q.addressee.label}\t{q.status.label}\t{q.texte}{answer}")
    return 0
