"""The project lead's workflow on the council page: the steps in the order they happen
(registres → éligibilité → vivier → tirage → courriers → réponses → composition →
réunions → formations), each with its state computed from what the stores hold, its
figures, the pages it leads to, and the next action.

Reads only; each step asks the use cases of the feature it belongs to.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.numbers import format_decimal

from domain.genre import lead_title
from domain.i18n import _, ngettext
from service.composition.rows import MemberRow
from service.composition.usecases import members as comp_members
from service.courriers.usecases import batches as lb
from service.registre.usecases import common as register_common
from service.registre.usecases import sources as register_sources
from service.tirage.usecases import pools, records

NOT_STARTED = "a_faire"
IN_PROGRESS = "en_cours"
DONE = "fait"
COMING = "a_venir"

STATE_LABELS = {
    NOT_STARTED: "à faire",
    IN_PROGRESS: "en cours",
    DONE: "fait",
    COMING: "à venir",
}

MEETINGS_PATH = "/conseils/{council_id:int}/reunions/gestion"
TRAINING_PATH = "/conseils/{council_id:int}/formations"


@dataclass(frozen=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True)
class Step:
    key: str
    number: int
    title: str
    state: str
    figures: tuple[str, ...] = ()
    action: Link | None = None
    links: tuple[Link, ...] = ()
    # False: work left here does not hold the next steps back (e.g. possible duplicates,
    # which the draw treats as distinct people until decided).
    blocking: bool = True

    @property
    def state_label(self) -> str:
        return _(STATE_LABELS[self.state])


@dataclass(frozen=True)
class Journey:
    steps: tuple[Step, ...]

    @property
    def next_step(self) -> Step | None:
        """The first step not done that has something to do now."""
        for s in self.steps:
            if s.state in (NOT_STARTED, IN_PROGRESS) and s.action is not None and s.blocking:
                return s
        return None


def _n(value: int) -> str:
    return format_decimal(value, locale="fr_FR")


@dataclass(frozen=True)
class _Register:
    """What the registers step found, which the next steps read too."""

    sources: int
    people: int
    eligible: int
    evaluated: int


# --- 1. Registres, 2. Éligibilité, 3. Vivier ----------------------------------------


async def _register_step(council_id: int, base: str) -> tuple[Step, _Register]:
    sources = [s for s in await register_sources.list_sources(council_id) if s["kind"] in register_common.REGISTER_KINDS]
    overview = await register_sources.register_overview(council_id)
    people = int(overview["personnes"])
    pairs = int(overview["paires_a_decider"])
    figures = []
    if sources:
        figures.append(ngettext("{n} fichier importé", "{n} fichiers importés", len(sources)).format(n=_n(len(sources))))
        figures.append(ngettext("{n} personne", "{n} personnes", people).format(n=_n(people)))
    if pairs:
        figures.append(ngettext("{n} doublon possible à examiner", "{n} doublons possibles à examiner", pairs).format(n=_n(pairs)))
    links = [Link(_("Registre : imports et recherche"), f"{base}/registre")]
    if sources:
        links.append(Link(_("Rapport du dernier import"), f"{base}/registre/imports/{sources[0]['id']}"))
        links.append(Link(_("Personnes du registre"), f"{base}/registre/personnes"))
        links.append(Link(_("Doublons possibles"), f"{base}/registre/paires"))
    if not sources:
        state, action = NOT_STARTED, Link(_("Importer un registre"), f"{base}/registre")
    elif pairs:
        state, action = IN_PROGRESS, Link(_("Examiner les doublons possibles"), f"{base}/registre/paires")
    else:
        state, action = DONE, Link(_("Importer un autre fichier"), f"{base}/registre")
    step = Step("registres", 1, _("Registres des habitants"), state, tuple(figures), action, tuple(links),
                blocking=not sources)
    facts = _Register(len(sources), people, int(overview["eligibles"]), int(overview["evalues"]))
    return step, facts


def _eligibility_step(base: str, r: _Register) -> Step:
    elig_link = Link(_("Évaluer l'éligibilité"), f"{base}/registre/eligibilite")
    if not r.people:
        return Step("eligibilite", 2, _("Éligibilité"), NOT_STARTED, (_("après l'import d'un registre"),))
    if not r.evaluated:
        return Step("eligibilite", 2, _("Éligibilité"), NOT_STARTED, (), elig_link, (elig_link,))
    fig = _("{e} personnes éligibles sur {n}").format(e=_n(r.eligible), n=_n(r.people))
    state = DONE if r.evaluated >= r.people else IN_PROGRESS
    extra = () if state == DONE else (
        _("{n} personnes à évaluer (nouvel import)").format(n=_n(r.people - r.evaluated)),)
    return Step("eligibilite", 2, _("Éligibilité"), state, (fig, *extra),
                elig_link if state == IN_PROGRESS else Link(_("Revoir l'éligibilité"), elig_link.href), (elig_link,))


def _pool_step(base: str, r: _Register, resident_pools: list[dict[str, Any]]) -> Step:
    pool_link = Link(_("Constituer le vivier du tirage"), f"{base}/registre/vivier")
    if resident_pools:
        size = int(resident_pools[0]["size"])
        return Step("vivier", 3, _("Vivier du tirage"), DONE,
                    (ngettext("vivier de {n} personne", "vivier de {n} personnes", size).format(n=_n(size)),),
                    Link(_("Constituer un nouveau vivier"), pool_link.href), (pool_link,))
    if r.evaluated and r.eligible:
        return Step("vivier", 3, _("Vivier du tirage"), NOT_STARTED, (), pool_link, (pool_link,))
    return Step("vivier", 3, _("Vivier du tirage"), NOT_STARTED, (_("après l'éligibilité"),))


# --- 4. Tirage ------------------------------------------------------------------------


def _draw_step(base: str, draw: dict[str, Any] | None, has_pool: bool, lead_genre: str | None) -> Step:
    draws_link = Link(_("Tirages au sort du conseil"), f"{base}/tirages")
    if draw is None:
        if has_pool:
            return Step("tirage", 4, _("Tirage au sort"), NOT_STARTED, (),
                        Link(_("Préparer le tirage"), f"{base}/tirages/nouveau"), (draws_link,))
        return Step("tirage", 4, _("Tirage au sort"), NOT_STARTED, (_("après le vivier"),), None, (draws_link,))
    dlink = f"{base}/tirages/{draw['id']}"
    links = [Link(_("Tirage {ref}").format(ref=draw["reference"]), dlink), draws_link]
    if draw.get("commitment"):
        links.append(Link(_("Registre public du tirage"), f"/tirages/{draw['reference']}"))
    ranked = draw["status"] in ("ranked", "rounds")
    if ranked:
        links += [Link(_("Procès-verbal (copie {de_la_cheffe_de_projet})").format(
                           de_la_cheffe_de_projet=lead_title(lead_genre, article="de")), f"{dlink}/pv.pdf"),
                  Link(_("Procès-verbal (copie publique)"), f"{dlink}/pv-public.pdf")]
    fig = (_("tirage {ref} : {etat}").format(ref=draw["reference"], etat=draw["status_label"]),)
    if ranked:
        return Step("tirage", 4, _("Tirage au sort"), DONE, fig, None, tuple(links))
    return Step("tirage", 4, _("Tirage au sort"), IN_PROGRESS, fig, Link(_("Continuer le tirage"), dlink), tuple(links))


# --- 5. Courriers, 6. Réponses --------------------------------------------------------


def _letters_waiting(base: str, draw: dict[str, Any] | None) -> list[Step]:
    """Before the rounds: the letters wait for the draw, the replies for the letters."""
    template = (Link(_("Modèle de la lettre et aperçu"), f"{base}/lettre"),)
    if draw is not None and draw["status"] == "ranked":
        open_round = Link(_("Ouvrir le premier tour d'invitations"), f"{base}/tirages/{draw['id']}#titre-tours")
        letters = Step("courriers", 5, _("Courriers aux habitants tirés au sort"), NOT_STARTED, (), open_round, template)
    else:
        letters = Step("courriers", 5, _("Courriers aux habitants tirés au sort"), NOT_STARTED,
                       (_("après le tirage"),), None, template)
    return [letters, Step("reponses", 6, _("Réponses des habitants"), NOT_STARTED, (_("après les courriers"),))]


async def _letters_step(council_id: int, base: str, draw: dict[str, Any], state: dict[str, Any], now: datetime) -> Step:
    dlink = f"{base}/tirages/{draw['id']}"
    links = [Link(_("Modèle de la lettre et aperçu"), f"{base}/lettre"), Link(_("Lettres des tours"), f"{base}/courriers")]
    missing = None
    ready = 0
    for r in state["rounds"]:
        href = f"{dlink}/tours/{r['number']}/courriers"
        links.append(Link(_("Lettres du tour {n}").format(n=r["number"]), href))
        batch = await lb.get_batch(council_id, int(draw["id"]), int(r["number"]), now)
        if batch is not None and batch.status == "pret":
            ready += 1
        elif missing is None:
            missing = Link(_("Générer les lettres du tour {n}").format(n=r["number"]), href)
    rounds = len(state["rounds"])
    fig = (ngettext("lettres prêtes : {r} tour sur {n}", "lettres prêtes : {r} tours sur {n}", rounds).format(r=ready, n=rounds),)
    return Step("courriers", 5, _("Courriers aux habitants tirés au sort"), IN_PROGRESS if missing else DONE, fig,
                missing, tuple(links))


def _replies_step(base: str, draw: dict[str, Any], state: dict[str, Any]) -> Step:
    dlink = f"{base}/tirages/{draw['id']}"
    invitations = state["invitations"]
    replied = sum(1 for i in invitations if i["reply"])
    accepted = sum(1 for i in invitations if i["reply"] == "accepted")
    empty = sum(int(p["empty_seats"]) for p in state.get("progress", []))
    pending = sum(int(p["pending"]) for p in state.get("progress", []))
    figs = (
        _("{r} réponses sur {n} invitations").format(r=_n(replied), n=_n(len(invitations))),
        ngettext("{n} acceptation", "{n} acceptations", accepted).format(n=_n(accepted)),
        ngettext("{n} siège encore vide", "{n} sièges encore vides", empty).format(n=_n(empty)),
    )
    done = empty == 0 and pending == 0
    return Step("reponses", 6, _("Réponses des habitants"), DONE if done else IN_PROGRESS, figs,
                None if done else Link(_("Enregistrer les réponses"), f"{dlink}#reponses"),
                (Link(_("Réponses et sièges du tirage"), f"{dlink}#reponses"),),
                # members can be named from the first acceptances on
                blocking=accepted == 0)


# --- 7. Composition, 8. Réunions, 9. Formations ---------------------------------------


def _composition_step(base: str, members: list[MemberRow], state: dict[str, Any] | None) -> Step:
    comp_link = Link(_("Composition, règles et parité"), f"{base}/composition")
    if members:
        titulaires = sum(1 for m in members if m.seat == "titulaire")
        return Step("composition", 7, _("Composition du conseil"), DONE,
                    (ngettext("{n} membre", "{n} membres", len(members)).format(n=_n(len(members))),
                     ngettext("{n} titulaire", "{n} titulaires", titulaires).format(n=_n(titulaires))),
                    None, (comp_link,))
    if state is not None and any(i["reply"] == "accepted" for i in state["invitations"]):
        return Step("composition", 7, _("Composition du conseil"), NOT_STARTED, (),
                    Link(_("Nommer les membres tirés au sort"), f"{base}/composition"), (comp_link,))
    return Step("composition", 7, _("Composition du conseil"), NOT_STARTED, (_("après les réponses"),), None, (comp_link,))


def _later_steps(council_id: int, routes: Collection[str], has_members: bool) -> list[Step]:
    """Meetings and training: pages of features that may not be installed yet."""
    steps = []
    for key, number, title, path, label in (
        ("reunions", 8, _("Réunions"), MEETINGS_PATH, _("Gérer les réunions")),
        ("formations", 9, _("Formations"), TRAINING_PATH, _("Gérer les formations")),
    ):
        href = path.replace("{council_id:int}", str(council_id))
        if path in routes:
            steps.append(Step(key, number, title, NOT_STARTED,
                              () if has_members else (_("après la composition"),),
                              Link(label, href) if has_members else None, (Link(label, href),)))
        else:
            steps.append(Step(key, number, title, COMING, (_("bientôt disponible"),)))
    return steps


async def council_journey(council_id: int, now: datetime, routes: Collection[str], *,
                          lead_genre: str | None = None) -> Journey:
    """The steps of the council's journey; ``routes`` are the paths the application serves
    (features not yet installed show as « à venir »); ``lead_genre``: the gender the
    lead's account says (« copie de la cheffe de projet »), None when not said."""
    base = f"/conseils/{council_id}"
    registers, facts = await _register_step(council_id, base)
    steps = [registers, _eligibility_step(base, facts)]
    resident_pools = await pools.list_pools(council_id, "residents")
    steps.append(_pool_step(base, facts, resident_pools))
    draws = [d for d in await records.list_draws(council_id) if d["kind"] == "residents" and d["status"] != "abandoned"]
    draw = draws[0] if draws else None
    steps.append(_draw_step(base, draw, bool(resident_pools), lead_genre))
    state = await records.draw_state(int(draw["id"]), council_id) if draw and draw["status"] == "rounds" else None
    if draw is None or draw["status"] != "rounds" or state is None:
        steps += _letters_waiting(base, draw)
    else:
        steps += [await _letters_step(council_id, base, draw, state, now), _replies_step(base, draw, state)]
    members = [m for m in await comp_members.list_members(council_id) if m.is_active]
    steps.append(_composition_step(base, members, state))
    steps += _later_steps(council_id, routes, bool(members))
    return Journey(tuple(steps))
