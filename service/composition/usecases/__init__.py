"""The composition's use cases, by activity: members.py (reading, naming, editing),
departures.py (departures and replacements), appointments.py (from a draw, from an
application, the volunteers' pool), report.py (the rules judged live, history, parity
timeline). Each takes the store (and the audit writer) through ``unit=``/``store=``,
the real ones by default."""
