"""``conseil formations …`` sub-commands (filled in below)."""
