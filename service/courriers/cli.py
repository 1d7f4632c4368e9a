"""``conseil letters …``: the letters of a draw's round from a terminal (same use cases
as the pages; the generation is audited as the CLI)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from service.cli import cli_actor, register
from service.context import AppContext


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
    from service.courriers.usecases import batches as lb
    from service.tirage.usecases import records

    draw = await records.get_draw(args.tirage)
    council_id = int(draw["council"])
    batch_id = await lb.start_batch(ctx, cli_actor(), council_id, args.tirage, args.tour)
    await lb.run_batch(ctx, batch_id)
    batch = await lb.get_batch(council_id, args.tirage, args.tour, ctx.now())
    assert batch is not None
    for w in batch.withheld:
        print(
            f"  sans lettre : invitation {w.invitation_id} ({w.stratum}, rang {w.rank}) "
            f"— {w.message}",
            file=sys.stderr,
        )
    if batch.status != "pret":
        print(
            f"Aucun PDF : {batch.status_label}. {batch.error or ''}".strip(),
            file=sys.stderr,
        )
        return 1
    with args.pdf.open("wb") as out:
        async for chunk in lb.iter_pdf(batch_id):
            out.write(chunk)
    if args.csv:
        args.csv.write_bytes(await lb.batch_csv(batch_id))
    print(
        f"{batch.mailed} lettres, {batch.pages} pages → {args.pdf} "
        f"(SHA-256 {batch.pdf_digest}) ; {len(batch.withheld)} "
        f"{'personne' if len(batch.withheld) <= 1 else 'personnes'} sans lettre"
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
    from service.courriers.usecases import batches as lb

    deleted = await lb.purge_batches(ctx, cli_actor(), args.jours)
    print(f"{deleted} {'lot de lettres supprimé' if deleted <= 1 else 'lots de lettres supprimés'}.")
    return 0


def _template_show_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--conseil", type=int, required=True, help="n° du conseil")
    p.add_argument("--champ", help="n'afficher que ce champ, en texte brut (ex. corps)")


@register(
    "letters template show",
    "affiche le modèle de lettre du conseil (JSON modifiable, à renvoyer avec « set »)",
    _template_show_args,
)
async def _template_show(ctx: AppContext, args: argparse.Namespace) -> int:
    import json

    from service.courriers.documents_wording import PLACEHOLDERS, LetterWording
    from service.courriers.usecases import templates as lu

    current = await lu.get_template(args.conseil)
    wording = current.wording
    fields = LetterWording.editable_fields()
    if args.champ:
        if args.champ not in fields:
            print(f"Erreur : champ inconnu « {args.champ} ». Champs : {', '.join(fields)}.",
                  file=sys.stderr)
            return 2
        print(getattr(wording, args.champ))
        return 0
    print(json.dumps({k: getattr(wording, k) for k in fields}, ensure_ascii=False, indent=2))
    state = "enregistré" if current.saved else "exemple, pas encore enregistré"
    print(f"Modèle {state} (version {current.version}, logo : "
          f"{'oui' if current.has_logo else 'non'}). Champs entre accolades possibles : "
          f"{', '.join('{' + k + '}' for k in PLACEHOLDERS)}.", file=sys.stderr)
    return 0


def _template_set_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--conseil", type=int, required=True, help="n° du conseil")
    p.add_argument("--fichier", type=Path,
                   help="fichier JSON des champs à changer (tel que l'écrit « show »)")
    p.add_argument("--champ", nargs=2, action="append", default=[], metavar=("NOM", "VALEUR"),
                   help="un champ à changer (répétable) ; VALEUR « @chemin » lit un fichier texte")
    p.add_argument("--logo", type=Path, help="logo PNG ou JPEG à mettre en tête")
    p.add_argument("--sans-logo", action="store_true", help="retirer le logo")


@register(
    "letters template set",
    "enregistre le modèle de lettre du conseil (mêmes contrôles que la page)",
    _template_set_args,
)
async def _template_set(ctx: AppContext, args: argparse.Namespace) -> int:
    import json

    from service.courriers.usecases import templates as lu

    values: dict[str, str] = {}
    if args.fichier:
        try:
            data = json.loads(args.fichier.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"Erreur : fichier {args.fichier} illisible : {exc}", file=sys.stderr)
            return 2
        if not isinstance(data, dict):
            print("Erreur : le fichier doit contenir un objet JSON {\"champ\": \"texte\"}.",
                  file=sys.stderr)
            return 2
        values.update({str(k): str(v) for k, v in data.items()})
    for name, value in args.champ:
        values[name] = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
    if not values and not args.logo and not args.sans_logo:
        print("Erreur : rien à changer (--fichier, --champ, --logo ou --sans-logo).",
              file=sys.stderr)
        return 2
    current = await lu.get_template(args.conseil)
    logo = args.logo.read_bytes() if args.logo else None
    saved = await lu.save_template(ctx, cli_actor(), args.conseil, values,
                                   version=current.version, logo=logo,
                                   remove_logo=args.sans_logo)
    print(f"Modèle de lettre du conseil n° {args.conseil} enregistré "
          f"(version {saved.version}).")
    return 0
