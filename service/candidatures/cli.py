"""``conseil candidatures purge``: the applicants' retention purge from a terminal."""

from __future__ import annotations

import argparse
import getpass
import json
from dataclasses import asdict

from service.audit import Actor
from service.candidatures.usecases.purge import purge_applications
from service.cli import register
from service.context import AppContext


def _purge_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--conseil", type=int, default=None, help="un seul conseil (n°)")
    p.add_argument("--dry-run", action="store_true", help="compter sans supprimer")


@register(
    "candidatures purge",
    "supprime les candidatures non retenues après le délai de conservation du conseil",
    _purge_args,
)
async def _purge(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        who = getpass.getuser()
    except Exception:
        who = "inconnu"
    results = await purge_applications(
        ctx, Actor.system(f"ligne de commande ({who})"), args.conseil, dry_run=args.dry_run
    )
    print(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    return 0
