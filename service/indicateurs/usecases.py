"""Reading the dashboard of a council or a territory for a period (the period is checked
by the domain: an end before the start is refused, naming the field)."""

from __future__ import annotations

from datetime import date, datetime

from domain.errors import InvalidInput, NotFound
from domain.i18n import _
from domain.indicators import Period
from service.context import AppContext
from service.formations.store import TrainingStore
from service.indicateurs.dashboard import Dashboard, council_dashboard, territory_dashboard
from service.indicateurs.facts import PARIS, CouncilFact, councils_of_territory
from service.organisation import usecases as organisation


def parse_day(raw: str | None, field: str) -> date | None:
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("Date invalide : format AAAA-MM-JJ attendu."), field=field) from None


def period_of(now: datetime, du: str | None, au: str | None) -> Period:
    """The period asked for; by default the current year up to today (Paris)."""
    today = now.astimezone(PARIS).date()
    start = parse_day(du, "du") or date(today.year, 1, 1)
    end = parse_day(au, "au") or (today if start <= today else start)
    return Period(start, end)


async def for_council(ctx: AppContext, council_id: int, period: Period) -> tuple[Dashboard, str]:
    council = await organisation.get_council(council_id)
    territory = await organisation.get_territory(council.territory)
    facts = [c for c in await councils_of_territory(council.territory) if c.id == council_id]
    if not facts:
        raise NotFound(_("Conseil citoyen introuvable."))
    return await council_dashboard(TrainingStore(ctx.db), facts[0], period), territory.name


async def for_territory(ctx: AppContext, territory_id: int, period: Period) -> tuple[Dashboard, list[CouncilFact]]:
    territory = await organisation.get_territory(territory_id)
    councils = await councils_of_territory(territory_id)
    return await territory_dashboard(TrainingStore(ctx.db), territory.name, councils, period), councils
