"""``conseil admin create``: an administrator account from a terminal."""

from __future__ import annotations

import argparse
import getpass
import sys

from service.cli import register, upgrade_database
from service.comptes.usecases.accounts import create_admin
from service.context import AppContext


def _admin_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--email", required=True)
    p.add_argument("--nom", required=True, help="nom affiché")
    p.add_argument("--mot-de-passe-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")


@register("admin create", "crée un compte administrateur", _admin_args)
async def _admin_create(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.mot_de_passe_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mot de passe (12 caractères au moins) : ")
        if getpass.getpass("Confirmez : ") != password:
            print("Les deux saisies diffèrent.", file=sys.stderr)
            return 1
    await upgrade_database(ctx)
    account_id = await create_admin(ctx, args.email, args.nom, password)
    print(f"Administrateur créé (compte n° {account_id}).")
    return 0
