"""Meetings of a council: kinds, statuses and the allowed transitions.

Source: ``spec/meetings.md`` and the issue "Meetings". Standard library only; the clock
comes in as an argument (DESIGN.md rules 1 and 2). Times are aware datetimes; the dates
that rules count with are calendar dates in Europe/Paris (``paris_date``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.errors import InvalidInput, InvalidState
from domain.i18n import _

PARIS = ZoneInfo("Europe/Paris")
TITLE_MAX = 200
PLACE_MAX = 300


def paris_date(moment: datetime | date) -> date:
    """Calendar date in Europe/Paris of an aware datetime (a date is returned as is)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise InvalidInput(_("Heure sans fuseau horaire."), field="debut", code="heure-sans-fuseau")
        return moment.astimezone(PARIS).date()
    return moment


class MeetingKind(StrEnum):
    PLENIERE = "pleniere"
    BUREAU = "bureau"
    GROUPE_DE_TRAVAIL = "groupe_de_travail"
    ASSEMBLEE_PUBLIQUE = "assemblee_publique"

    @property
    def label(self) -> str:
        return {
            MeetingKind.PLENIERE: _("Séance plénière"),
            MeetingKind.BUREAU: _("Bureau"),
            MeetingKind.GROUPE_DE_TRAVAIL: _("Groupe de travail"),
            MeetingKind.ASSEMBLEE_PUBLIQUE: _("Assemblée publique"),
        }[self]


class MeetingStatus(StrEnum):
    PREVUE = "prevue"
    CONVOQUEE = "convoquee"
    TENUE = "tenue"
    QUORUM_NON_ATTEINT = "quorum_non_atteint"
    ANNULEE = "annulee"
    REPORTEE = "reportee"

    @property
    def label(self) -> str:
        return {
            MeetingStatus.PREVUE: _("Prévue"),
            MeetingStatus.CONVOQUEE: _("Convoquée"),
            MeetingStatus.TENUE: _("Tenue"),
            MeetingStatus.QUORUM_NON_ATTEINT: _("Quorum non atteint"),
            MeetingStatus.ANNULEE: _("Annulée"),
            MeetingStatus.REPORTEE: _("Reportée"),
        }[self]

    @property
    def is_final(self) -> bool:
        return not TRANSITIONS[self]


S = MeetingStatus
# Convoquée → convoquée: convocations sent again after a change (a new version).
TRANSITIONS: dict[MeetingStatus, frozenset[MeetingStatus]] = {
    S.PREVUE: frozenset({S.CONVOQUEE, S.ANNULEE, S.REPORTEE}),
    S.CONVOQUEE: frozenset({S.CONVOQUEE, S.TENUE, S.QUORUM_NON_ATTEINT, S.ANNULEE, S.REPORTEE}),
    S.TENUE: frozenset(),
    S.QUORUM_NON_ATTEINT: frozenset(),
    S.ANNULEE: frozenset(),
    S.REPORTEE: frozenset(),
}
# Statuses in which the agenda and the meeting's fields may still change.
EDITABLE = frozenset({S.PREVUE, S.CONVOQUEE})


def check_transition(current: MeetingStatus, target: MeetingStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidState(
            _("Une réunion « {a} » ne peut pas passer à l'état « {b} ».").format(
                a=current.label, b=target.label
            ),
            code="transition-reunion-interdite",
            field="status",
        )


@dataclass(frozen=True)
class Meeting:
    id: int | None
    council_id: int
    titre: str
    debut: datetime
    fin: datetime
    lieu: str = ""
    kind: MeetingKind = MeetingKind.PLENIERE
    publique: bool = False
    status: MeetingStatus = MeetingStatus.PREVUE
    reportee_au: datetime | None = None
    second_convocation_of: int | None = None
    urgence_motif: str = ""
    version: int = 1
    sequence: int = 0
    # Paris date the convocations went out; the postponed meeting this one replaces;
    # quorum figures recorded when attendance was closed.
    convoquee_le: date | None = None
    report_de: int | None = None
    quorum_membres: int | None = None
    quorum_requis: int | None = None
    quorum_presents: int | None = None

    def __post_init__(self) -> None:
        check_times(self.debut, self.fin)

    @property
    def on(self) -> date:
        """The meeting's calendar date in Europe/Paris."""
        return paris_date(self.debut)

    @property
    def is_second_convocation(self) -> bool:
        return self.second_convocation_of is not None

    @property
    def was_held(self) -> bool:
        return self.status is MeetingStatus.TENUE

    def moved_to(self, status: MeetingStatus, **changes: object) -> Meeting:
        check_transition(self.status, status)
        # ``changes`` are fields of the meeting named by the caller; dataclasses.replace
        # checks their names at run time, the checker cannot type them as ``object``.
        return replace(self, status=status, sequence=self.sequence + 1, **changes)  # type: ignore[arg-type]


def check_times(debut: datetime, fin: datetime) -> None:
    if debut.tzinfo is None:
        raise InvalidInput(_("L'heure de début doit avoir un fuseau horaire."), field="debut", code="heure-sans-fuseau")
    if fin.tzinfo is None:
        raise InvalidInput(_("L'heure de fin doit avoir un fuseau horaire."), field="fin", code="heure-sans-fuseau")
    if fin <= debut:
        raise InvalidInput(
            _("La réunion se termine avant de commencer : la fin doit suivre le début."),
            field="fin",
            code="fin-avant-debut",
        )


def check_title(raw: str, field: str = "titre") -> str:
    titre = " ".join((raw or "").split())
    if not titre:
        raise InvalidInput(_("Le titre est obligatoire."), field=field, code="champ-obligatoire")
    if len(titre) > TITLE_MAX:
        raise InvalidInput(
            _("Le titre dépasse {n} caractères.").format(n=TITLE_MAX), field=field, code="texte-trop-long"
        )
    return titre


def check_place(raw: str) -> str:
    lieu = " ".join((raw or "").split())
    if len(lieu) > PLACE_MAX:
        raise InvalidInput(_("Le lieu dépasse {n} caractères.").format(n=PLACE_MAX), field="lieu", code="texte-trop-long")
    return lieu


def check_editable(meeting: Meeting) -> None:
    if meeting.status not in EDITABLE:
        raise InvalidState(
            _("La réunion est « {s} » : elle ne peut plus être modifiée.").format(s=meeting.status.label),
            code="reunion-non-modifiable",
            field="status",
        )


def cancel(meeting: Meeting) -> Meeting:
    return meeting.moved_to(MeetingStatus.ANNULEE)


def postpone(meeting: Meeting, new_debut: datetime, new_fin: datetime) -> tuple[Meeting, Meeting]:
    """The postponed meeting (status reportée, pointing at the new date) and the new
    meeting to create on the same agenda (status prévue, to be convened again)."""
    check_times(new_debut, new_fin)
    if new_debut <= meeting.debut:
        raise InvalidInput(
            _("La nouvelle date doit suivre la date initiale de la réunion."),
            field="debut",
            code="report-dans-le-passe",
        )
    old = meeting.moved_to(MeetingStatus.REPORTEE, reportee_au=new_debut)
    new = Meeting(
        id=None,
        council_id=meeting.council_id,
        titre=meeting.titre,
        debut=new_debut,
        fin=new_fin,
        lieu=meeting.lieu,
        kind=meeting.kind,
        publique=meeting.publique,
        second_convocation_of=meeting.second_convocation_of,
        report_de=meeting.id,
    )
    return old, new


def convene(meeting: Meeting, urgence_motif: str = "", sent_on: date | None = None) -> Meeting:
    """Status after the convocations went out (first time or again after a change)."""
    return meeting.moved_to(
        MeetingStatus.CONVOQUEE, urgence_motif=urgence_motif.strip(),
        convoquee_le=sent_on if sent_on is not None else meeting.convoquee_le,
    )
