"""``conseil formations …``: the training schedule from a terminal (same use cases as the
pages and the API; writes are audited as the command line)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time
from pathlib import Path

from domain.i18n import _, ngettext
from domain.training import PARIS, format_hours
from service.cli import cli_actor, register
from service.context import AppContext
from service.formations.store import TrainingStore


def _list_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--territoire", type=int, help="n° du territoire")
    p.add_argument("--conseil", type=int, help="n° du conseil citoyen")


@register("formations lister", "liste les formations et leurs séances", _list_args)
async def _list(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.formations.usecases import schedule

    store = TrainingStore(ctx.db)
    if args.conseil:
        items = await schedule.schedule_of_council(store, args.conseil)
    elif args.territoire:
        items = await schedule.schedule_of_territory(store, args.territoire)
    else:
        print(_("Précisez --territoire ou --conseil."), file=sys.stderr)
        return 2
    for x in items:
        print(f"[{x.training.id}] {x.training.titre} — {x.training.public.label}")
        for s in x.sessions:
            start, end = s.debut.astimezone(PARIS), s.fin.astimezone(PARIS)
            state = _(" (annulée)") if s.annulee else ""
            print(f"    séance {s.id} : {start:%d/%m/%Y} {start:%H:%M}–{end:%H:%M}, {s.lieu or s.lien_visio}{state}")
    print(ngettext("{n} formation", "{n} formations", len(items)).format(n=len(items)))
    return 0


def _create_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--territoire", type=int, required=True, help="n° du territoire")
    p.add_argument("--conseil", type=int, action="append", required=True, help="conseil ouvert (répétable)")
    p.add_argument("--titre", required=True)
    p.add_argument("--objectifs", default="")
    p.add_argument("--organisme", default="", help="organisme ou formateur")
    p.add_argument("--public", default="membres", choices=["membres", "membres_suppleants", "ouvert"])


@register("formations creer", "crée une formation", _create_args)
async def _create(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.formations.usecases import schedule

    row = await schedule.create_training(ctx, cli_actor(), TrainingStore(ctx.db), args.territoire, schedule.TrainingInput(
        titre=args.titre, objectifs=args.objectifs, organisme=args.organisme, public=args.public, conseils=tuple(args.conseil)))
    print(_("Formation créée (n° {id}).").format(id=row.id))
    return 0


def _session_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("formation", type=int, help="n° de la formation")
    p.add_argument("--jour", type=date.fromisoformat, required=True, help="AAAA-MM-JJ")
    p.add_argument("--debut", type=time.fromisoformat, required=True, help="HH:MM, heure de Paris")
    p.add_argument("--fin", type=time.fromisoformat, required=True, help="HH:MM")
    p.add_argument("--pause", help="pause de midi, HH:MM-HH:MM")
    p.add_argument("--lieu", default="")
    p.add_argument("--visio", default="", help="lien de visioconférence")
    p.add_argument("--places", type=int, help="capacité (sans limite par défaut)")


@register("formations seance", "ajoute une séance à une formation", _session_args)
async def _session(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.formations.usecases import schedule

    pause: tuple[time | None, time | None] = (None, None)
    if args.pause:
        a, _sep, b = args.pause.partition("-")
        pause = (time.fromisoformat(a), time.fromisoformat(b))
    row = await schedule.add_session(ctx, cli_actor(), TrainingStore(ctx.db), args.formation, schedule.SessionInput(
        debut=datetime.combine(args.jour, args.debut, PARIS), fin=datetime.combine(args.jour, args.fin, PARIS),
        pause_debut=pause[0], pause_fin=pause[1], lieu=args.lieu, lien_visio=args.visio, capacite=args.places))
    print(_("Séance ajoutée (n° {id}).").format(id=row.id))
    return 0


def _enrol_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("formation", type=int, help="n° de la formation")
    p.add_argument("--membre", type=int, required=True, help="n° de la fiche du membre")


@register("formations inscrire", "inscrit un membre aux séances à venir d'une formation", _enrol_args)
async def _enrol(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.formations.usecases import enrolment

    person = await enrolment.member_participant(args.membre)
    for r in await enrolment.enrol_in_training(ctx, cli_actor(), TrainingStore(ctx.db), args.formation, person):
        where = _("inscrit") if r.position is None else _("liste d'attente, rang {n}").format(n=r.position)
        print(_("séance {s} : {etat}").format(s=r.enrolment.seance_id, etat=where))
    return 0


def _mark_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("inscription", type=int, help="n° de l'inscription")
    p.add_argument("--demi-journee", required=True, choices=["matin", "apres_midi"])
    p.add_argument("--presence", required=True, choices=["present", "absent", "excuse"])


@register("formations emarger", "note une présence (par demi-journée)", _mark_args)
async def _mark(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.formations.usecases import attendance

    await attendance.record_mark(ctx, cli_actor(), TrainingStore(ctx.db), args.inscription, args.demi_journee, args.presence)
    print(_("Présence notée."))
    return 0


def _pdf_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", type=int, help="n° de la séance (feuille) ou de la formation (attestations)")
    p.add_argument("--pdf", type=Path, required=True, help="fichier PDF à écrire")


@register("formations feuille", "écrit la feuille d'émargement d'une séance (PDF)", _pdf_args)
async def _sheet(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.formations.documents import attendance_sheet_pdf
    from service.formations.issuer import issuer_of
    from service.formations.usecases import attendance

    sheet = await attendance.sheet(TrainingStore(ctx.db), args.id)
    args.pdf.write_bytes(attendance_sheet_pdf(sheet, await issuer_of(sheet.training), created=ctx.now()))
    print(_("Feuille écrite : {f}").format(f=args.pdf))
    return 0


@register("formations attestations", "écrit les attestations des personnes présentes (PDF)", _pdf_args)
async def _attestations(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.formations.documents import attestations_pdf
    from service.formations.issuer import issuer_of
    from service.formations.usecases import attendance

    training, people = await attendance.attestations_of(TrainingStore(ctx.db), args.id)
    if not people:
        print(_("Personne n'a encore assisté à une demi-journée : aucune attestation."), file=sys.stderr)
        return 1
    args.pdf.write_bytes(attestations_pdf(training, people, await issuer_of(training), created=ctx.now()))
    for p in people:
        print(f"  {p.enrolment.prenom} {p.enrolment.nom} : {format_hours(p.hours)}")
    print(ngettext("{n} attestation écrite : {f}", "{n} attestations écrites : {f}", len(people)).format(n=len(people), f=args.pdf))
    return 0


@register("formations rappels", "met en file les rappels des séances proches (le service le fait aussi seul)", lambda p: None)
async def _reminders(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.formations.usecases.enrolment import send_reminders

    store = TrainingStore(ctx.db)
    n = await send_reminders(ctx, store, await store.trainings())
    print(ngettext("{n} rappel mis en file d'envoi", "{n} rappels mis en file d'envoi", n).format(n=n))
    return 0
