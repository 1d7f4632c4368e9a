"""``conseil reunions convoquer …`` and ``conseil reunions courrier …``: what a secretary
scripts around convocations."""

from __future__ import annotations

import argparse
from pathlib import Path

from service.cli import cli_actor, register
from service.context import AppContext


def _convene_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", type=int, help="n° de la réunion")
    p.add_argument("--urgence", action="store_true", help="convocation en urgence (un jour franc suffit ; motif obligatoire)")
    p.add_argument("--motif", default="", help="motif de l'urgence, rappelé à l'ouverture et inscrit au compte rendu")


@register("reunions convoquer", "envoie les convocations d'une réunion (courriels et lot à poster)", _convene_args)
async def _convene(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.documents.formatting import count_of
    from service.reunions.usecases.convocations import send_convocations

    r = await send_convocations(ctx, cli_actor(), args.id, urgence=args.urgence, motif=args.motif)
    if not r.convened:
        print(f"Rien à envoyer : tous les membres sont déjà convoqués (version {r.version}).")
        return 0
    print(
        f"Convocations version {r.version} : {count_of(r.convened, 'membre convoqué', 'membres convoqués', thousands_sep=' ')}"
        f" ({r.by_email} par courriel, {r.by_post} par courrier), {count_of(r.clear_days, 'jour franc', 'jours francs', thousands_sep=' ')}."
    )
    if r.changes:
        print("Changements annoncés : " + " ; ".join(r.changes))
    if r.by_post:
        print(f"Imprimez le lot : conseil reunions courrier {args.id} --pdf lot.pdf, puis marquez-le posté avec --poste.")
    return 0


def _batch_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", type=int, help="n° de la réunion")
    p.add_argument("--pdf", type=Path, help="fichier PDF à écrire (convocations à poster, ordre du tri postal)")
    p.add_argument("--poste", action="store_true", help="enregistre que le lot a été posté aujourd'hui (date d'envoi)")


@register("reunions courrier", "écrit le lot de convocations à poster et, avec --poste, enregistre son envoi", _batch_args)
async def _batch(ctx: AppContext, args: argparse.Namespace) -> int:
    import sys

    from service.reunions.usecases.convocation_post import mark_posted, printable

    if not args.pdf and not args.poste:
        print("Indiquez --pdf FICHIER et/ou --poste.", file=sys.stderr)
        return 2
    if args.pdf:
        data = await printable(ctx, args.id)
        args.pdf.write_bytes(data)
        print(f"Lot écrit dans {args.pdf} ({len(data) // 1024} Ko).")
    if args.poste:
        n = await mark_posted(ctx, cli_actor(), args.id)
        from service.documents.formatting import count_of

        print(f"Envoi postal enregistré : {count_of(n, 'convocation', 'convocations', thousands_sep=' ')}.")
    return 0
