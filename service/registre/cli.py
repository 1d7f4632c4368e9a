"""``conseil import``, ``conseil purge`` and ``conseil pool build``: registers from the
command line (same use cases as the pages and the API)."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from service.audit import Actor
from service.cli import register, upgrade_database
from service.context import AppContext

CLI_ACTOR = Actor.system("ligne de commande")


class ProgressBar:
    """A text bar on stderr; the total is the file's line count when it is known."""

    def __init__(self, total: int | None, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.last = 0.0

    def __call__(self, stage: str, rows: int) -> None:
        now = time.monotonic()
        if stage == "lecture" and now - self.last < 0.2:
            return
        self.last = now
        if stage == "lecture":
            if self.total:
                share = min(rows / self.total, 1.0)
                filled = int(share * 30)
                bar = "#" * filled + "." * (30 - filled)
                text = f"Lecture   [{bar}] {share:4.0%}  {rows:,} lignes"
            else:
                text = f"Lecture   {rows:,} lignes"
        elif stage == "enregistrement":
            text = f"Enregistrement et dédoublonnage de {rows:,} lignes…"
        else:
            text = f"Terminé : {rows:,} lignes lues."
        print("\r" + text.replace(",", "\u202f").ljust(78), end="" if stage != "termine" else "\n",
              file=self.stream, flush=True)


def _count_lines(path: Path) -> int | None:
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        return None
    n = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
    return max(n - 1, 1)


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("council_id", type=int, metavar="CONSEIL", help="numéro du conseil")
    p.add_argument("file", type=Path, metavar="FICHIER")
    p.add_argument("--type", choices=["liste", "bailleur", "autre", "perimetre", "exclusions"],
                   help="type de fichier (détecté d'après les colonnes sinon)")
    p.add_argument("--encoding", help="encodage (détecté sinon), ex. utf-8, cp1252")
    p.add_argument("--delimiter", help="séparateur (détecté sinon) ; « tab » pour tabulation")
    p.add_argument("--mapping", help="nom d'une correspondance enregistrée pour ce conseil")
    p.add_argument("--keep-valid", action="store_true",
                   help="importer les lignes valides même si d'autres sont rejetées (les lignes "
                        "rejetées sont écrites dans un fichier CSV, voir --rejets)")
    p.add_argument("--rejets", type=Path, metavar="FICHIER_CSV",
                   help="où écrire les lignes rejetées (par défaut : <fichier>-rejets.csv dans "
                        "le répertoire courant)")
    p.add_argument("--quiet", action="store_true", help="sans barre de progression")


@register("import", "importe un registre, un périmètre ou une liste d'exclusion", _import_args)
async def _import(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.registre.usecases import common as common_uc
    from service.registre.usecases import imports as imports_uc
    from service.registre.usecases import sources as sources_uc

    await upgrade_database(ctx)
    path: Path = args.file
    delimiter = "\t" if args.delimiter == "tab" else args.delimiter
    bar = None if args.quiet else ProgressBar(_count_lines(path) if path.exists() else None)
    t0 = time.perf_counter()
    report = await imports_uc.import_file(
        ctx, CLI_ACTOR, args.council_id, path, path.name,
        common_uc.ImportOptions(kind=args.type, encoding=args.encoding, delimiter=delimiter,
                         mapping_name=args.mapping, keep_valid=args.keep_valid),
        progress=bar)
    elapsed = time.perf_counter() - t0
    merged = int(report["merged"] or 0)
    print(f"Import n° {report['id']} ({report['kind_label']}) en {_decimal(elapsed)} s : "
          f"{_count(report['rows_read'], 'ligne lue', 'lignes lues')}, "
          f"{_count(report['imported'], 'importée', 'importées')}, "
          f"{_count(report['rejected'], 'rejetée', 'rejetées')} ; "
          f"{_count(merged, 'personne déjà connue', 'personnes déjà connues')} "
          "(dans un autre fichier ou en double dans celui-ci), fusionnées.")
    if report.get("rapport"):
        r = report["rapport"]
        print(f"Registre du conseil : {_count(r['personnes'], 'personne', 'personnes')}, "
              f"{_count(r['lignes_fusionnees'], 'ligne fusionnée', 'lignes fusionnées')}, "
              f"{_count(r['paires_ambigues'], 'doublon possible', 'doublons possibles')} "
              "à trancher.")
        no_sex = r.get("sexe_inconnu_lignes") or []
        for line in no_sex[:_SHOWN]:
            print(f"  Avertissement — ligne {line} : sexe inconnu (ni sexe ni civilité) ; la "
                  "personne est importée mais le vivier la laissera de côté.", file=sys.stderr)
        more = int(r.get("sexe_inconnu") or 0) - min(len(no_sex), _SHOWN)
        if more > 0:
            print(f"  … et {_count(more, 'autre ligne', 'autres lignes')} sans sexe connu.",
                  file=sys.stderr)
    rejected = int(report["rejected"] or 0)
    for rej in report.get("rejets", [])[:_SHOWN]:
        print(f"  - ligne {rej['line']}, {', '.join(rej['fields'])} : {rej['message']}")
    if rejected:
        more = rejected - min(len(report.get("rejets", [])), _SHOWN)
        if more > 0:
            print(f"  … et {_count(more, 'autre ligne rejetée', 'autres lignes rejetées')}.")
        target = args.rejets or Path.cwd() / f"{path.stem}-rejets.csv"
        target.write_bytes(await sources_uc.rejected_rows_csv(args.council_id, int(report["id"])))
        print(f"Lignes rejetées (ligne, champ, motif et valeurs) écrites dans {target}.")
    return 0


_SHOWN = 20  # lines printed per kind of message; the rest are counted


def _count(n: int, singular: str, plural: str) -> str:
    """« 1 ligne lue », « 3 000 lignes lues » (babel's French grouping)."""
    from babel.numbers import format_decimal

    return f"{format_decimal(n, locale='fr_FR')} {singular if n <= 1 else plural}"


def _decimal(x: float) -> str:
    from babel.numbers import format_decimal

    return format_decimal(round(x, 1), format="0.0", locale="fr_FR")


def _purge_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="compter sans rien supprimer")
    p.add_argument("--council", type=int, help="un seul conseil (tous sinon)")


@register("purge", "supprime les données des habitants non retenus après la durée de conservation",
          _purge_args)
async def _purge(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.registre.usecases.purge import purge

    await upgrade_database(ctx)
    results = await purge(ctx, CLI_ACTOR, args.council, dry_run=args.dry_run)
    if not results:
        print("Rien à purger.")
    verb = "seraient supprimées" if args.dry_run else "supprimées"
    for r in results:
        from service.http.filters import datetime_fr

        limit = datetime.fromisoformat(r["date_limite"])
        print(f"Conseil n° {r['council_id']} : "
              f"{_count(r['personnes_supprimees'], 'personne', 'personnes')} {verb}, "
              f"{_count(r['personnes_conservees'], 'conservée', 'conservées')} (retenues par un "
              f"tirage), {_count(r['sources'], 'fichier importé', 'fichiers importés')} avant "
              f"le {datetime_fr(limit) if limit.tzinfo else r['date_limite'][:10]}.")
    return 0


def _pool_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("council_id", type=int, metavar="CONSEIL")
    p.add_argument("--date", required=True, help="date de référence (AAAA-MM-JJ)")
    p.add_argument("--strates", default="sexe", choices=["sexe", "sexe-bureau", "sexe-age"])
    p.add_argument("--tranches", default="", help="bornes d'âge pour sexe-age, ex. 30,45,60")
    p.add_argument("--libelle", default="")
    p.add_argument("--accepter-date-inconnue", action="store_true")


@register("pool build", "constitue le vivier (fichier cc-draw/1) des habitants éligibles",
          _pool_args)
async def _pool_build(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.registre.usecases.eligibility import build_pool

    await upgrade_database(ctx)
    spec: dict[str, object] = {"mode": args.strates}
    if args.tranches:
        spec["tranches"] = [t for t in args.tranches.split(",") if t.strip()]
    pool = await build_pool(ctx, CLI_ACTOR, args.council_id, date.fromisoformat(args.date), spec,
                            label=args.libelle,
                            accept_unknown_birth_date=args.accepter_date_inconnue)
    e = pool["eligibilite"]
    print(f"Vivier n° {pool['id']} : {pool['size']} personnes, {e['foyers']} foyers.")
    print(f"Empreinte SHA-256 : {pool['digest']}")
    for stratum, n in pool["strata_counts"].items():
        print(f"  {stratum} : {n}")
    for m in e["motifs"]:
        if m["count"]:
            print(f"  écartées — {m['message']} : {m['count']}")
    return 0
