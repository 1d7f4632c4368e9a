"""The rules of conseils citoyens. Standard library only (see DESIGN.md rule 1)."""
