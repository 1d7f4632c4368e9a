"""Verify an exported copy of the audit trail without the service:

    conseil audit export --sortie journal.json
    python -m domain.audit_verify journal.json [--tete SEQ:EMPREINTE …]

Standard library only: anyone holding the file (an auditor, the préfecture) can run it.
``--tete`` gives a head kept from a published document (a draw's public record, a
composition report); the export must still contain it.
"""

from __future__ import annotations

import argparse
import json
import sys

from domain.audit import verify_export
from domain.i18n import _


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m domain.audit_verify", description=_("Vérifie un export du journal d'audit."))
    p.add_argument("fichier", help=_("export produit par « conseil audit export »"))
    p.add_argument("--tete", action="append", default=[], metavar="SEQ:EMPREINTE",
                   help=_("tête publiée sur un document (répétable)"))
    args = p.parse_args(argv)
    kept: list[tuple[int, str]] = []
    for raw in args.tete:
        seq, _sep, h = raw.partition(":")
        if not seq.strip().isdigit() or len(h.strip()) != 64:
            print(_("Tête invalide : « {t} » (attendu : numéro:empreinte).").format(t=raw), file=sys.stderr)
            return 2
        kept.append((int(seq), h.strip().lower()))
    with open(args.fichier, encoding="utf-8") as fh:
        document = json.load(fh)
    report = verify_export(document, kept)
    print(report.message)
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
