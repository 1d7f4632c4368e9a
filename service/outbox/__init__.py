"""The mail outbox: every mail the service sends is written here first, in the same
transaction as what it announces, then sent, retried and tracked in the background
(DESIGN.md rule 7). See ``service/outbox/usecases/sending.py`` for the delivery
guarantees."""
