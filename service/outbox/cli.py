"""``conseil outbox …``: read the outbox, send what is due, put a failed mail back."""

from __future__ import annotations

import argparse

from service.cli import register
from service.context import AppContext


def _list_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--conseil", type=int, help="n° du conseil (tous par défaut)")
    p.add_argument("--etat", choices=["en_attente", "envoi", "envoye", "echec"], help="seulement les courriels dans cet état")
    p.add_argument("--limite", type=int, default=100, help="nombre de courriels affichés (100 par défaut)")


@register("outbox list", "liste les courriels de la file d'envoi et leur état (sans les adresses)", _list_args)
async def _list(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.outbox.model import state_label
    from service.outbox.smtp import smtp_target
    from service.outbox.usecases.enqueue import list_for_council

    configured = smtp_target(ctx.settings.smtp_url) is not None
    entries = await list_for_council(ctx.db, args.conseil, state=args.etat, limit=max(1, args.limite))
    if not entries:
        print("Aucun courriel.")
        return 0
    for e in entries:
        when = e.sent_at.isoformat(timespec="seconds") if e.sent_at else ""
        print(f"{e.id}\t{state_label(e.state, smtp_configured=configured)}\t{e.attempts} tentative(s)\t{e.kind}\t{e.ref}\t{when}")
        if e.last_error and e.state != "envoye":
            from service.outbox.api import without_addresses

            print(f"\tréponse du serveur : {without_addresses(e.last_error)}")
    return 0


def _send_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--boucle", action="store_true", help="continuer à envoyer jusqu'à l'arrêt du processus (toutes les OUTBOX_POLL_SECONDS secondes)")


@register("outbox send", "envoie les courriels dus (une passe, ou sans fin avec --boucle)", _send_args)
async def _send(ctx: AppContext, args: argparse.Namespace) -> int:
    import sys

    from service.outbox.smtp import smtp_target
    from service.outbox.usecases.sending import new_worker_id, sender_loop

    if smtp_target(ctx.settings.smtp_url) is None:
        print("Aucun serveur de courriel configuré (SMTP_URL) : rien n'est envoyé.", file=sys.stderr)
        return 1
    poll = float(ctx.settings.outbox_poll_seconds or 5)
    sent = await sender_loop(ctx, new_worker_id(), poll, until_idle=not args.boucle)
    print(f"{sent} courriel(s) envoyé(s).")
    return 0


def _retry_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", type=int, help="n° du courriel (voir « conseil outbox list »)")


@register("outbox retry", "remet en file d'envoi un courriel en échec (tentatives remises à zéro)", _retry_args)
async def _retry(ctx: AppContext, args: argparse.Namespace) -> int:
    from service.outbox.usecases.enqueue import retry

    entry = await retry(ctx.db, args.id, now=ctx.now())
    print(f"Courriel {entry.id} remis en file d'envoi.")
    return 0
