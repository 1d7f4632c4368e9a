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

from babel.numbers import format_decimal

from domain.i18n import _, ngettext
from service.registre.usecases import sources as reg
from service.registre.usecases.common import REGISTER_KINDS
from service.usecases import composition as comp
from service.usecases import letter_batches as lb
from service.usecases import pools, tirage

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


async def council_journey(council_id: int, now: datetime, routes: Collection[str]) -> Journey:
    """The steps of the council's journey; ``routes`` are the paths the application serves
    (features not yet installed show as « à venir »)."""
    base = f"/conseils/{council_id}"
    steps: list[Step] = []

    # 1. Registres
    sources = [s for s in await reg.list_sources(council_id) if s["kind"] in REGISTER_KINDS]
    overview = await reg.register_overview(council_id)
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
    steps.append(Step("registres", 1, _("Registres des habitants"), state, tuple(figures), action, tuple(links),
                      blocking=not sources))

    # 2. Éligibilité
    evaluated = await reg.eligibility_evaluated(council_id)
    eligible = int(overview["eligibles"])
    elig_link = Link(_("Évaluer l'éligibilité"), f"{base}/registre/eligibilite")
    if not people:
        steps.append(Step("eligibilite", 2, _("Éligibilité"), NOT_STARTED,
                          (_("après l'import d'un registre"),)))
    elif not evaluated:
        steps.append(Step("eligibilite", 2, _("Éligibilité"), NOT_STARTED, (), elig_link, (elig_link,)))
    else:
        fig = _("{e} personnes éligibles sur {n}").format(e=_n(eligible), n=_n(people))
        state = DONE if evaluated >= people else IN_PROGRESS
        extra = () if state == DONE else (
            _("{n} personnes à évaluer (nouvel import)").format(n=_n(people - evaluated)),)
        steps.append(Step("eligibilite", 2, _("Éligibilité"), state, (fig, *extra),
                          elig_link if state == IN_PROGRESS else Link(_("Revoir l'éligibilité"), elig_link.href),
                          (elig_link,)))

    # 3. Vivier
    resident_pools = await pools.list_pools(council_id, "residents")
    pool_link = Link(_("Constituer le vivier du tirage"), f"{base}/registre/vivier")
    if resident_pools:
        p = resident_pools[0]
        steps.append(Step("vivier", 3, _("Vivier du tirage"), DONE,
                          (ngettext("vivier de {n} personne", "vivier de {n} personnes", int(p["size"])).format(n=_n(int(p["size"]))),),
                          Link(_("Constituer un nouveau vivier"), pool_link.href), (pool_link,)))
    elif evaluated and eligible:
        steps.append(Step("vivier", 3, _("Vivier du tirage"), NOT_STARTED, (), pool_link, (pool_link,)))
    else:
        steps.append(Step("vivier", 3, _("Vivier du tirage"), NOT_STARTED, (_("après l'éligibilité"),)))

    # 4. Tirage
    draws = [d for d in await tirage.list_draws(council_id) if d["kind"] == "residents" and d["status"] != "abandoned"]
    draw = draws[0] if draws else None
    draws_link = Link(_("Tirages au sort du conseil"), f"{base}/tirages")
    new_draw = Link(_("Préparer le tirage"), f"{base}/tirages/nouveau")
    if draw is None:
        if resident_pools:
            steps.append(Step("tirage", 4, _("Tirage au sort"), NOT_STARTED, (), new_draw, (draws_link,)))
        else:
            steps.append(Step("tirage", 4, _("Tirage au sort"), NOT_STARTED, (_("après le vivier"),), None, (draws_link,)))
    else:
        dlink = f"{base}/tirages/{draw['id']}"
        links = [Link(_("Tirage {ref}").format(ref=draw["reference"]), dlink), draws_link]
        if draw.get("commitment"):
            links.append(Link(_("Registre public du tirage"), f"/tirages/{draw['reference']}"))
        ranked = draw["status"] in ("ranked", "rounds")
        if ranked:
            links += [Link(_("Procès-verbal (copie du chef de projet)"), f"{dlink}/pv.pdf"),
                      Link(_("Procès-verbal (copie publique)"), f"{dlink}/pv-public.pdf")]
        fig = (_("tirage {ref} : {etat}").format(ref=draw["reference"], etat=draw["status_label"]),)
        if ranked:
            steps.append(Step("tirage", 4, _("Tirage au sort"), DONE, fig, None, tuple(links)))
        else:
            steps.append(Step("tirage", 4, _("Tirage au sort"), IN_PROGRESS, fig,
                              Link(_("Continuer le tirage"), dlink), tuple(links)))

    # 5. Courriers and 6. Réponses
    state = await tirage.draw_state(int(draw["id"]), council_id) if draw and draw["status"] == "rounds" else None
    if draw is None or draw["status"] != "rounds" or state is None:
        wait = (_("après le tirage"),)
        if draw is not None and draw["status"] == "ranked":
            open_round = Link(_("Ouvrir le premier tour d'invitations"), f"{base}/tirages/{draw['id']}#titre-tours")
            steps.append(Step("courriers", 5, _("Courriers aux habitants tirés au sort"), NOT_STARTED, (), open_round,
                              (Link(_("Modèle de la lettre et aperçu"), f"{base}/lettre"),)))
        else:
            steps.append(Step("courriers", 5, _("Courriers aux habitants tirés au sort"), NOT_STARTED, wait, None,
                              (Link(_("Modèle de la lettre et aperçu"), f"{base}/lettre"),)))
        steps.append(Step("reponses", 6, _("Réponses des habitants"), NOT_STARTED, (_("après les courriers"),)))
    else:
        dlink = f"{base}/tirages/{draw['id']}"
        links = [Link(_("Modèle de la lettre et aperçu"), f"{base}/lettre"), Link(_("Lettres des tours"), f"{base}/courriers")]
        missing = None
        ready = 0
        for r in state["rounds"]:
            href = f"{dlink}/tours/{r['number']}/courriers"
            links.append(Link(_("Lettres du tour {n}").format(n=r["number"]), href))
            batch = await lb.get_batch(council_id, int(draw["id"]), int(r["number"]), now)
            if batch is not None and batch["status"] == "pret":
                ready += 1
            elif missing is None:
                missing = Link(_("Générer les lettres du tour {n}").format(n=r["number"]), href)
        rounds = len(state["rounds"])
        fig = (ngettext("lettres prêtes : {r} tour sur {n}", "lettres prêtes : {r} tours sur {n}",
                        rounds).format(r=ready, n=rounds),)
        steps.append(Step("courriers", 5, _("Courriers aux habitants tirés au sort"),
                          IN_PROGRESS if missing else DONE, fig, missing, tuple(links)))

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
        steps.append(Step("reponses", 6, _("Réponses des habitants"), DONE if done else IN_PROGRESS, figs,
                          None if done else Link(_("Enregistrer les réponses"), f"{dlink}#reponses"),
                          (Link(_("Réponses et sièges du tirage"), f"{dlink}#reponses"),),
                          # members can be named from the first acceptances on
                          blocking=accepted == 0))

    # 7. Composition
    members = [m for m in await comp.list_members(council_id) if m["status"] == "actif"]
    comp_link = Link(_("Composition, règles et parité"), f"{base}/composition")
    if members:
        titulaires = sum(1 for m in members if m["seat"] == "titulaire")
        steps.append(Step("composition", 7, _("Composition du conseil"), DONE,
                          (ngettext("{n} membre", "{n} membres", len(members)).format(n=_n(len(members))),
                           ngettext("{n} titulaire", "{n} titulaires", titulaires).format(n=_n(titulaires))),
                          None, (comp_link,)))
    elif state is not None and any(i["reply"] == "accepted" for i in state["invitations"]):
        steps.append(Step("composition", 7, _("Composition du conseil"), NOT_STARTED, (),
                          Link(_("Nommer les membres tirés au sort"), f"{base}/composition"), (comp_link,)))
    else:
        steps.append(Step("composition", 7, _("Composition du conseil"), NOT_STARTED,
                          (_("après les réponses"),), None, (comp_link,)))

    # 8. Réunions, 9. Formations: pages of features being installed
    for key, number, title, path, label in (
        ("reunions", 8, _("Réunions"), MEETINGS_PATH, _("Gérer les réunions")),
        ("formations", 9, _("Formations"), TRAINING_PATH, _("Gérer les formations")),
    ):
        href = path.replace("{council_id:int}", str(council_id))
        if path in routes:
            ready_now = bool(members)
            steps.append(Step(key, number, title, NOT_STARTED,
                              () if ready_now else (_("après la composition"),),
                              Link(label, href) if ready_now else None, (Link(label, href),)))
        else:
            steps.append(Step(key, number, title, COMING, (_("bientôt disponible"),)))
    return Journey(tuple(steps))
