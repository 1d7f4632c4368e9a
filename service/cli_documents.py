"""``conseil letters …``: the letters of a draw's round from a terminal (same use cases
as the pages; the generation is audited as the CLI)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from service.audit import Actor
from service.cli import register
from service.context import AppContext


def _actor() -> Actor:
    try:
        who = getpass.getuser()
    except Exception:
        who = "inconnu"
    return Actor.system(f"ligne de commande ({who})")


def _generate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tirage", type=int, required=True, help="n° du tirage")
    p.add_argument("--tour", type=int, default=1, help="n° du tour (1 par défaut)")
    p.add_argument("--pdf", type=Path, required=True, help="fichier PDF des lettres à écrire")
    p.add_argument("--csv", type=Path, help="fichier des adresses pour un routeur (CSV)")


@register(
    "letters generate",
    "génère les lettres d'un tour de tirage (un PDF, et le CSV des adresses)",
    _generate_args,
)
async def _generate(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.usecases import letter_batches as lb
    from service.usecases import tirage

    draw = await tirage.get_draw(args.tirage)
    council_id = int(draw["council"])
    batch_id = await lb.start_batch(ctx, _actor(), council_id, args.tirage, args.tour)
    await lb.run_batch(ctx, batch_id)
    batch = await lb.get_batch(council_id, args.tirage, args.tour, ctx.now())
    assert batch is not None
    for w in batch["withheld"]:
        print(
            f"  sans lettre : invitation {w['invitation_id']} ({w['stratum']}, rang {w['rank']}) "
            f"— {w['message']}",
            file=sys.stderr,
        )
    if batch["status"] != "pret":
        print(
            f"Aucun PDF : {batch['status_label']}. {batch.get('error') or ''}".strip(),
            file=sys.stderr,
        )
        return 1
    with args.pdf.open("wb") as out:
        async for chunk in lb.iter_pdf(batch_id):
            out.write(chunk)
    if args.csv:
        args.csv.write_bytes(await lb.batch_csv(batch_id))
    print(
        f"{batch['mailed']} lettres, {batch['pages']} pages → {args.pdf} "
        f"(SHA-256 {batch['pdf_digest']}) ; {len(batch['withheld'])} personne(s) sans lettre"
    )
    return 0


def _purge_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--jours", type=int, default=180, help="supprimer les lots plus vieux (180 par défaut)"
    )


@register(
    "letters purge",
    "supprime les lettres générées (PDF et CSV, données personnelles) plus vieilles que --jours",
    _purge_args,
)
async def _purge(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.usecases import letter_batches as lb

    deleted = await lb.purge_batches(ctx, _actor(), args.jours)
    print(f"{deleted} lot(s) de lettres supprimé(s).")
    return 0
