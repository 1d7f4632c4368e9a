"""The verifiable draw by lot (tirage au sort), protocol cc-draw/1.

``protocol`` holds what an auditor recomputes (§2–§5, §7 of ``spec/draw-protocol.md``);
``ceremony`` the draw's life as a state machine; ``rounds`` invitations, replies, seats and
parity; ``record`` the published record (§8). ``domain.verify`` is the standalone check
(§9). Standard library only.
"""
