"""Scope resolvers of the meetings feature."""
