"""Use cases of the accounts, by activity: accounts and the first administrator
(accounts), logging in and passwords (sessions), API tokens (tokens), invitations
(invitations). ``from service.comptes import usecases as acc`` reaches them all."""

from service.comptes.usecases.accounts import (
    SETUP_KEY,
    admin_exists,
    create_admin,
    get_account,
    issue_setup_token,
    list_accounts,
    normalise_email,
    set_account_active,
    set_genre,
    setup_first_admin,
)
from service.comptes.usecases.invitations import (
    InvitationInput,
    NewInvitation,
    accept_invitation,
    create_invitation,
    find_invitation,
    may_invite,
)
from service.comptes.usecases.sessions import LoginResult, change_password, login, logout
from service.comptes.usecases.tokens import create_api_token, get_api_token, list_api_tokens, revoke_api_token

__all__ = [
    "SETUP_KEY", "InvitationInput", "LoginResult", "NewInvitation", "accept_invitation", "admin_exists",
    "change_password", "create_admin", "create_api_token", "create_invitation", "find_invitation", "get_account", "get_api_token",
    "issue_setup_token", "list_accounts", "list_api_tokens", "login", "logout", "may_invite", "normalise_email", "revoke_api_token",
    "set_account_active", "set_genre", "setup_first_admin",
]
