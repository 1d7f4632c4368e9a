"""The ``conseil`` command: serve, db upgrade, admin create, audit verify, demo, …

Feature modules add their sub-commands through ``COMMANDS`` (see ``register``)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from service.audit import Actor
from service.context import AppContext
from service.settings import Settings, SettingsError, load_settings

CommandFn = Callable[[AppContext, argparse.Namespace], Awaitable[int]]
COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], CommandFn, str]] = {}


def register(name: str, help_text: str, configure: Callable[[argparse.ArgumentParser], None]) -> Callable[[CommandFn], CommandFn]:
    def deco(fn: CommandFn) -> CommandFn:
        # Two features declaring the same command: the second would replace the first.
        known = COMMANDS.get(name)
        if known is not None and (known[1].__module__, known[1].__qualname__) != (fn.__module__, fn.__qualname__):
            raise RuntimeError(f"two commands named {name!r}: {known[1].__module__} and {fn.__module__}")
        COMMANDS[name] = (configure, fn, help_text)
        return fn

    return deco


async def open_context(settings: Settings) -> AppContext:
    from service.db.engine import bind_engine, make_engine

    ctx = AppContext(settings=settings, db=bind_engine(make_engine(settings)))
    await ctx.db.start()
    return ctx


async def upgrade_database(ctx: AppContext) -> None:
    from service import audit
    from service.db.migrate import upgrade

    await upgrade(ctx.db.engine)
    await audit.ensure_head()


def cli_actor() -> Actor:
    """Who acts from a terminal: audited as the command line and the system user."""
    try:
        who = getpass.getuser()
    except Exception:
        who = "inconnu"
    return Actor.system(f"ligne de commande ({who})")


def _noargs(p: argparse.ArgumentParser) -> None:
    return None


@register("db upgrade", "applique les migrations à la base", _noargs)
async def _db_upgrade(ctx: AppContext, args: argparse.Namespace) -> int:
    await upgrade_database(ctx)
    print("Base à jour.")
    return 0


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--workers", type=int, default=1)


async def _prepare_serve(settings: Settings) -> str | None:
    from service.comptes.usecases.accounts import issue_setup_token

    ctx = await open_context(settings)
    try:
        await upgrade_database(ctx)
        return await issue_setup_token(ctx)
    finally:
        await ctx.db.stop()


def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    host = args.host or settings.host
    port = args.port or settings.port
    env = {"HOST": host, "PORT": str(port)}
    os.environ.update(env)
    settings = load_settings()
    token = asyncio.run(_prepare_serve(settings))
    base = settings.public_base_url
    local = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    print(f"\n  Conseils citoyens — service démarré sur {local}")
    print(f"  Base : {'SQLite ' + str(settings.sqlite_path) if settings.is_sqlite else 'PostgreSQL'}")
    print(f"  Documentation de l'API : {local}/schema")
    from service.public_address import public_address_problem

    problem = public_address_problem(settings)
    if problem is None:
        print(f"  Adresse publique (lettres, QR codes, invitations) : {base}")
    elif settings.allow_loopback_links:
        print(f"  Adresse publique : {base} — adresse locale acceptée (ALLOW_LOOPBACK_LINKS, développement)")
    else:
        print(f"\n  ATTENTION : {problem}")
        print("  Les lettres et les invitations seront refusées tant que ce réglage manque.")
    if token:
        print("\n  Aucun administrateur n'existe encore. Créez le premier compte :")
        print(f"    - dans le navigateur : {local}/installation?jeton={token}")
        print("    - ou en ligne de commande : .venv/bin/conseil admin create --email … --nom …")
    else:
        print(f"  Connexion : {local}/connexion")
    print()
    uvicorn.run("service.app:create_app", factory=True, host=host, port=port, workers=args.workers,
                log_level=settings.log_level.lower(), access_log=settings.log_level == "DEBUG")
    return 0


def _load_feature_commands() -> None:
    """Each declared feature's CLI modules add their sub-commands with ``register``."""
    import importlib

    from service import features

    for mod in features.cli_modules():
        importlib.import_module(mod)


# argparse's own words (usage, errors, help headings), in French: argparse looks up its
# module-level ``_`` and ``ngettext`` at call time, so replacing them is enough.
_ARGPARSE_FR = {
    "usage: ": "utilisation : ",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "choix invalide : %(value)r (possibles : %(choices)s)",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s attendu) : %(value)r",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "expected one argument": "une valeur est attendue",
    "expected at least one argument": "au moins une valeur est attendue",
    "expected at most one argument": "au plus une valeur est attendue",
    "ambiguous option: %(option)s could match %(matches)s":
        "option ambiguë : %(option)s peut désigner %(matches)s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ignored explicit argument %r": "argument explicite ignoré : %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "commande inconnue %(parser_name)r (possibles : %(choices)s)",
}
_ARGPARSE_FR_PLURAL = {
    "expected %s argument": ("%s valeur attendue", "%s valeurs attendues"),
}


def _french_argparse() -> None:
    # argparse reads these module-level gettext hooks at call time; its stubs do not declare them.
    argparse._ = lambda message: _ARGPARSE_FR.get(message, message)  # type: ignore[attr-defined]

    def ngettext(singular: str, plural: str, n: int) -> str:
        fr = _ARGPARSE_FR_PLURAL.get(singular)
        if fr is None:
            return singular if n == 1 else plural
        return fr[0] if n <= 1 else fr[1]

    argparse.ngettext = ngettext  # type: ignore[attr-defined]  # as above


def build_parser() -> argparse.ArgumentParser:
    _french_argparse()
    _load_feature_commands()
    parser = argparse.ArgumentParser(prog="conseil", description="Service des conseils citoyens")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    p = sub.add_parser("serve", help="démarre le service web")
    _serve_args(p)
    p.set_defaults(command_key="serve")
    groups: dict[str, Any] = {"": sub}
    for name, (configure, _fn, help_text) in sorted(COMMANDS.items()):
        # "letters template show": groups "letters" and "letters template", leaf "show".
        words = name.split(" ")
        for depth in range(1, len(words)):
            path = " ".join(words[:depth])
            if path not in groups:
                parent = groups[" ".join(words[:depth - 1])]
                gp = parent.add_parser(words[depth - 1], help=f"commandes « {path} »")
                groups[path] = gp.add_subparsers(dest=f"subcommand{depth}", required=True,
                                                 metavar="SOUS-COMMANDE")
        leaf = groups[" ".join(words[:-1])].add_parser(words[-1], help=help_text)
        configure(leaf)
        leaf.set_defaults(command_key=name)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Configuration invalide : {exc}", file=sys.stderr)
        return 2
    if args.command_key == "serve":
        return serve(args, settings)
    _configure, fn, _help = COMMANDS[args.command_key]

    async def run() -> int:
        from domain.errors import DomainError

        ctx = await open_context(settings)
        try:
            return await fn(ctx, args)
        except DomainError as exc:
            print(f"Erreur : {exc.detail}", file=sys.stderr)
            for e in exc.errors:
                print(f"  - {('ligne ' + str(e.line) + ', ') if e.line else ''}{e.field} : {e.message}", file=sys.stderr)
            return 1
        finally:
            await ctx.db.stop()

    return asyncio.run(run())


if __name__ == "__main__":
    raise SystemExit(main())

