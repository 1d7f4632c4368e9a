"""The lead's choices for a draw turned into the cc-draw/1 plan object (§6–§7).

``PlanInput`` is what the lead decides (seats, who gets the odd seat, letters of the first
round); ``plan_for`` checks it against the pool's strata and gives the plan that will be
committed: parity between women and men, each stratum able to fill its seats, quotas
within the pool. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from domain.draw import protocol as proto
from domain.draw import rounds as rnd
from domain.draw.rounds import Sex
from domain.errors import InvalidInput, RuleBroken
from domain.i18n import _, ngettext
from domain.labels import stratum_label

# First-round letters per seat when the lead gives no number: acceptance observed in
# French cities is 1.4–6.5 % (spec/conseil-citoyen.md), so 20 letters a seat expect about
# one acceptance per seat at 5 %.
DEFAULT_MULTIPLE: Final = 20


@dataclass(frozen=True)
class PlanInput:
    """What the lead decides. ``seats``: seats filled from this pool (the residents' seats,
    or the volunteers' seats for a pool of volunteers); ``odd_seat`` ("F"/"M") who gets the
    odd seat; ``invitations``: first-round letters per stratum (default ``multiple`` × the
    stratum's seats, bounded by the pool); ``seats_by_stratum``: explicit seats, for pools
    whose strata are not split by sex."""

    seats: int
    odd_seat: str | None = None
    one_per_household: bool = True
    invitations: Mapping[str, int] | None = None
    multiple: int = DEFAULT_MULTIPLE
    seats_by_stratum: Mapping[str, int] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "seats": self.seats,
            "odd_seat": self.odd_seat,
            "one_per_household": self.one_per_household,
            "invitations": None if self.invitations is None else dict(self.invitations),
            "multiple": self.multiple,
            "seats_by_stratum": None if self.seats_by_stratum is None else dict(self.seats_by_stratum),
        }


def _count(value: Any, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(_("Indiquez un nombre entier positif ou nul."), field=field_name)
    return value


def plan_for(strata_counts: Mapping[str, int], data: PlanInput) -> dict[str, Any]:
    """The cc-draw/1 plan object for a pool's strata, checked against the pool.

    Seats are shared between women and men (|F − M| ≤ 1, odd seat given explicitly) and
    over each sex's sub-strata by largest remainder (§7); a stratum with fewer people than
    its seats is refused here, before anything is committed.
    """
    _count(data.seats, "seats")
    _count(data.multiple, "multiple")
    if data.seats == 0:
        raise InvalidInput(_("Indiquez au moins un siège à pourvoir."), field="seats")
    if data.seats_by_stratum is not None:
        seats = {s: _count(data.seats_by_stratum.get(s, 0), f"seats_by_stratum.{s}") for s in strata_counts}
        unknown = sorted(set(data.seats_by_stratum) - set(strata_counts))
        if unknown:
            raise InvalidInput(
                _("La strate « {s} » n'existe pas dans la liste.").format(s=unknown[0]),
                field="seats_by_stratum",
            )
        if sum(seats.values()) != data.seats:
            raise InvalidInput(
                _("Les sièges par strate ({n}) ne font pas le total annoncé ({total}).").format(n=sum(seats.values()), total=data.seats),
                field="seats_by_stratum",
            )
    else:
        odd = None
        if data.odd_seat:
            try:
                odd = Sex(str(data.odd_seat).upper())
            except ValueError:
                raise InvalidInput(
                    _("Le siège restant revient aux femmes (F) ou aux hommes (M)."),
                    field="odd_seat",
                ) from None
        try:
            seats = dict(rnd.parity_plan(data.seats, odd, strata_counts).seats_by_stratum)
        except InvalidInput as exc:
            if exc.code != "repartition-invalide":
                raise
            raise RuleBroken(
                _(
                    "Une moitié de la liste (femmes ou hommes) ne compte personne alors que des sièges lui "
                    "reviennent : impossible de respecter la parité avec cette liste."
                ),
                code="strate-insuffisante",
                field="seats",
            ) from None
    short = [s for s in sorted(seats) if strata_counts.get(s, 0) < seats[s]]
    if short:
        s = short[0]
        raise RuleBroken(
            (ngettext("La strate « {s} » compte {n} personne", "La strate « {s} » compte {n} personnes", strata_counts.get(s, 0))
             + " " + ngettext("pour {k} siège", "pour {k} sièges", seats[s])
             + _(" : impossible de pourvoir ses sièges. Réduisez le nombre de sièges ou élargissez la liste.")
             ).format(s=stratum_label(s), n=strata_counts.get(s, 0), k=seats[s]),
            code="strate-insuffisante",
            field="seats",
        )
    if data.invitations is not None:
        unknown = sorted(set(data.invitations) - set(strata_counts))
        if unknown:
            raise InvalidInput(
                _("La strate « {s} » n'existe pas dans la liste.").format(s=unknown[0]),
                field="invitations",
            )
        quotas = {s: _count(data.invitations.get(s, 0), f"invitations.{s}") for s in strata_counts}
        for s in sorted(quotas):
            if quotas[s] > strata_counts[s]:
                raise InvalidInput(
                    (ngettext("Strate « {s} » : {q} invitation",
                        "Strate « {s} » : {q} invitations", quotas[s]) + " " + ngettext("pour {n} personne dans la liste.",
                        "pour {n} personnes dans la liste.",
                        strata_counts[s])).format(s=stratum_label(s), q=quotas[s], n=strata_counts[s]),
                    field=f"invitations.{s}",
                )
            if quotas[s] < seats[s]:
                raise InvalidInput(
                    _("Strate « {s} » : le premier tour doit inviter au moins autant de personnes que de sièges ({k}).").format(s=s, k=seats[s]),
                    field=f"invitations.{s}",
                )
    else:
        quotas = {s: min(strata_counts[s], data.multiple * seats[s]) for s in strata_counts}
    return {
        "protocol": proto.PROTOCOL,
        "one_per_household": bool(data.one_per_household),
        "quotas": dict(sorted(quotas.items())),
        "seats": dict(sorted(seats.items())),
    }
