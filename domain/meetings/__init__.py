"""Meetings of a council: kinds and statuses, agenda, notice, quorum, proxies, votes,
absences, minutes and residents' questions (spec/meetings.md). Standard library only."""

from domain.meetings.absences import AbsenceProposal, AbsenceStreak, AttendanceRecord
from domain.meetings.agenda import QUESTIONS_HEADING, AgendaItem, AgendaTree, check_duration
from domain.meetings.attendance import (
    AttendanceSheet,
    Presence,
    ProxyRefused,
    VoteChoice,
    VoteResult,
    consensus,
    tally,
)
from domain.meetings.minutes import Minutes, MinutesState, publication_deadline
from domain.meetings.model import (
    PARIS,
    Meeting,
    MeetingKind,
    MeetingStatus,
    cancel,
    check_times,
    check_transition,
    convene,
    paris_date,
    postpone,
)
from domain.meetings.notice import NoticeCheck, NoticeRule, NoticeTooShort, clear_days
from domain.meetings.questions import Addressee, Question, QuestionChannel, QuestionStatus
from domain.meetings.quorum import (
    NoMemberConvened,
    QuorumResult,
    QuorumRule,
    check_second_convocation,
    hold,
)

__all__ = [
    "PARIS", "QUESTIONS_HEADING", "AbsenceProposal", "AbsenceStreak", "Addressee", "AgendaItem",
    "AgendaTree", "AttendanceRecord", "AttendanceSheet", "Meeting", "MeetingKind", "MeetingStatus",
    "Minutes", "MinutesState", "NoMemberConvened", "NoticeCheck", "NoticeRule", "NoticeTooShort",
    "Presence", "ProxyRefused", "Question", "QuestionChannel", "QuestionStatus", "QuorumResult",
    "QuorumRule", "VoteChoice", "VoteResult", "cancel", "check_duration", "check_second_convocation",
    "check_times", "check_transition", "clear_days", "consensus", "convene", "hold", "paris_date",
    "postpone", "publication_deadline", "tally",
]
