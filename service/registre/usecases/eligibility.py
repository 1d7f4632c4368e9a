"""Eligibility at a reference date, and the pool of eligible people the draw uses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import anyio

from domain.errors import InvalidInput, InvalidState
from domain.i18n import _
from domain.registre import EligibilitySettings, Entry, MemberIdentity, evaluate
from domain.registre.eligibility import age_at
from domain.registre.households import set_aside
from domain.registre.normalise import format_date, premier_prenom
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.organisation.store import OrganisationStore
from service.registre.store import RegisterStore
from service.registre.store_rows import RowMeta
from service.registre.usecases.lists import council_perimeter, exclusion_list
from service.tirage.usecases.pools import PoolItem, create_pool

STRATIFICATIONS = ("sexe", "sexe-bureau", "sexe-age")
DEFAULT_AGE_BANDS = (30, 45, 60)


async def _sitting_members(store: RegisterStore, council_id: int) -> set[MemberIdentity]:
    """How the council's sitting members drawn from its register are recognised in it
    (by every surname, first first name and birth date), to leave them out of a new
    pool with the reason ``deja-membre``: a re-imported register gives them new rows."""
    from service.composition.usecases.members import sitting_subjects

    ids = [i for kind, i in await sitting_subjects(council_id) if kind == "resident"]
    if not ids:
        return set()
    members: set[MemberIdentity] = set()
    for r in await store.identities(council_id, ids):
        if not r.date_naissance:
            continue
        born = date.fromisoformat(str(r.date_naissance)[:10])
        first = premier_prenom(r.cle_prenoms)
        for nom in {r.cle_nom_naissance, r.cle_nom_usage} - {""}:
            members.add(MemberIdentity(nom, first, born))
    return members


async def _evaluate(ctx: AppContext, store: RegisterStore, actor: Actor, council_id: int,
                    reference_date: date, accept_unknown_birth_date: bool
                    ) -> tuple[dict[str, Any], list[Entry], list[RowMeta]]:
    council = await store.council(council_id)
    perimeter = await council_perimeter(council_id, store)
    if perimeter is None:
        raise InvalidState(
            _("Importez d'abord le périmètre du quartier : sans lui, personne ne peut être "
              "déclaré éligible."), code="perimetre-absent")
    members = await _sitting_members(store, council_id)
    settings = EligibilitySettings(
        perimeter=perimeter, exclusions=await exclusion_list(council_id, store),
        members=frozenset(members), minimum_age=council.setting("age_minimum", 16),
        accept_unknown_birth_date=accept_unknown_birth_date)
    entries, rows = await store.rows.load_entries(council_id, kept_only=True)
    if not entries:
        raise InvalidState(_("Le registre de ce conseil est vide : importez d'abord un "
                             "registre."), code="registre-vide")
    report = await anyio.to_thread.run_sync(evaluate, entries, settings, reference_date)
    eligible_ids = {id(e) for e in report.eligible}
    reasons = {id(i.entry): ",".join(i.codes) for i in report.ineligible}
    ineligible = [(reasons[id(e)], r.id) for e, r in zip(entries, rows, strict=True)
                  if id(e) not in eligible_ids]
    await store.reset_eligibility(council_id)
    await store.rows.mark_ineligible(ineligible)
    await store.recount(council_id)
    eligible_rows = [r for e, r in zip(entries, rows, strict=True) if id(e) in eligible_ids]
    households = set_aside([r.foyer for r in eligible_rows],
                           await store.source_household_keys(council_id))
    summary: dict[str, Any] = {
        "reference_date": reference_date.isoformat(),
        "minimum_age": settings.minimum_age,
        "personnes": len(entries),
        "eligibles": len(report.eligible),
        "ineligibles": len(report.ineligible),
        "foyers": households.households,
        "foyers_identifiant_source": households.by_source_id,
        "ecartes_foyer": households.set_aside,
        "motifs": [{"code": c, "message": m, "count": n} for c, m, n in report.summary()],
    }
    await audit.record(ctx.db, actor=actor, action="registre.eligibilite",
                       subject_type="conseil", subject_id=council_id, at=ctx.now(),
                       territory_id=council.territory, council_id=council_id,
                       details={"date_reference": summary["reference_date"],
                                "eligibles": summary["eligibles"],
                                "ineligibles": summary["ineligibles"],
                                "motifs": {m["code"]: m["count"] for m in summary["motifs"]}})
    kept = [e for e in entries if id(e) in eligible_ids]
    return summary, kept, eligible_rows


async def evaluate_eligibility(ctx: AppContext, actor: Actor, council_id: int,
                               reference_date: date, accept_unknown_birth_date: bool = False,
                               store: RegisterStore | None = None) -> dict[str, Any]:
    """Apply the eligibility rules at ``reference_date`` to every person of the council's
    register, store each one's status and reasons, and return the summary per reason."""
    store = store if store is not None else RegisterStore(ctx.db)
    async with ctx.db.transaction():
        await OrganisationStore(ctx.db).lock_council(council_id)
        summary, _kept, _rows = await _evaluate(ctx, store, actor, council_id, reference_date,
                                                accept_unknown_birth_date)
    return summary


def _stratification(raw: str | dict[str, Any] | None) -> dict[str, Any]:
    if raw is None or raw == "":
        return {"mode": "sexe"}
    spec = {"mode": raw} if isinstance(raw, str) else dict(raw)
    mode = spec.get("mode", "sexe")
    if mode not in STRATIFICATIONS:
        raise InvalidInput(_("Stratification inconnue : « %(m)s » (attendu : %(liste)s).")
                           % {"m": mode, "liste": ", ".join(STRATIFICATIONS)},
                           field="stratification", code="stratification-inconnue")
    out: dict[str, Any] = {"mode": mode}
    if mode == "sexe-age":
        bands = spec.get("tranches") or list(DEFAULT_AGE_BANDS)
        try:
            bands = sorted({int(b) for b in bands})
        except (TypeError, ValueError):
            raise InvalidInput(_("Tranches d'âge invalides : des nombres entiers sont attendus."),
                               field="tranches") from None
        out["tranches"] = bands
    return out


def age_band(age: int, bands: Sequence[int], minimum: int) -> str:
    low = minimum
    for b in bands:
        if age < b:
            return f"{low}-{b - 1}" if b - 1 >= low else f"{low}-"
        low = max(low, b)
    return f"{low}+"


def _stratum(entry: Entry, spec: dict[str, Any], reference: date, minimum: int) -> str:
    sexe = entry.sexe.value if entry.sexe is not None else "?"
    mode = spec["mode"]
    if mode == "sexe-bureau":
        bureau = " ".join(entry.bureau_vote.split()) or "sans-bureau"
        return f"{sexe}/{bureau}"
    if mode == "sexe-age":
        if entry.date_naissance is None:
            return f"{sexe}/age-inconnu"
        age = age_at(entry.date_naissance, reference)
        return f"{sexe}/{age_band(age, spec['tranches'], minimum)}"
    return sexe


async def build_pool(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    reference_date: date,
    stratification: str | dict[str, Any] | None = "sexe",
    *,
    label: str = "",
    accept_unknown_birth_date: bool = False,
    store: RegisterStore | None = None,
) -> dict[str, Any]:
    """Evaluate eligibility at ``reference_date`` and freeze the eligible people into a
    pool (``pools.create_pool``): strata by sex, or sex × polling station
    (``"sexe-bureau"``), or sex × age band (``{"mode": "sexe-age", "tranches": [30, 45,
    60]}``); household keys from the register. Returns the pool's description plus the
    eligibility summary under ``"eligibilite"``."""
    store = store if store is not None else RegisterStore(ctx.db)
    spec = _stratification(stratification)
    async with ctx.db.transaction():
        await OrganisationStore(ctx.db).lock_council(council_id)
        summary, kept, rows = await _evaluate(ctx, store, actor, council_id, reference_date,
                                              accept_unknown_birth_date)
        minimum = summary["minimum_age"]
        items = [PoolItem(r.cle_vivier, _stratum(e, spec, reference_date, minimum), r.foyer,
                          "resident", r.id) for e, r in zip(kept, rows, strict=True)]
        pool = await create_pool(
            ctx, actor, council_id, items, kind="residents",
            label=label or _("Registre au %(date)s") % {"date": format_date(reference_date)},
            reference_date=reference_date.isoformat(), stratification=spec)
    pool["eligibilite"] = summary
    return pool
