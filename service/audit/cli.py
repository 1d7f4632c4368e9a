"""``conseil audit …``: verify and export the audit trail from a terminal."""

from __future__ import annotations

import argparse
import json

from service.audit.usecases.trail import export, verify
from service.cli import register
from service.context import AppContext


def _noargs(p: argparse.ArgumentParser) -> None:
    return None


@register("audit verify", "vérifie la chaîne d'empreintes du journal d'audit", _noargs)
async def _audit_verify(ctx: AppContext, args: argparse.Namespace) -> int:
    report = await verify(ctx.db)
    print(report.message)
    return 0 if report.ok else 1


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sortie", default="-", help="fichier à écrire (par défaut : la sortie standard)")


@register("audit export", "exporte la chaîne d'empreintes du journal (vérifiable par python -m domain.audit_verify)", _export_args)
async def _audit_export(ctx: AppContext, args: argparse.Namespace) -> int:
    text = json.dumps(await export(), ensure_ascii=False, indent=1)
    if args.sortie == "-":
        print(text)
    else:
        with open(args.sortie, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"Journal exporté dans {args.sortie}.")
    return 0
