"""``conseil demo``: a demo territory, QPV and council."""

from __future__ import annotations

import argparse

from service.cli import register, upgrade_database
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
