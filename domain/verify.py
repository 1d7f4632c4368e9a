"""Standalone verifier of a cc-draw/1 draw (§9 of ``spec/draw-protocol.md``).

Usage, with nothing but Python 3.11+ and a copy of the ``domain/`` folder::

    python -m domain.verify RECORD.json POOL.tsv

Exit status: 0 the draw checks out, 1 it does not (the first disagreement is printed in
plain French), 2 a file cannot be read or parsed. Only the standard library is used, and
the recomputation is the same code the service ranks with (``domain.draw.protocol``),
itself standard-library only.

What is checked, in this order (the first failure is reported): the record's members;
the pool file's SHA-256 against ``pool_digest``; the pool's format (§2); ``pool_size``
and ``strata_counts``; the plan against the pool (§3, and the §7 allocation of seats if
the plan has them); the commitment; the dates (entropy after commitment, rounds after
entropy); the seed; every ticket and the ranking, of which each published ``ranked``
list must be a prefix; the rounds (numbering, round 1 = the quotas, never more people
invited than the list holds or than the record publishes).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from domain.draw.protocol import (
    PROTOCOL,
    RECORD_MEMBERS,
    Plan,
    Pool,
    commitment,
    derive_seed,
    parse_plan,
    parse_pool,
    pool_digest,
    rank,
    seats_allocation_problem,
)
from domain.errors import DomainError
from domain.i18n import _, ngettext

EXIT_OK: Final = 0
EXIT_MISMATCH: Final = 1
EXIT_UNREADABLE: Final = 2

_MEMBERS: Final = RECORD_MEMBERS


def _thousands(n: int) -> str:
    """« 3 068 » with a narrow no-break space, as babel writes French numbers."""
    return f"{n:,}".replace(",", "\u202f")

@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a verification.

    ``code`` is stable (``ok``, ``empreinte-liste``, ``engagement``, ``graine``,
    ``classement``, ``tours``…); ``message`` is for people; ``checked`` lists, in French,
    what was found in agreement before the outcome; ``unreadable`` is set when the pool
    file could not be parsed at all (exit status 2).
    """

    ok: bool
    code: str
    message: str
    checked: tuple[str, ...] = ()
    unreadable: bool = False

    def __bool__(self) -> bool:
        return self.ok

    @property
    def exit_status(self) -> int:
        if self.ok:
            return EXIT_OK
        return EXIT_UNREADABLE if self.unreadable else EXIT_MISMATCH


class _Mismatch(Exception):
    def __init__(self, code: str, message: str, *, unreadable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.unreadable = unreadable


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _aware_datetime(member: str, value: object) -> datetime:
    problem = _("« {member} » n'est pas une date ISO 8601 avec décalage horaire : {value!r}.")
    if not isinstance(value, str):
        raise _Mismatch("date", problem.format(member=member, value=value))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Mismatch("date", problem.format(member=member, value=value)) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _Mismatch("date", problem.format(member=member, value=value))
    return parsed


def _first_difference(published: Sequence[Any], recomputed: Sequence[str]) -> int:
    for i, (a, b) in enumerate(zip(published, recomputed, strict=False)):
        if a != b:
            return i
    return min(len(published), len(recomputed))


class _Verifier:
    def __init__(self, record: Mapping[str, Any], pool_bytes: bytes) -> None:
        self.record = record
        self.pool_bytes = pool_bytes
        self.checked: list[str] = []

    def run(self) -> str:
        record = self.record
        self._shape()
        pool = self._pool()
        plan = self._plan(pool)

        expected_commitment = commitment(pool.digest, record["plan"])
        if record["commitment"] != expected_commitment:
            raise _Mismatch(
                "engagement",
                _(
                    "L'engagement publié ({published}) ne correspond pas à la liste et au plan "
                    "(recalculé : {expected}) : le plan ou la liste a changé après "
                    "l'engagement."
                ).format(published=record["commitment"], expected=expected_commitment),
            )
        self.checked.append(_("engagement recalculé à partir de la liste et du plan"))
        committed_at = _aware_datetime("committed_at", record["committed_at"])

        if record["entropy"] is None:
            return self._committed_only()

        entropy = record["entropy"]
        if not isinstance(entropy, str):
            raise _Mismatch("alea", _("« entropy » doit être un texte."))
        entered_at = _aware_datetime("entropy_entered_at", record["entropy_entered_at"])
        if entered_at < committed_at:
            raise _Mismatch(
                "dates",
                _(
                    "L'aléa a été saisi ({entered}) avant l'engagement ({committed}) : il aurait "
                    "pu être choisi en connaissant la liste."
                ).format(entered=record["entropy_entered_at"], committed=record["committed_at"]),
            )
        seed = derive_seed(expected_commitment, entropy)
        if record["seed"] != seed.hex():
            raise _Mismatch(
                "graine",
                _(
                    "La graine publiée ({published}) ne correspond pas à l'engagement et à l'aléa "
                    "publiés (recalculée : {expected}) : l'aléa ou la graine a été "
                    "modifié."
                ).format(published=record["seed"], expected=seed.hex()),
            )
        self.checked.append(_("graine recalculée à partir de l'engagement et de l'aléa"))

        ranking = rank(pool, seed, plan.one_per_household)
        published = self._ranked_prefixes(ranking.ranked)
        self._rounds(ranking.ranked, published, plan.quotas, entered_at)
        shown = sum(len(v) for v in published.values())
        rounds = len(record["rounds"])
        # Plurals through the catalogue, thousands with a narrow no-break space (DESIGN §7;
        # this module stays on the standard library, so no babel here).
        return " ".join((
            ngettext("Le tirage est vérifié : la liste ({size} entrée),",
                     "Le tirage est vérifié : la liste ({size} entrées),", pool.size),
            ngettext("l'engagement, l'aléa, la graine, le rang publié",
                     "l'engagement, l'aléa, la graine, les {shown} rangs publiés", shown),
            ngettext("et le tour d'invitations concordent.",
                     "et les {rounds} tours d'invitations concordent.", rounds),
        )).format(size=_thousands(pool.size), shown=_thousands(shown), rounds=rounds)

    # -- the record's form ---------------------------------------------------------

    def _shape(self) -> None:
        record = self.record
        for member in _MEMBERS:
            if member not in record:
                raise _Mismatch(
                    "registre-incomplet",
                    _("Le registre ne contient pas le membre « {member} ».").format(member=member),
                )
        if record["protocol"] != PROTOCOL:
            raise _Mismatch(
                "protocole",
                _(
                    "Le registre annonce le protocole « {found} » ; ce vérificateur connaît "
                    "« {expected} »."
                ).format(found=record["protocol"], expected=PROTOCOL),
            )
        for member in ("pool_digest", "commitment"):
            if not isinstance(record[member], str):
                raise _Mismatch(
                    "registre-invalide",
                    _("« {member} » doit être un texte hexadécimal.").format(member=member),
                )

    # -- the pool ------------------------------------------------------------------

    def _pool(self) -> Pool:
        record = self.record
        digest = pool_digest(self.pool_bytes)
        if record["pool_digest"] != digest:
            raise _Mismatch(
                "empreinte-liste",
                _(
                    "Le fichier de la liste ne correspond pas au registre : son empreinte "
                    "SHA-256 est {actual}, le registre annonce {published}. La liste a été "
                    "modifiée, ou ce n'est pas celle du tirage."
                ).format(actual=digest, published=record["pool_digest"]),
            )
        self.checked.append(_("empreinte SHA-256 de la liste"))
        try:
            pool = parse_pool(self.pool_bytes, digest=digest)
        except DomainError as exc:
            raise _Mismatch("liste-illisible", exc.detail, unreadable=True) from exc
        if not _is_count(record["pool_size"]) or record["pool_size"] != pool.size:
            raise _Mismatch(
                "taille-liste",
                _(
                    "Le registre annonce {published} entrées (pool_size), la liste en "
                    "contient {actual}."
                ).format(published=record["pool_size"], actual=pool.size),
            )
        counts = record["strata_counts"]
        if (
            not isinstance(counts, Mapping)
            or not all(_is_count(n) for n in counts.values())
            or dict(counts) != dict(pool.strata_counts)
        ):
            actual = ", ".join(f"{s} : {n}" for s, n in pool.strata_counts.items())
            raise _Mismatch(
                "effectifs-strates",
                _(
                    "Les effectifs par strate du registre (strata_counts) ne sont pas ceux de la "
                    "liste ({actual})."
                ).format(actual=actual),
            )
        self.checked.append(_("taille de la liste et effectifs par strate"))
        return pool

    def _plan(self, pool: Pool) -> Plan:
        try:
            plan = parse_plan(self.record["plan"], pool.strata_counts)
        except DomainError as exc:
            raise _Mismatch("plan", exc.detail) from exc
        if plan.seats is not None:
            problem = seats_allocation_problem(plan.seats, pool.strata_counts)
            if problem is not None:
                raise _Mismatch("plan", _("Plan : {problem}.").format(problem=problem))
        self.checked.append(_("plan cohérent avec la liste"))
        return plan

    # -- before the entropy --------------------------------------------------------

    def _committed_only(self) -> str:
        record = self.record
        ranked = record["ranked"]
        if (
            record["seed"] is not None
            or record["entropy_entered_at"] is not None
            or record["rounds"]
            or not isinstance(ranked, Mapping)
            or any(ranked.values())
        ):
            raise _Mismatch(
                "alea",
                _("Le registre n'a pas d'aléa mais publie une graine, un classement ou des tours."),
            )
        return _(
            "Engagement vérifié : la liste et le plan sont bien ceux engagés. L'aléa n'a pas "
            "encore été saisi ; il n'y a pas encore de classement à vérifier."
        )

    # -- the ranking ---------------------------------------------------------------

    def _ranked_prefixes(self, recomputed: Mapping[str, tuple[str, ...]]) -> dict[str, list[Any]]:
        ranked = self.record["ranked"]
        if not isinstance(ranked, Mapping):
            raise _Mismatch("classement", _("« ranked » doit être un objet {strate: [clés]}."))
        published: dict[str, list[Any]] = {}
        for stratum in sorted(ranked):
            keys = ranked[stratum]
            if stratum not in recomputed:
                raise _Mismatch(
                    "classement",
                    _(
                        "Le classement publié contient la strate « {stratum} », absente de la "
                        "liste."
                    ).format(stratum=stratum),
                )
            if not isinstance(keys, list):
                raise _Mismatch(
                    "classement",
                    _(
                        "Strate « {stratum} » : le classement publié doit être une liste de clés."
                    ).format(stratum=stratum),
                )
            full = recomputed[stratum]
            if len(keys) > len(full):
                raise _Mismatch(
                    "classement",
                    _(
                        "Strate « {stratum} » : le registre publie {published} rangs, le "
                        "classement recalculé n'en compte que {actual}."
                    ).format(stratum=stratum, published=len(keys), actual=len(full)),
                )
            if keys != list(full[: len(keys)]):
                i = _first_difference(keys, full)
                raise _Mismatch(
                    "classement",
                    _(
                        "Strate « {stratum} », rang {rank} : le registre publie « {published} », "
                        "le classement recalculé donne « {expected} »."
                    ).format(stratum=stratum, rank=i + 1, published=keys[i], expected=full[i]),
                )
            published[stratum] = keys
        for stratum in recomputed:
            published.setdefault(stratum, [])
        self.checked.append(_("tickets et classement recalculés ; listes publiées conformes"))
        return published

    # -- the rounds ----------------------------------------------------------------

    def _rounds(
        self,
        recomputed: Mapping[str, tuple[str, ...]],
        published: Mapping[str, list[Any]],
        quotas: Mapping[str, int],
        entered_at: datetime,
    ) -> None:
        rounds = self.record["rounds"]
        if not isinstance(rounds, list):
            raise _Mismatch("tours", _("« rounds » doit être une liste."))
        depths = dict.fromkeys(recomputed, 0)
        previous_at = entered_at
        for index, item in enumerate(rounds, start=1):
            if not isinstance(item, Mapping) or not {"round", "invited", "at"} <= set(item):
                raise _Mismatch(
                    "tours",
                    _("Le tour n° {n} doit avoir les membres round, invited et at.").format(
                        n=index
                    ),
                )
            if item["round"] != index:
                raise _Mismatch(
                    "tours",
                    _(
                        "Les tours doivent être numérotés 1, 2, 3… : le {n}e porte le numéro "
                        "{found!r}."
                    ).format(n=index, found=item["round"]),
                )
            at = _aware_datetime(f"rounds[{index - 1}].at", item["at"])
            if at < previous_at:
                raise _Mismatch(
                    "tours",
                    _("Le tour {n} est daté ({at}) avant l'aléa ou le tour précédent.").format(
                        n=index, at=item["at"]
                    ),
                )
            previous_at = at
            invited = item["invited"]
            if not isinstance(invited, Mapping):
                raise _Mismatch(
                    "tours", _("Tour {n} : « invited » doit être un objet.").format(n=index)
                )
            for stratum, n in invited.items():
                if stratum not in recomputed:
                    raise _Mismatch(
                        "tours",
                        _("Tour {n} : la strate « {stratum} » n'existe pas dans la liste.").format(
                            n=index, stratum=stratum
                        ),
                    )
                if not _is_count(n):
                    raise _Mismatch(
                        "tours",
                        _(
                            "Tour {n}, strate « {stratum} » : le nombre d'invités doit être un "
                            "entier positif ou nul."
                        ).format(n=index, stratum=stratum),
                    )
                depths[stratum] += n
                if depths[stratum] > len(recomputed[stratum]):
                    raise _Mismatch(
                        "tours",
                        _(
                            "Tour {n}, strate « {stratum} » : {depth} personnes invitées au total, "
                            "mais la liste classée n'en compte que {size}."
                        ).format(
                            n=index,
                            stratum=stratum,
                            depth=depths[stratum],
                            size=len(recomputed[stratum]),
                        ),
                    )
            if index == 1:
                expected = {s: min(quotas.get(s, 0), len(keys)) for s, keys in recomputed.items()}
                got = {s: invited.get(s, 0) for s in recomputed}
                if got != expected:
                    raise _Mismatch(
                        "tours",
                        _(
                            "Le premier tour doit inviter les quotas du plan ({expected}) ; le "
                            "registre indique {got}."
                        ).format(expected=_counts_text(expected), got=_counts_text(got)),
                    )
        for stratum in sorted(depths):
            if len(published[stratum]) < depths[stratum]:
                raise _Mismatch(
                    "tours",
                    _(
                        "Strate « {stratum} » : {depth} personnes ont été invitées mais le "
                        "classement publié s'arrête au rang {shown}."
                    ).format(stratum=stratum, depth=depths[stratum], shown=len(published[stratum])),
                )
        self.checked.append(_("tours d'invitations cohérents avec la liste et le plan"))


def _counts_text(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{s} : {n}" for s, n in sorted(counts.items()))


def verify(record: Mapping[str, Any], pool_bytes: bytes) -> VerifyResult:
    """§9: recompute everything from the record and the pool file; first disagreement."""
    if not isinstance(record, Mapping):
        return VerifyResult(
            False, "registre-invalide", _("Le registre doit être un objet JSON."), unreadable=True
        )
    verifier = _Verifier(record, pool_bytes)
    try:
        message = verifier.run()
    except _Mismatch as problem:
        return VerifyResult(
            False, problem.code, problem.message, tuple(verifier.checked), problem.unreadable
        )
    return VerifyResult(True, "ok", message, tuple(verifier.checked))


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out, err = sys.stdout, sys.stderr
    for stream in (out, err):
        # A terminal that cannot show "é" must not turn a verdict into a crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    if len(args) != 2 or args[0] in {"-h", "--help"}:
        print(
            _(
                "Usage : python -m domain.verify REGISTRE.json LISTE.tsv\n"
                "Vérifie un tirage au sort cc-draw/1. Code de sortie : 0 tirage vérifié, "
                "1 désaccord, 2 fichier illisible."
            ),
            file=err if len(args) != 2 else out,
        )
        return EXIT_OK if args and args[0] in {"-h", "--help"} else EXIT_UNREADABLE
    record_path, pool_path = args
    try:
        record_bytes = _read(record_path)
    except OSError as exc:
        print(
            _("Impossible de lire le registre « {path} » : {error}").format(
                path=record_path, error=exc.strerror or exc
            ),
            file=err,
        )
        return EXIT_UNREADABLE
    try:
        pool_bytes = _read(pool_path)
    except OSError as exc:
        print(
            _("Impossible de lire la liste « {path} » : {error}").format(
                path=pool_path, error=exc.strerror or exc
            ),
            file=err,
        )
        return EXIT_UNREADABLE
    try:
        record = json.loads(record_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(
            _("Le registre « {path} » n'est pas du JSON valide : {error}").format(
                path=record_path, error=exc
            ),
            file=err,
        )
        return EXIT_UNREADABLE

    result = verify(record, pool_bytes)
    for item in result.checked:
        print(_("  ✓ {check}").format(check=item), file=out)
    if result.ok:
        print(result.message, file=out)
    elif result.unreadable:
        print(_("Fichier illisible : {message}").format(message=result.message), file=err)
    else:
        print(_("ÉCHEC de la vérification : {message}").format(message=result.message), file=out)
    return result.exit_status


if __name__ == "__main__":
    sys.exit(main())
