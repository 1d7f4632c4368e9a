"""Who may read a member's contact data (e-mail, telephone): one rule, applied by the API's
member presenter and by the pages' templates alike.

Those who manage the composition read every contact; the council's members and its
secretary read the contacts of members who agreed to share them; anyone else (the
préfecture's auditors above all) reads none, nor applicants' contact data.
"""

from __future__ import annotations

from enum import StrEnum


class ContactAudience(StrEnum):
    ALL = "all"  # manages the composition
    CONSENTED = "consented"  # a member or the secretary of the council
    NONE = "none"  # anyone else, auditors included


def audience_for(manages_composition: bool, member_or_secretary: bool) -> ContactAudience:
    """By role, not by action: the auditor reads meetings too, yet never contact data."""
    if manages_composition:
        return ContactAudience.ALL
    if member_or_secretary:
        return ContactAudience.CONSENTED
    return ContactAudience.NONE


class ContactPrivacy:
    """A member's contact is shown to ``audience`` only as the audience allows."""

    code = "coordonnees-privees"

    def shows(self, audience: str, consented: bool) -> bool:
        who = ContactAudience(audience)
        return who is ContactAudience.ALL or (who is ContactAudience.CONSENTED and consented)

    def column(self, audience: str) -> bool:
        """Whether a list of members has a contact column at all for this audience."""
        return ContactAudience(audience) is not ContactAudience.NONE


CONTACT_PRIVACY = ContactPrivacy()
