"""The kvalitetsdeklaration, by sub-domain: the adapters to other parts of the
service (`adapters`), the computed figures (`figures`), the outline (`outline`)
and its tables (`tables`), and the files written from it (`writers`)."""
