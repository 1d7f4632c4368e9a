"""The council's composition: members (titulaires and suppléants in two colleges), the
composition rules judged live, departures and replacements from the reserve, the
history, and the report the préfecture audits."""
