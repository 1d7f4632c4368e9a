"""Ambiguous pairs: two rows that may be one person, for the lead to decide, one by one
or by a rule previewed and applied in one step (issue 13 §4).

A pair is ranked by how sure the match is, from what its two rows share; a "même
personne" that would contradict an earlier decision is refused with an explanation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import datetime
from typing import Any

from domain.errors import Conflict, InvalidInput, InvalidState
from domain.i18n import _, ngettext
from domain.registre.normalise import normalise_texte
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.registre.store import RegisterStore
from service.registre.usecases.common import store_or_default
from service.registre.usecases.sources import person_view

__all__ = [
    "CERTAINTY_LABELS", "DECISIONS", "RULE_LABEL", "SURE", "UNDECIDED_RULE",
    "apply_pair_decision", "apply_rule", "check_decision", "decide_pair", "list_pairs",
    "preview_rule", "ranked_pairs",
]

DECISIONS = ("meme-personne", "personnes-distinctes")

SURE, LIKELY, UNSURE = 3, 2, 1
CERTAINTY_LABELS = {
    SURE: "Très probable : mêmes nom, prénom et date de naissance, même rue",
    LIKELY: "Probable : mêmes nom et prénom, et même adresse ou même date de naissance",
    UNSURE: "Incertain : plusieurs personnes possibles, ou sexes différents",
}
RULE_LABEL = (
    "Même personne pour chaque paire « très probable » (mêmes nom, prénom et date de "
    "naissance, même rue, même sexe) dont aucune des deux lignes ne figure dans une autre "
    "paire"
)
UNDECIDED_RULE = (
    "Tant qu'une paire n'est pas tranchée, ses deux lignes restent dans le registre comme "
    "deux personnes : chacune entre dans le vivier et peut être tirée au sort (la même "
    "personne pourrait alors recevoir deux courriers)."
)


async def list_pairs(council_id: int, open_only: bool = False,
                     store: RegisterStore | None = None) -> list[dict[str, Any]]:
    store = store_or_default(store)
    pairs = [asdict(p) for p in await store.pairs(council_id, open_only)]
    refs = {p["ref_a"] for p in pairs} | {p["ref_b"] for p in pairs}
    people: dict[str, dict[str, Any]] = {}
    if refs:
        people = {f"{r.source}:{r.line}": person_view(r)
                  for r in await store.people_by_refs(council_id, refs)}
    for p in pairs:
        p["a"], p["b"] = people.get(p["ref_a"]), people.get(p["ref_b"])
    return [p for p in pairs if p["a"] and p["b"]]


async def decide_pair(ctx: AppContext, actor: Actor, council_id: int, pair_id: int,
                      decision: str, store: RegisterStore | None = None) -> dict[str, Any]:
    """Record a person's decision; "meme-personne" merges the second row into the first."""
    if decision not in DECISIONS:
        raise InvalidInput(_("Décision inconnue : « %(d)s » (attendu : %(liste)s).")
                           % {"d": decision, "liste": ", ".join(DECISIONS)}, field="decision")
    store = store if store is not None else RegisterStore(ctx.db)
    now = ctx.now()
    async with ctx.db.transaction():
        council = await store.council(council_id)
        pair = asdict(await store.pair(council_id, pair_id))
        if pair["decision"]:
            raise InvalidState(_("Cette paire a déjà été tranchée."), code="deja-decidee")
        await check_decision(council_id, pair, decision, store)
        await apply_pair_decision(council_id, pair, decision, actor.id, now, store)
        if decision == "meme-personne":
            await store.recount(council_id)
        await audit.record(ctx.db, actor=actor, action="registre.paire.decision",
                           subject_type="registre_paire", subject_id=pair_id, at=now,
                           territory_id=council.territory, council_id=council_id,
                           details={"decision": decision})
    return {"id": pair_id, "decision": decision}


async def apply_pair_decision(council_id: int, pair: dict[str, Any], decision: str,
                              actor_id: int | None, now: datetime,
                              store: RegisterStore | None = None) -> None:
    """Record a decision on a pair inside the caller's transaction; "meme-personne"
    merges the second row (and rows merged into it) into the first's person (the caller
    then recounts the register: ``RegisterStore.recount``)."""
    store = store_or_default(store)
    await store.record_decision(int(pair["id"]), decision, actor_id, now)
    if decision == "meme-personne":
        head = await store.doublon_of(council_id, pair["ref_a"]) or pair["ref_a"]
        await store.merge_into(council_id, pair["ref_b"], head)


def _street(x: dict[str, Any]) -> str:
    return normalise_texte(x.get("voie") or "")


def certainty(p: dict[str, Any]) -> int:
    """How sure the match is, from what the two rows share."""
    a, b = p["a"], p["b"]
    if a["sexe"] and b["sexe"] and a["sexe"] != b["sexe"]:
        return UNSURE
    same_street = bool(_street(a)) and _street(a) == _street(b) and (
        not a["code_postal"] or not b["code_postal"] or a["code_postal"] == b["code_postal"])
    if p["code"] == "adresse-differente":
        return SURE if same_street else LIKELY
    if same_street and a.get("numero") == b.get("numero") and a.get("numero") is not None:
        return LIKELY  # one of several candidates, but at this very door
    return UNSURE


async def ranked_pairs(council_id: int, store: RegisterStore | None = None
                       ) -> list[dict[str, Any]]:
    """Every pair with its certainty; undecided ones first, surest first."""
    pairs = await list_pairs(council_id, store=store)
    open_refs = Counter(r for p in pairs if not p["decision"] for r in (p["ref_a"], p["ref_b"]))
    for p in pairs:
        c = certainty(p)
        p["certitude"] = c
        p["certitude_label"] = _(CERTAINTY_LABELS[c])
        p["autres_paires"] = (open_refs[p["ref_a"]] + open_refs[p["ref_b"]] - 2
                              if not p["decision"] else 0)
    pairs.sort(key=lambda p: (bool(p["decision"]), -p["certitude"], p["id"]))
    return pairs


async def check_decision(council_id: int, pair: dict[str, Any], decision: str,
                         store: RegisterStore | None = None) -> None:
    """Refuse a "même personne" that would contradict an earlier decision: a row already
    found to be someone else cannot become this person too (the last click used to win,
    merging a tenant into someone living elsewhere)."""
    if decision != "meme-personne":
        return
    store = store_or_default(store)
    refs = (pair["ref_a"], pair["ref_b"])
    for e in await store.same_person_pairs_with(council_id, int(pair["id"]), refs):
        shared = e.ref_a if e.ref_a in refs else e.ref_b
        other = e.ref_b if shared == e.ref_a else e.ref_a
        if other in refs:
            continue
        raise Conflict(
            _("La ligne {ligne} a déjà été reconnue comme la même personne que la ligne "
              "{autre} (paire n° {paire}). Décider « même personne » ici réunirait en une "
              "seule personne des lignes à des adresses différentes. Tranchez « personnes "
              "distinctes », ou corrigez le fichier et importez-le à nouveau.").format(
                ligne=_ref_label(shared), autre=_ref_label(other), paire=e.id),
            code="decision-contradictoire", field="decision",
            extra={"paire_anterieure": e.id, "ligne": shared})
    head_a = await store.doublon_of(council_id, pair["ref_a"]) or pair["ref_a"]
    merged_b = await store.doublon_of(council_id, pair["ref_b"]) or ""
    if merged_b and merged_b != head_a:
        raise Conflict(
            _("La ligne {ligne} a déjà été fusionnée avec la ligne {autre} (même personne "
              "reconnue à l'import) : elle ne peut pas être aussi la personne de la ligne "
              "{a}. Tranchez « personnes distinctes ».").format(
                ligne=_ref_label(pair["ref_b"]), autre=_ref_label(merged_b),
                a=_ref_label(pair["ref_a"])),
            code="decision-contradictoire", field="decision")


def _ref_label(ref: str) -> str:
    source, _sep, line = ref.partition(":")
    return _("{ligne} du fichier n° {fichier}").format(ligne=line, fichier=source)


def _rule_targets(pairs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The pairs the rule decides, and how many sure pairs it leaves to a person
    because one of their rows is in another pair."""
    open_pairs = [p for p in pairs if not p["decision"]]
    decided_refs = {r for p in pairs if p["decision"] == "meme-personne"
                    for r in (p["ref_a"], p["ref_b"])}
    counts = Counter(r for p in open_pairs for r in (p["ref_a"], p["ref_b"]))
    sure = [p for p in open_pairs if p["certitude"] == SURE]
    targets = [p for p in sure if counts[p["ref_a"]] == counts[p["ref_b"]] == 1
               and p["ref_a"] not in decided_refs and p["ref_b"] not in decided_refs]
    return targets, len(sure) - len(targets)


async def preview_rule(council_id: int, store: RegisterStore | None = None) -> dict[str, Any]:
    """What the rule would do, in counts, before the lead confirms."""
    pairs = await ranked_pairs(council_id, store)
    targets, left = _rule_targets(pairs)
    undecided = sum(1 for p in pairs if not p["decision"])
    return {
        "regle": _(RULE_LABEL),
        "a_fusionner": len(targets),
        "sures_laissees": left,
        "non_tranchees": undecided,
        "restantes_apres": undecided - len(targets),
        "message": ngettext(
            "La règle fusionnerait {n} paire sur {t} non tranchées ; {k} paires sûres "
            "restent à trancher à la main (une de leurs lignes figure dans une autre paire).",
            "La règle fusionnerait {n} paires sur {t} non tranchées ; {k} paires sûres "
            "restent à trancher à la main (une de leurs lignes figure dans une autre paire).",
            len(targets)).format(n=len(targets), t=undecided, k=left),
    }


async def apply_rule(ctx: AppContext, actor: Actor, council_id: int, expected: int,
                     store: RegisterStore | None = None) -> dict[str, Any]:
    """Decide "même personne" for the rule's pairs in one transaction and one audit
    event; refused when the count differs from the previewed one (something changed)."""
    store = store if store is not None else RegisterStore(ctx.db)
    now = ctx.now()
    async with ctx.db.transaction():
        council = await store.council(council_id)
        targets, left = _rule_targets(await ranked_pairs(council_id, store))
        if len(targets) != expected:
            raise InvalidState(
                _("Les paires ont changé depuis l'aperçu ({n} au lieu de {m}) : relisez "
                  "l'aperçu avant d'appliquer la règle.").format(n=len(targets), m=expected),
                code="apercu-perime")
        for p in targets:
            await apply_pair_decision(council_id, p, "meme-personne", actor.id, now, store)
        await store.recount(council_id)
        await audit.record(ctx.db, actor=actor, action="registre.paires.regle",
                           subject_type="conseil", subject_id=council_id, at=now,
                           territory_id=council.territory, council_id=council_id,
                           details={"regle": "tres-probables-meme-rue",
                                    "paires_fusionnees": len(targets),
                                    "paires": [int(p["id"]) for p in targets],
                                    "sures_laissees": left})
    return {"fusionnees": len(targets), "sures_laissees": left}
