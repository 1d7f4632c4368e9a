"""Training and indicators benchmarks.

* ``training.attestations.1k``: 1,000 attestations in one PDF through the toolkit, with the
  bare-reportlab baseline (same text, same font) measured in the same run and reported
  as ``training.attestations.baseline.1k``; target ≤ 2×.
* ``indicators.territory.50``: a territory of 50 councils with three years of meetings,
  trainings and questions; the dashboard's figures computed; the number of SQL queries is
  reported for 5 and for 50 councils (it must not grow with the number of councils).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

from bench.registry import bench

SEED = 20140221
N = 1000


def _people(n: int) -> tuple[Any, list[Any]]:
    from domain.training import Audience, EnrolmentStatus, ParticipantKind
    from service.formations.store import EnrolmentRow, TrainingRow
    from service.formations.usecases.attendance import PersonHours

    rng = random.Random(SEED)
    first = ["Awa", "Inès", "Jean-Baptiste", "Zoë", "Mohamed", "Lætitia", "Nguyễn Thị", "Paul"]
    last = ["Diallo", "Lefèvre-Martin", "Ben Saïd", "Durand", "Kowalczyk", "N'Diaye", "Nguyễn"]
    training = TrainingRow(1, 1, "Prendre la parole en public et transformer une plainte en proposition", "Expression",
                           "Oser parler en réunion, structurer une intervention de trois minutes, transformer une plainte "
                           "en proposition argumentée.", "Université du Citoyen", Audience.MEMBRES, True, None, None, 2, 1, (1,))
    now = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    people = []
    for i in range(n):
        e = EnrolmentRow(i, 1, i, f"membre:{i}", ParticipantKind.TITULAIRE, rng.choice(first), rng.choice(last),
                         rng.choice("FM"), "", EnrolmentStatus.INSCRIT, now, None, None, 1)
        days = tuple(sorted({dt.date(2026, 3, 14), dt.date(2026, 3, 21 + rng.randint(0, 6))}))
        people.append(PersonHours(e, Fraction(rng.choice([7, 14, 21]), 2), days))
    return training, people


@bench("training.attestations.1k")
def attestations_1k() -> tuple[float, int, str]:
    from service.formations.documents import Issuer, attestations_pdf

    training, people = _people(N)
    issuer = Issuer("Ville de Valmont", "Conseil citoyen : Conseil des Tilleuls", place="Valmont")
    created = dt.datetime(2026, 3, 30, tzinfo=dt.UTC)
    attestations_pdf(training, people[:5], issuer, created=created)  # fonts and caches warm, as in the service
    t0 = time.perf_counter()
    pdf = attestations_pdf(training, people, issuer, created=created)
    seconds = time.perf_counter() - t0
    base = _baseline(training, people)
    return seconds, N, (f"{len(pdf) / 1e6:.1f} Mo ; reportlab nu dans la même exécution : {base:.2f} s ; "
                        f"rapport {seconds / base:.2f} (cible ≤ 2)")


def _baseline(training: Any, people: list[Any]) -> float:
    """Raw reportlab: the same attestation text per page, same font, wrapped with
    simpleSplit, no letterhead form and no typography pass."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    from domain.training import format_hours
    from service.documents.fonts import BOLD, REGULAR, register_fonts

    register_fonts()
    t0 = time.perf_counter()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=REGULAR)
    width = A4[0] - 2 * 56.7
    for p in people:
        e = p.enrolment
        c.setFont(BOLD, 11)
        c.drawString(56.7, A4[1] - 50, "Ville de Valmont")
        c.setFont(BOLD, 15)
        c.drawCentredString(A4[0] / 2, A4[1] - 130, "Attestation de formation")
        y = A4[1] - 170
        texts = [f"Ville de Valmont atteste que {e.prenom} {e.nom} a suivi la formation « {training.titre} », "
                 f"organisée par {training.organisme}.", training.objectifs,
                 "Dates de présence : " + ", ".join(d.strftime("%d/%m/%Y") for d in p.days) + ".",
                 f"Durée suivie : {format_hours(p.hours)}, comptée par demi-journée émargée.", "Valmont, le 30 mars 2026",
                 "Pour Ville de Valmont"]
        for text in texts:
            c.setFont(REGULAR, 10.5)
            for line in simpleSplit(text, REGULAR, 10.5, width):
                c.drawString(56.7, y, line)
                y -= 14.5
            y -= 7
        c.showPage()
    c.save()
    return time.perf_counter() - t0


@bench("training.attestations.baseline.1k")
def attestations_baseline_1k() -> tuple[float, int, str]:
    training, people = _people(N)
    _baseline(training, people[:5])
    return _baseline(training, people), N, "reportlab nu : une page par attestation, même texte et même police"


# --- indicators ------------------------------------------------------------------------


async def _seed(ctx: Any, councils: int, rng: random.Random) -> int:
    """A territory: councils of 20 titulaires (10 F, 10 M) and 4 suppléants, 36 monthly
    meetings with attendance, one training a quarter for the territory with enrolments and
    marks, 30 questions a council. Rows are written in batches, straight to the tables."""
    from service.audit import Actor
    from service.composition.tables import Membre
    from service.formations.tables import Emargement, Formation, FormationConseil, Inscription, Seance
    from service.organisation import usecases as org
    from service.reunions.tables import Reunion, ReunionPresence, ReunionQuestion

    actor = Actor.system("banc d'essai")
    t = await org.create_territory(ctx, actor, org.TerritoryInput(name=f"Banc {councils}", departement="37"))
    start = dt.date(2023, 1, 1)
    council_ids, members = [], {}
    for i in range(councils):
        q = await org.create_qpv(ctx, actor, t.id, org.QpvInput(code=f"QN037{i:02d}{'AB'[councils > 5]}", name=f"Q{i}"))
        c = await org.create_council(ctx, actor, t.id, org.CouncilInput(name=f"Conseil {i}", qpv_ids=(q.id,)))
        council_ids.append(c.id)
        rows = [Membre(council=c.id, college="habitants" if k < 14 else "associations_acteurs", origin="volontaire",
                       seat="titulaire" if k < 20 else "suppleant", prenom=f"P{k}", nom=f"N{k}", sexe="F" if k % 2 else "M",
                       mandate_start=start, mandate_end=dt.date(2025, 12, 31)) for k in range(24)]
        ids = await Membre.insert(*rows).returning(Membre.id)
        members[c.id] = [r["id"] for r in ids]
    async with ctx.db.transaction():
        for cid in council_ids:
            meetings = await Reunion.insert(*[Reunion(
                council=cid, titre=f"Plénière {m}", debut=dt.datetime(2023 + m // 12, m % 12 + 1, 10, 17, tzinfo=dt.UTC),
                fin=dt.datetime(2023 + m // 12, m % 12 + 1, 10, 19, tzinfo=dt.UTC),
                status="tenue" if rng.random() < 0.85 else "quorum_non_atteint") for m in range(36)]).returning(Reunion.id)
            await ReunionPresence.insert(*[ReunionPresence(
                reunion=m["id"], membre=mid, presence=rng.choice(["present", "present", "absent", "absent_excuse"]),
                cle=f"{m['id']}:{mid}") for m in meetings for mid in members[cid][:20]])
            await ReunionQuestion.insert(*[ReunionQuestion(
                council=cid, raised_on=start + dt.timedelta(days=rng.randint(0, 1000)), channel="formulaire", texte="?",
                destinataire="ville") for _q in range(30)])
        for quarter in range(12):
            f = await Formation.insert(Formation(territory=t.id, titre=f"Formation {quarter}", public="membres")).returning(Formation.id)
            fid = f[0]["id"]
            await FormationConseil.insert(*[FormationConseil(formation=fid, council=cid) for cid in council_ids])
            day = dt.datetime(2023 + quarter // 4, (quarter % 4) * 3 + 2, 14, 8, tzinfo=dt.UTC)
            s = await Seance.insert(Seance(formation=fid, debut=day, fin=day + dt.timedelta(hours=8), lieu="Salle")).returning(Seance.id)
            enrolled = await Inscription.insert(*[Inscription(
                seance=s[0]["id"], membre=mid, person_key=f"membre:{mid}", sexe="F" if k % 2 else "M", status="inscrit")
                for cid in council_ids for k, mid in enumerate(members[cid][:4])]).returning(Inscription.id)
            await Emargement.insert(*[Emargement(inscription=e["id"], demi_journee=part, marque="present")
                                      for e in enrolled for part in ("matin", "apres_midi") if rng.random() < 0.7])
    return t.id


async def _indicators(councils: int) -> tuple[float, int, int, str]:
    from domain.indicators import Period
    from service.cli import open_context, upgrade_database
    from service.indicateurs.usecases import for_territory
    from service.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix="bench-indicateurs-"))
    settings = load_settings({"CONSEIL_VAR_DIR": str(work), "DATABASE_URL": f"sqlite:///{work / 'b.sqlite3'}",
                              "SECRET_KEY": "banc-" + "x" * 40})
    ctx = await open_context(settings)
    try:
        await upgrade_database(ctx)
        rng = random.Random(SEED)
        small = await _seed(ctx, 5, rng)
        big = await _seed(ctx, councils, rng)
        engine_class = type(ctx.db.engine)
        count = {"n": 0}
        original = engine_class.run_querystring

        async def counting(self: Any, *args: Any, **kw: Any) -> Any:
            count["n"] += 1
            return await original(self, *args, **kw)

        engine_class.run_querystring = counting  # type: ignore[method-assign]
        period = Period(dt.date(2023, 1, 1), dt.date(2025, 12, 31))
        await for_territory(ctx, small, period)
        q_small, count["n"] = count["n"], 0
        t0 = time.perf_counter()
        d, _c = await for_territory(ctx, big, period)
        seconds = time.perf_counter() - t0
        q_big = count["n"]
        held = next(f.value for f in d.figures if f.code == "reunions.tenues")
        return seconds, q_small, q_big, f"{held} réunions tenues"
    finally:
        await ctx.db.stop()


@bench("indicators.territory.50")
def indicators_territory_50() -> tuple[float, int, str]:
    seconds, q5, q50, notes = asyncio.run(_indicators(50))
    return seconds, 50, (f"requêtes SQL : {q50} pour 50 conseils, {q5} pour 5 (ne croît pas avec le nombre de conseils) ; "
                         f"3 ans de réunions, formations et questions ; {notes}")
