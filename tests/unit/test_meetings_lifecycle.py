"""Meetings' statuses, the agenda tree, minutes (§5) and residents' questions (§6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from domain.errors import InvalidInput, InvalidState
from domain.meetings import (
    PARIS,
    Addressee,
    AgendaItem,
    AgendaTree,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesState,
    Question,
    QuestionChannel,
    QuestionStatus,
    cancel,
    convene,
    postpone,
    publication_deadline,
)
from domain.meetings import minutes as mn
from domain.meetings import questions as qs
from domain.organisation import build_settings


def at(d: int, h: int = 18, month: int = 3) -> datetime:
    return datetime(2026, month, d, h, tzinfo=PARIS)


def meeting(mid: int = 1, d: int = 10, status: MeetingStatus = MeetingStatus.PREVUE) -> Meeting:
    return Meeting(id=mid, council_id=1, titre="Plénière", debut=at(d), fin=at(d, 20), status=status)


def test_meeting_ending_before_it_starts_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        Meeting(id=None, council_id=1, titre="x", debut=at(10, 20), fin=at(10, 18))
    assert err.value.field == "fin" and err.value.code == "fin-avant-debut"
    with pytest.raises(InvalidInput):
        Meeting(id=None, council_id=1, titre="x", debut=at(10), fin=at(10))


def test_status_transitions() -> None:
    m = convene(meeting())
    assert m.status is MeetingStatus.CONVOQUEE and m.sequence == 1
    assert convene(m, "Crue").urgence_motif == "Crue"  # sent again after a change
    assert cancel(m).status is MeetingStatus.ANNULEE
    with pytest.raises(InvalidState) as err:
        convene(cancel(m))
    assert err.value.code == "transition-reunion-interdite"
    with pytest.raises(InvalidState):
        m.moved_to(MeetingStatus.PREVUE)
    with pytest.raises(InvalidState):
        meeting().moved_to(MeetingStatus.TENUE)  # never convened


def test_postponed_meeting_points_to_the_new_one() -> None:
    old, new = postpone(convene(meeting()), at(17), at(17, 20))
    assert old.status is MeetingStatus.REPORTEE and old.reportee_au == at(17)
    assert new.status is MeetingStatus.PREVUE and new.debut == at(17) and new.id is None
    with pytest.raises(InvalidInput):
        postpone(meeting(), at(9), at(9, 20))


def item(iid: int, pos: int, parent: int | None = None) -> AgendaItem:
    return AgendaItem(id=iid, meeting_id=1, parent_id=parent, position=pos, titre=f"P{iid}")


def test_agenda_numbering_as_people_print_it() -> None:
    tree = AgendaTree([item(1, 1), item(2, 2), item(3, 1, parent=2), item(4, 2, parent=2), item(5, 3)])
    assert [(i.id, i.numero) for i in tree.numbered()] == [(1, "1"), (2, "2"), (3, "2.1"), (4, "2.2"), (5, "3")]


def test_agenda_move_never_loses_an_item() -> None:
    items = [item(1, 1), item(2, 2), item(3, 1, parent=2), item(4, 2, parent=2), item(5, 3)]
    tree = AgendaTree(items)
    changes = tree.move(5, 2, 0)  # item 5 becomes 2.1
    after = [replace(i, parent_id=changes[i.id][0], position=changes[i.id][1]) if i.id in changes else i for i in items]
    numbered = AgendaTree(after).numbered()
    assert sorted(i.id for i in numbered) == [1, 2, 3, 4, 5]
    assert [(i.id, i.numero) for i in numbered] == [(1, "1"), (2, "2"), (5, "2.1"), (3, "2.2"), (4, "2.3")]
    with pytest.raises(InvalidInput) as err:
        tree.move(2, 3, 0)  # under its own child
    assert err.value.code == "parent-circulaire"
    with pytest.raises(InvalidInput):
        tree.check_parent(99)


def test_minutes_workflow_brouillon_adopte_publie() -> None:
    held = meeting(1, 10, MeetingStatus.TENUE)
    later = meeting(2, 24, MeetingStatus.TENUE)
    draft = Minutes(id=1, meeting_id=1, numero_version=1, state=MinutesState.BROUILLON, texte="Texte")
    with pytest.raises(InvalidState) as err:
        mn.publish(draft, date(2026, 3, 25))
    assert err.value.code == "compte-rendu-non-adopte"
    adopted = mn.adopt(draft, held, later)
    assert adopted.state is MinutesState.ADOPTE and adopted.adopted_at_meeting == 2
    assert adopted.adopted_on == date(2026, 3, 24)
    assert publication_deadline(date(2026, 3, 24), 7) == date(2026, 3, 31)
    assert mn.deadline_warning(adopted, date(2026, 3, 30), 7) is not None
    assert mn.deadline_warning(adopted, date(2026, 3, 25), 7) is None
    published = mn.publish(adopted, date(2026, 3, 26))
    assert published.state is MinutesState.PUBLIE
    with pytest.raises(InvalidState) as err:
        mn.edit(published, "autre")
    assert err.value.code == "compte-rendu-fige"
    v2 = mn.correct(published, "Texte corrigé", "Coquille", date(2026, 4, 2))
    assert (v2.numero_version, v2.state, v2.correction_motif) == (2, MinutesState.PUBLIE, "Coquille")
    assert published.texte == "Texte"  # the earlier version is unchanged


def test_minutes_adopted_only_after_the_meeting_was_held_and_at_a_later_held_one() -> None:
    draft = Minutes(id=1, meeting_id=1, numero_version=1, state=MinutesState.BROUILLON, texte="")
    with pytest.raises(InvalidState) as err:
        mn.adopt(draft, meeting(1, 10, MeetingStatus.CONVOQUEE), meeting(2, 24, MeetingStatus.TENUE))
    assert err.value.code == "compte-rendu-reunion-non-tenue"
    with pytest.raises(InvalidInput):
        mn.adopt(draft, meeting(1, 10, MeetingStatus.TENUE), meeting(2, 5, MeetingStatus.TENUE))
    with pytest.raises(InvalidState) as err:
        mn.adopt(draft, meeting(1, 10, MeetingStatus.TENUE), meeting(2, 24, MeetingStatus.QUORUM_NON_ATTEINT))
    assert err.value.code == "adoption-reunion-non-tenue"


def q(qid: int, raised: date, status: QuestionStatus = QuestionStatus.OUVERTE) -> Question:
    return Question(id=qid, council_id=1, raised_on=raised, channel=QuestionChannel.FORMULAIRE,
                    texte="Quand l'ascenseur sera-t-il réparé ?", addressee=Addressee.BAILLEUR, status=status)


def test_question_answer_and_delay() -> None:
    answered = qs.answer(q(1, date(2026, 3, 1)), "Le 15 mars.", date(2026, 3, 22))
    assert answered.status is QuestionStatus.REPONDUE and answered.answer_delay_days == 21
    with pytest.raises(InvalidState):
        qs.answer(answered, "encore", date(2026, 3, 23))
    with pytest.raises(InvalidInput):
        qs.answer(q(2, date(2026, 3, 1)), "x", date(2026, 2, 28))
    with pytest.raises(InvalidInput) as err:
        qs.parse_addressee("mairie")
    assert err.value.field == "destinataire"


def test_open_questions_raised_before_the_convocation_go_on_the_agenda() -> None:
    convocation = date(2026, 3, 5)
    questions = [q(1, date(2026, 3, 1)), q(2, date(2026, 3, 6)), q(3, date(2026, 2, 1), QuestionStatus.REPONDUE),
                 q(4, date(2026, 2, 20))]
    assert [x.id for x in qs.pending_for_agenda(questions, convocation)] == [4, 1]


def test_meeting_settings_defaults_and_validation() -> None:
    s = build_settings({})
    assert s.voix_preponderante_president is False and s.convoquer_suppleants is False
    s2 = build_settings({"voix_preponderante_president": "oui", "convoquer_suppleants": True})
    assert s2.voix_preponderante_president and s2.convoquer_suppleants
    with pytest.raises(InvalidInput) as err:
        build_settings({"convoquer_suppleants": "peut-être"})
    assert err.value.field == "convoquer_suppleants"


def test_deadline_past_warning() -> None:
    adopted = Minutes(id=1, meeting_id=1, numero_version=1, state=MinutesState.ADOPTE, texte="",
                      adopted_at_meeting=2, adopted_on=date(2026, 3, 24))
    assert "dépassé" in (mn.deadline_warning(adopted, date(2026, 3, 24) + timedelta(days=8), 7) or "")
