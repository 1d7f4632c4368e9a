"""Accounts, roles, invitations, API tokens, web sessions and login attempts (DESIGN.md §2)."""
