"""``conseil indicateurs …``: the contrat de ville's figures from a terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from domain.i18n import _
from service.cli import register
from service.context import AppContext


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", type=int, help="n° du conseil ou du territoire")
    p.add_argument("--du", help="début de la période, AAAA-MM-JJ (1er janvier par défaut)")
    p.add_argument("--au", help="fin de la période, AAAA-MM-JJ (aujourd'hui par défaut)")
    p.add_argument("--csv", type=Path, help="écrire les chiffres en CSV")
    p.add_argument("--ods", type=Path, help="écrire les chiffres en tableur ODS")
    p.add_argument("--pdf", type=Path, help="écrire le rapport PDF")


async def _run(ctx: AppContext, args: argparse.Namespace, scope: str) -> int:
    from service.indicateurs import exports
    from service.indicateurs.usecases import for_council, for_territory, period_of

    period = period_of(ctx.now(), args.du, args.au)
    if scope == "conseil":
        d, organisation = await for_council(ctx, args.id, period)
    else:
        d, _councils = await for_territory(ctx, args.id, period)
        organisation = d.name
    print(f"{d.name} — {d.period.du:%d/%m/%Y} → {d.period.au:%d/%m/%Y}")
    for _key, label, figures in d.groups:
        print(f"\n{label}")
        for f in figures:
            print(f"  {f.label} : {exports.display(f)}")
    if args.csv:
        args.csv.write_bytes(exports.to_csv(d))
    if args.ods:
        args.ods.write_bytes(exports.to_ods(d))
    if args.pdf:
        args.pdf.write_bytes(exports.to_pdf(d, organisation))
    written = [str(p) for p in (args.csv, args.ods, args.pdf) if p]
    if written:
        print(_("\nÉcrit : {f}").format(f=", ".join(written)), file=sys.stderr)
    return 0


@register("indicateurs conseil", "indicateurs du contrat de ville d'un conseil citoyen", _args)
async def _council(ctx: AppContext, args: argparse.Namespace) -> int:
    return await _run(ctx, args, "conseil")


@register("indicateurs territoire", "indicateurs du contrat de ville d'un territoire", _args)
async def _territory(ctx: AppContext, args: argparse.Namespace) -> int:
    return await _run(ctx, args, "territoire")
