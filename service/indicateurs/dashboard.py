"""The indicators dashboard of a council or a territory for a period: every figure is
computed from what the service holds (domain/indicators.py says how), with the charts'
data beside it. The facts are read in a fixed number of queries whatever the number of
councils (bench ``indicators.territory.50``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from domain.i18n import _
from domain.indicators import (
    Figure,
    MeetingFact,
    MemberFact,
    Period,
    QuestionFact,
    RoundFact,
    TrainingFact,
    Unit,
    draw_figures,
    meeting_figures,
    member_figures,
    question_figures,
    round_rates,
    share,
    training_figures,
)
from service.composition.store import CompositionStore
from service.formations.store import TrainingStore
from service.indicateurs.facts import CouncilFact, member_facts
from service.reunions import store_indicators
from service.tirage.store import DrawStore

GROUPS = [
    ("membres", _("Membres et parité")),
    ("tirages", _("Tirages au sort et courriers")),
    ("reunions", _("Réunions")),
    ("formations", _("Formations")),
    ("questions", _("Questions des habitants")),
    ("territoire", _("Conseils du territoire")),
]


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """One chart and its data (drawn as SVG on the page and into the PDF, and shown as a
    table for screen readers)."""

    key: str
    kind: str  # "bar" | "line"
    title: str
    description: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: Unit = Unit.PART


@dataclass(frozen=True)
class Dashboard:
    scope: str  # "conseil" | "territoire"
    name: str
    period: Period
    figures: list[Figure]
    charts: list[Chart] = field(default_factory=list)

    def group(self, key: str) -> list[Figure]:
        return [f for f in self.figures if f.group == key]

    @property
    def groups(self) -> list[tuple[str, str, list[Figure]]]:
        return [(k, label, self.group(k)) for k, label in GROUPS if self.group(k)]


@dataclass(frozen=True)
class Facts:
    members: dict[int, list[MemberFact]]
    rounds: dict[int, list[RoundFact]]
    meetings: dict[int, list[MeetingFact]]
    trainings: dict[int, list[TrainingFact]]
    questions: dict[int, list[QuestionFact]]


async def gather(store: TrainingStore, council_ids: Sequence[int]) -> Facts:
    # The councils' member records are read once, for the members' facts and for the
    # meetings' and trainings' (who sits where), each feature through its own store.
    seats = await CompositionStore(store.db).seats_of_councils(council_ids)
    return Facts(
        members=member_facts(seats, council_ids),
        rounds=await DrawStore(store.db).round_facts(council_ids),
        meetings=await store_indicators.meeting_facts(council_ids, {s.id: s for s in seats}),
        trainings=await store.facts(council_ids, {s.id: s.council for s in seats}),
        questions=await store_indicators.question_facts(council_ids),
    )


def _months(period: Period) -> list[date]:
    out, day = [], period.du.replace(day=1)
    while day <= period.au:
        out.append(max(day, period.du))
        day = (day + timedelta(days=32)).replace(day=1)
    if out[-1] != period.au:
        out.append(period.au)
    return out


def _pct(value: Fraction | int | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def _short(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _women_curve(members: Sequence[MemberFact], period: Period) -> Chart:
    days = _months(period)
    values = []
    for d in days:
        sitting = [m for m in members if m.active_on(d) and m.seat == "titulaire"]
        women = sum(1 for m in sitting if m.sex == "F")
        values.append(_pct(share(women, women + sum(1 for m in sitting if m.sex == "M"))))
    return Chart("part_femmes", "line", _("Part des femmes parmi les titulaires"),
                 _("Part des femmes parmi les membres titulaires en fonction, au premier de chaque mois de la période."),
                 tuple(_short(d) for d in days), (Series(_("Femmes (%)"), tuple(values)),))


def _council_charts(facts: Facts, council_id: int, period: Period) -> list[Chart]:
    charts = [_women_curve(facts.members[council_id], period)]
    rates = round_rates(facts.rounds[council_id], period)
    if rates:
        charts.append(Chart(
            "acceptation", "bar", _("Taux d'acceptation par tour et par sexe"),
            _("Acceptations / lettres envoyées, pour chaque tour d'invitations de la période."),
            tuple(_("Tirage {t}, tour {n}").format(t=r.draw_id, n=r.round_no) for r, _rate in rates),
            tuple(Series(label, tuple(_pct(share(r.accepted_by_sex.get(sex, 0), r.letters_by_sex.get(sex, 0))) for r, _rate in rates))
                  for sex, label in (("F", _("Femmes (%)")), ("M", _("Hommes (%)")))),
        ))
    held = [m for m in facts.meetings[council_id] if period.contains(m.held_on)]
    if held:
        charts.append(Chart(
            "assiduite", "bar", _("Taux de présence par réunion"),
            _("Titulaires présents / titulaires convoqués, pour chaque réunion tenue dans la période."),
            tuple(_short(m.held_on) for m in held),
            (Series(_("Présents (%)"), tuple(_pct(share(m.present, m.convened)) for m in held)),),
        ))
    return charts


async def council_dashboard(store: TrainingStore, council: CouncilFact, period: Period) -> Dashboard:
    facts = await gather(store, [council.id])
    return _dashboard("conseil", council.name, facts, [council.id], period, _council_charts(facts, council.id, period))


async def territory_dashboard(store: TrainingStore, name: str, councils: Sequence[CouncilFact], period: Period) -> Dashboard:
    ids = [c.id for c in councils]
    facts = await gather(store, ids)
    dash = _dashboard("territoire", name, facts, ids, period, [])
    figures = dash.figures + _territory_figures(councils, facts, period)
    charts = [_women_curve([m for c in ids for m in facts.members[c]], period)]
    live = [c for c in councils if not c.archived]
    if live:
        charts.append(Chart(
            "femmes_par_conseil", "bar", _("Part des femmes parmi les titulaires, par conseil"),
            _("Au dernier jour de la période."), tuple(c.name for c in live),
            (Series(_("Femmes (%)"), tuple(_pct(next(f.value for f in member_figures(facts.members[c.id], period.au)
                                                     if f.code == "membres.part_femmes")) for c in live)),)))
        charts.append(Chart(
            "reunions_par_conseil", "bar", _("Réunions tenues, par conseil"), _("Réunions tenues dans la période."),
            tuple(c.name for c in live),
            (Series(_("Réunions"), tuple(float(sum(1 for m in facts.meetings[c.id] if period.contains(m.held_on))) for c in live)),),
            Unit.NOMBRE))
    return Dashboard("territoire", name, period, figures, charts)


def _dashboard(scope: str, name: str, facts: Facts, ids: Sequence[int], period: Period, charts: list[Chart]) -> Dashboard:
    members = [m for c in ids for m in facts.members[c]]
    active = sum(1 for m in members if m.active_on(period.au) and m.seat == "titulaire")
    # A session of a training open to several councils is one session: count it once.
    sessions = _dedupe([s for c in ids for s in facts.trainings[c]])
    figures = [
        *member_figures(members, period.au),
        *draw_figures([r for c in ids for r in facts.rounds[c]], period),
        *meeting_figures([m for c in ids for m in facts.meetings[c]], period),
        *training_figures(sessions, period, active),
        *question_figures([q for c in ids for q in facts.questions[c]], period),
    ]
    return Dashboard(scope, name, period, figures, charts)


def _dedupe(sessions: list[TrainingFact]) -> list[TrainingFact]:
    """One fact per session: the councils' enrolments and hours added up."""
    by: dict[int, TrainingFact] = {}
    for s in sessions:
        prev = by.get(s.session_id)
        if prev is None:
            by[s.session_id] = s
            continue
        by[s.session_id] = TrainingFact(
            s.training_id, s.session_id, s.held_on,
            {k: prev.enrolled_by_sex.get(k, 0) + s.enrolled_by_sex.get(k, 0) for k in {*prev.enrolled_by_sex, *s.enrolled_by_sex}},
            {k: prev.present_by_sex.get(k, 0) + s.present_by_sex.get(k, 0) for k in {*prev.present_by_sex, *s.present_by_sex}},
            prev.hours_attended + s.hours_attended,
        )
    return list(by.values())


def _territory_figures(councils: Sequence[CouncilFact], facts: Facts, period: Period) -> list[Figure]:
    set_up = [c for c in councils if c.created_on <= period.au and not c.archived]
    composed = [c for c in set_up if any(m.active_on(period.au) and m.seat == "titulaire" for m in facts.members[c.id])]
    renewed = 0
    for c in councils:
        starts = sorted({m.start for m in facts.members[c.id]})
        ends = [m.end for m in facts.members[c.id]]
        if any(period.contains(s) and any(e < s for e in ends) for s in starts):
            renewed += 1
    return [
        Figure("territoire.conseils", _("Conseils citoyens mis en place"),
               _("Conseils créés au plus tard le dernier jour de la période et non archivés."), len(set_up), group="territoire"),
        Figure("territoire.conseils_composes", _("Conseils composés"),
               _("Conseils mis en place ayant des titulaires en fonction le dernier jour de la période."), len(composed),
               group="territoire"),
        Figure("territoire.reconnus_2014", _("Conseils du régime 2014 (reconnaissance par arrêté du préfet)"),
               _("Conseils composés relevant du régime de 2014, dont la composition est reconnue par arrêté préfectoral."),
               sum(1 for c in composed if c.regime == "2014"), group="territoire"),
        Figure("territoire.renouveles", _("Conseils renouvelés"),
               _("Conseils dont un mandat a commencé dans la période alors qu'un mandat précédent s'y était achevé."),
               renewed, group="territoire"),
    ]
