"""Minutes (compte rendu): brouillon → adopté → publié, versions (spec/meetings.md §5)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from domain.errors import InvalidInput, InvalidState
from domain.i18n import _
from domain.meetings.model import Meeting, MeetingStatus

TEXT_MAX = 200_000


class MinutesState(StrEnum):
    BROUILLON = "brouillon"
    ADOPTE = "adopte"
    PUBLIE = "publie"

    @property
    def label(self) -> str:
        return {
            MinutesState.BROUILLON: _("Brouillon"),
            MinutesState.ADOPTE: _("Adopté"),
            MinutesState.PUBLIE: _("Publié"),
        }[self]


@dataclass(frozen=True)
class Minutes:
    id: int | None
    meeting_id: int
    numero_version: int  # 1, 2 … (a correction after publication is a new version)
    state: MinutesState
    texte: str
    adopted_at_meeting: int | None = None
    adopted_on: date | None = None
    published_on: date | None = None
    correction_motif: str = ""
    version: int = 1  # optimistic concurrency


def check_text(texte: str) -> str:
    if len(texte) > TEXT_MAX:
        raise InvalidInput(_("Le compte rendu est trop long."), field="texte", code="texte-trop-long")
    return texte


def edit(minutes: Minutes, texte: str) -> Minutes:
    if minutes.state is not MinutesState.BROUILLON:
        raise InvalidState(
            _("Un compte rendu {s} ne se modifie plus : une correction est une nouvelle version.").format(
                s=minutes.state.label.lower()
            ),
            code="compte-rendu-fige", field="texte",
        )
    return replace(minutes, texte=check_text(texte))


def adopt(minutes: Minutes, of_meeting: Meeting, at_meeting: Meeting) -> Minutes:
    """Adopted at a later meeting that was held (quorum reached or second convocation)."""
    if minutes.state is not MinutesState.BROUILLON:
        raise InvalidState(_("Ce compte rendu est déjà adopté."), code="compte-rendu-deja-adopte", field="state")
    if of_meeting.status not in (MeetingStatus.TENUE, MeetingStatus.QUORUM_NON_ATTEINT):
        raise InvalidState(
            _("La réunion n'a pas encore eu lieu : son compte rendu ne peut pas être adopté."),
            code="compte-rendu-reunion-non-tenue", field="reunion_id",
        )
    if at_meeting.id == of_meeting.id or at_meeting.debut <= of_meeting.debut:
        raise InvalidInput(
            _("Le compte rendu s'adopte lors d'une réunion ultérieure."),
            field="adopte_en_reunion_id", code="adoption-reunion-anterieure",
        )
    if not at_meeting.was_held:
        raise InvalidState(
            _("La réunion d'adoption doit s'être tenue (quorum atteint ou seconde convocation)."),
            code="adoption-reunion-non-tenue", field="adopte_en_reunion_id",
        )
    return replace(minutes, state=MinutesState.ADOPTE, adopted_at_meeting=at_meeting.id, adopted_on=at_meeting.on)


def publish(minutes: Minutes, on: date) -> Minutes:
    if minutes.state is MinutesState.PUBLIE:
        raise InvalidState(_("Ce compte rendu est déjà publié."), code="compte-rendu-deja-publie", field="state")
    if minutes.state is not MinutesState.ADOPTE or minutes.adopted_on is None:
        raise InvalidState(
            _("Le compte rendu doit être adopté avant d'être publié."),
            code="compte-rendu-non-adopte", field="state",
        )
    if on < minutes.adopted_on:
        raise InvalidInput(
            _("La publication ne peut pas précéder l'adoption."), field="published_on", code="publication-avant-adoption"
        )
    return replace(minutes, state=MinutesState.PUBLIE, published_on=on)


def publication_deadline(adopted_on: date, days: int) -> date:
    """Last day to publish: ``publication_compte_rendu_jours`` days after adoption."""
    return adopted_on + timedelta(days=days)


def deadline_warning(minutes: Minutes, today: date, days: int, warn_before: int = 2) -> str | None:
    """A French warning for the secretary when the publication deadline is near or past."""
    if minutes.state is not MinutesState.ADOPTE or minutes.adopted_on is None:
        return None
    deadline = publication_deadline(minutes.adopted_on, days)
    left = (deadline - today).days
    if left < 0:
        return _("Le délai de publication du compte rendu est dépassé depuis le {d}.").format(d=deadline.strftime("%d/%m/%Y"))
    if left <= warn_before:
        return _("Le compte rendu doit être publié au plus tard le {d}.").format(d=deadline.strftime("%d/%m/%Y"))
    return None


def correct(published: Minutes, texte: str, motif: str, on: date) -> Minutes:
    """A correction of a published text: a new version, published with its reason; the
    earlier version stays readable as it was."""
    if published.state is not MinutesState.PUBLIE:
        raise InvalidState(
            _("Seul un compte rendu publié se corrige par une nouvelle version ; un brouillon se modifie."),
            code="correction-non-publie", field="state",
        )
    if not motif.strip():
        raise InvalidInput(_("Indiquez le motif de la correction."), field="motif", code="champ-obligatoire")
    if texte == published.texte:
        raise InvalidInput(_("La correction ne change rien au texte publié."), field="texte", code="correction-vide")
    return replace(
        published, id=None, numero_version=published.numero_version + 1, texte=check_text(texte),
        correction_motif=motif.strip(), published_on=on, version=1,
    )
