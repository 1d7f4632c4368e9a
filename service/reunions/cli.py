"""CLI of the meetings feature."""
