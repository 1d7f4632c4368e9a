"""``conseil demo``: a demo territory, QPV and council; ``conseil restaurer``: bring back an
archived territory, QPV or council (what the administration page does)."""

from __future__ import annotations

import argparse

from service.cli import cli_actor, register, upgrade_database
from service.context import AppContext


def _noargs(p: argparse.ArgumentParser) -> None:
    return None


@register("demo", "crée un territoire, un quartier et un conseil de démonstration", _noargs)
async def _demo(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.demo import load_demo

    await upgrade_database(ctx)
    summary = await load_demo(ctx)
    print(summary)
    return 0


def _restore_args(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--territoire", type=int, metavar="N", help="numéro du territoire archivé")
    which.add_argument("--qpv", type=int, metavar="N", help="numéro du quartier archivé")
    which.add_argument("--conseil", type=int, metavar="N", help="numéro du conseil archivé")


@register("restaurer", "restaure un territoire, un quartier ou un conseil archivé", _restore_args)
async def _restore(ctx: AppContext, args: argparse.Namespace) -> int:
    from domain.i18n import _
    from service.organisation.usecases import restore

    kind, row_id = next((k, v) for k, v in (("territoire", args.territoire), ("qpv", args.qpv),
                                              ("conseil", args.conseil)) if v is not None)
    await upgrade_database(ctx)
    await restore(ctx, cli_actor(), kind, row_id)
    print(_("Restauré : {kind} n° {id}. Il réapparaît dans les listes.").format(kind=kind, id=row_id))
    return 0
