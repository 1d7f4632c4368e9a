"""The letters of a draw's round, prepared: who gets one, in mail-room order, and who
cannot be reached by post, with the reason.

The same round gives the same letters at every preparation: the reply codes are derived
(not random), the order is a total order and the letters' date is the round's.
Nothing here logs or audits a name or an address.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.adresse_postale import (
    AdressePostale,
    BlocAdresse,
    StatutAdresse,
    cle_tri_postal,
    formater_adresse,
)
from domain.i18n import _
from service.context import AppContext
from service.courriers.documents import ResidentLetter
from service.courriers.store import Withheld
from service.documents.fonts import missing_glyphs
from service.organisation import subjects as subjects_uc
from service.tirage.usecases import records, rounds

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class PreparedRound:
    council_id: int
    draw_reference: str
    letters: list[ResidentLetter]
    blocks: dict[int, BlocAdresse]
    withheld: list[Withheld]
    letter_date: date


def _local_date(moment: datetime | None, fallback: date) -> date:
    if moment is None:
        return fallback
    return moment.astimezone(PARIS).date()


def _address_of(subject: subjects_uc.Subject) -> AdressePostale:
    a = subject.address
    if not (a.nom or a.prenom or a.raison_sociale):
        a = dataclasses.replace(
            a, civilite=subject.civilite, prenom=subject.prenom, nom=subject.nom
        )
    return a


async def subjects_of(
    recipients: Sequence[rounds.Recipient],
) -> dict[int, subjects_uc.Subject | None]:
    """Each recipient's person (by invitation), None when the register no longer has it."""
    by_type: dict[str, list[int]] = {}
    for r in recipients:
        if r.subject_id is not None:
            by_type.setdefault(r.subject_type, []).append(int(r.subject_id))
    loaded = {t: await subjects_uc.load_subjects(t, ids) for t, ids in by_type.items()}
    return {
        r.invitation_id: loaded.get(r.subject_type, {}).get(int(r.subject_id))
        if r.subject_id is not None
        else None
        for r in recipients
    }


def _why_not_printable(subject: subjects_uc.Subject | None, bloc: BlocAdresse | None) -> tuple[str, str] | None:
    """(code, message) when this person's letter cannot be printed, else None."""
    if subject is None or subject.purged or bloc is None:
        return (
            "personne-introuvable",
            _("Injoignable par courrier : la personne n'est plus dans le registre."),
        )
    if bloc.status is StatutAdresse.INJOIGNABLE:
        return (
            "injoignable",
            _("Injoignable par courrier : {raisons}").format(
                raisons=" ".join(x.message for x in bloc.reasons)
            ),
        )
    if bloc.status is StatutAdresse.NE_TIENT_PAS:
        return (
            "adresse-trop-longue",
            _("Lettre retenue : {raisons}").format(
                raisons=" ".join(x.message for x in bloc.reasons)
            ),
        )
    if missing_glyphs(" ".join((*bloc.lines, subject.prenom, subject.nom))):
        return (
            "caracteres-non-imprimables",
            _(
                "Lettre retenue : le nom ou l'adresse contient des caractères que la "
                "police ne sait pas imprimer ; écrivez-les en lettres latines dans le "
                "registre."
            ),
        )
    return None


async def _round_date(draw_id: int, round_no: int) -> datetime | None:
    """When the round was opened: the letters' date. Read through the draw's use case
    (never its tables); once a session per generation, so its weight does not matter."""
    state = await records.draw_state(draw_id)
    for r in state.get("rounds", []):
        if int(r["number"]) == round_no:
            opened: datetime | None = r["at"]
            return opened
    return None


async def prepare_round(ctx: AppContext, draw_id: int, round_no: int) -> PreparedRound:
    """The letters of a round in mail-room order, and those withheld with their reason."""
    draw = await records.get_draw(draw_id)
    recipients = await rounds.round_recipients(ctx, draw_id, round_no)
    letter_date = _local_date(await _round_date(draw_id, round_no), ctx.now().date())
    subjects = await subjects_of(recipients)
    seats: Mapping[str, Any] = dict((draw.get("plan") or {}).get("seats") or {})
    letters: list[tuple[tuple[Any, ...], ResidentLetter]] = []
    blocks: dict[int, BlocAdresse] = {}
    withheld: list[Withheld] = []
    for r in recipients:
        subject = subjects[r.invitation_id]
        bloc = None
        if subject is not None and not subject.purged:
            bloc = blocks[r.invitation_id] = formater_adresse(_address_of(subject))
        reason = _why_not_printable(subject, bloc)
        if reason is not None:
            withheld.append(Withheld(r.invitation_id, r.rank, r.stratum, *reason))
            continue
        assert subject is not None and bloc is not None  # no reason: both are known
        letter = ResidentLetter(
            invitation_id=r.invitation_id,
            civilite=subject.civilite,
            prenom=subject.prenom,
            nom=subject.nom,
            address=bloc.lines,
            reply_code=r.reply_code,
            deadline=_local_date(r.deadline, letter_date),
            draw_reference=r.draw_reference,
            rank=r.rank,
            letter_date=letter_date,
            key=r.key,
            seats=int(seats.get(r.stratum, 0)),
        )
        letters.append(((*cle_tri_postal(bloc), r.invitation_id), letter))
    letters.sort(key=lambda pair: pair[0])
    return PreparedRound(
        council_id=int(draw["council"]),
        draw_reference=str(draw["reference"]),
        letters=[letter for _key, letter in letters],
        blocks=blocks,
        withheld=sorted(withheld, key=lambda w: (w.stratum, w.rank)),
        letter_date=letter_date,
    )
