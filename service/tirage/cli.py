"""``conseil verify-draw`` and ``conseil draw …``: check a draw, or run a ceremony from a
terminal (the same use cases as the pages and the API, audited as the CLI)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.draw import plan as draw_plan
from service.cli import cli_actor, register
from service.context import AppContext
from service.tirage.usecases import ceremony, common, records, replies, rounds


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=1, default=str))


def _verify_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("registre", nargs="?", help="registre du tirage (JSON, protocole cc-draw/1 §8)")
    p.add_argument("liste", nargs="?", help="fichier de la liste (TSV, §2)")
    p.add_argument("--tirage", type=int, help="vérifier un tirage enregistré dans la base (n°)")


@register(
    "verify-draw",
    "vérifie un tirage au sort (fichiers, ou --tirage N dans la base) ; code 0, 1 ou 2",
    _verify_args,
)
async def _verify_draw(ctx: AppContext, args: argparse.Namespace) -> int:
    from domain.verify import main as verify_main

    if args.tirage is not None:

        result = await records.reverify(args.tirage)
        print(result.message)
        for line in result.checked:
            print(f"  ✓ {line}")
        return result.exit_status
    if not args.registre or not args.liste:
        print("Indiquez REGISTRE.json et LISTE.tsv, ou --tirage N.", file=sys.stderr)
        return 2
    return verify_main([args.registre, args.liste])


def _id_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("tirage", type=int, help="n° du tirage")


def _list_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--conseil", type=int, required=True)


@register("draw list", "liste les tirages d'un conseil", _list_args)
async def _list(ctx: AppContext, args: argparse.Namespace) -> int:

    for d in await records.list_draws(args.conseil):
        print(
            f"{d['id']:>5}  {d['reference']:<14} {d['status_label']:<22} "
            f"{d['pool_size']:>9} personnes  {d['commitment'][:16]}"
        )
    return 0


def _prepare_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--conseil", type=int, required=True)
    p.add_argument("--vivier", type=int, required=True, help="n° de la liste (vivier)")
    p.add_argument("--sieges", type=int, required=True, help="sièges à pourvoir")
    p.add_argument("--siege-impair", choices=["F", "M"], help="à qui revient le siège impair")
    p.add_argument("--multiple", type=int, default=None, help="courriers du 1er tour par siège")
    p.add_argument(
        "--plusieurs-par-foyer", action="store_true", help="ne pas limiter à une personne par foyer"
    )
    p.add_argument("--lieu", default="")
    p.add_argument("--engager", action="store_true", help="publier l'engagement aussitôt")


@register("draw prepare", "prépare un tirage (plan vérifié sur la liste)", _prepare_args)
async def _prepare(ctx: AppContext, args: argparse.Namespace) -> int:

    data = draw_plan.PlanInput(
        seats=args.sieges,
        odd_seat=args.siege_impair,
        one_per_household=not args.plusieurs_par_foyer,
        multiple=args.multiple or draw_plan.DEFAULT_MULTIPLE,
    )
    d = await ceremony.prepare_draw(ctx, cli_actor(), args.conseil, args.vivier, data, place=args.lieu)
    if args.engager:
        d = await ceremony.commit_draw(ctx, cli_actor(), args.conseil, d["id"])
    print(f"Tirage n° {d['id']} ({d['reference']}) : {d['status_label']}")
    _print({"plan": d["plan"], "pool_digest": d["pool_digest"], "commitment": d["commitment"]})
    return 0


async def _council_of(draw_id: int) -> int:

    return int((await records.get_draw(draw_id))["council"])


@register("draw commit", "publie l'engagement d'un tirage préparé", _id_arg)
async def _commit(ctx: AppContext, args: argparse.Namespace) -> int:

    d = await ceremony.commit_draw(ctx, cli_actor(), await _council_of(args.tirage), args.tirage)
    print(f"Engagement : {d['commitment']}")
    return 0


def _entropy_args(p: argparse.ArgumentParser) -> None:
    _id_arg(p)
    p.add_argument("--alea", required=True, help="faces des dés (au moins 20) ou texte public")
    p.add_argument(
        "--texte",
        action="store_true",
        help="l'aléa est un texte public (loterie, balise), pas des dés",
    )
    p.add_argument("--classer", action="store_true", help="établir le classement aussitôt")


@register("draw entropy", "saisit l'aléa public (une seule fois par engagement)", _entropy_args)
async def _entropy(ctx: AppContext, args: argparse.Namespace) -> int:

    council = await _council_of(args.tirage)
    d = await ceremony.enter_entropy(
        ctx, cli_actor(), council, args.tirage, args.alea, "text" if args.texte else "dice"
    )
    print(f"Graine : {d['seed']}")
    if args.classer:
        d = await ceremony.rank_draw(ctx, cli_actor(), council, args.tirage)
        print(f"Classement établi : {d['ranked_counts']} ; écartés (foyer) : {d['skipped_count']}")
    return 0


@register("draw rank", "établit le classement (après l'aléa)", _id_arg)
async def _rank(ctx: AppContext, args: argparse.Namespace) -> int:

    d = await ceremony.rank_draw(ctx, cli_actor(), await _council_of(args.tirage), args.tirage)
    print(f"Classement établi : {d['ranked_counts']} ; écartés (foyer) : {d['skipped_count']}")
    return 0


def _round_args(p: argparse.ArgumentParser) -> None:
    _id_arg(p)
    p.add_argument(
        "--strate",
        action="append",
        default=[],
        metavar="STRATE=N",
        help="invitations d'une strate (tours suivants) ; sans elles : la proposition du service",
    )
    p.add_argument("--date-limite", help="date limite de réponse, ISO 8601 avec décalage")


@register("draw round", "ouvre le tour d'invitations suivant", _round_args)
async def _round(ctx: AppContext, args: argparse.Namespace) -> int:

    council = await _council_of(args.tirage)
    counts: dict[str, int] | None = None
    d = await records.get_draw(args.tirage)
    if d["status"] == "rounds":
        counts = await rounds.propose_round(args.tirage)
        for item in args.strate:
            stratum, _sep, n = item.partition("=")
            counts[stratum] = int(n)
    deadline = datetime.fromisoformat(args.date_limite) if args.date_limite else None
    d = await rounds.open_round(ctx, cli_actor(), council, args.tirage, counts, deadline=deadline)
    state = await records.draw_state(args.tirage)
    last = state["rounds"][-1]
    from domain.labels import stratum_label
    from service.http.filters import datetime_fr

    invited = ", ".join(f"{stratum_label(s)} : {n}" for s, n in last["invited"].items())
    print(f"Tour {last['number']} ouvert : {invited} ; réponse avant le {datetime_fr(last['deadline'])}")
    return 0


def _replies_args(p: argparse.ArgumentParser) -> None:
    _id_arg(p)
    p.add_argument("fichier", help="CSV : colonnes cle (ou code) et reponse")


@register("draw replies", "importe des réponses (CSV, tout ou rien)", _replies_args)
async def _replies(ctx: AppContext, args: argparse.Namespace) -> int:

    out = await replies.import_replies_csv(
        ctx, cli_actor(), await _council_of(args.tirage), args.tirage, Path(args.fichier).read_bytes()
    )
    n = int(out["recorded"])
    detail = ", ".join(f"{common.REPLY_LABELS.get(k, k)} : {v}" for k, v in dict(out["by_reply"]).items())
    print(f"{n} {'réponse enregistrée' if n <= 1 else 'réponses enregistrées'} ({detail}).")
    return 0


def _export_args(p: argparse.ArgumentParser) -> None:
    _id_arg(p)
    p.add_argument("--registre", help="écrire le registre complet (JSON) dans ce fichier")
    p.add_argument("--liste", help="écrire le fichier de la liste (TSV) dans ce fichier")


@register(
    "draw export",
    "exporte le registre complet et la liste pour une vérification indépendante",
    _export_args,
)
async def _export(ctx: AppContext, args: argparse.Namespace) -> int:
    from domain.draw.record import record_json

    if args.registre:
        Path(args.registre).write_bytes(record_json(await records.audit_record(args.tirage)))
        print(f"Registre écrit : {args.registre}")
    if args.liste:
        Path(args.liste).write_bytes(await records.draw_pool_file(args.tirage))
        print(f"Liste écrite : {args.liste}")
    if not args.registre and not args.liste:
        _print(await records.public_record((await records.get_draw(args.tirage))["reference"]))
    return 0


@register("draw show", "affiche l'état d'un tirage (tours, réponses, sièges)", _id_arg)
async def _show(ctx: AppContext, args: argparse.Namespace) -> int:

    state = await records.draw_state(args.tirage)
    state.pop("invitations", None)
    _print(state)
    return 0
