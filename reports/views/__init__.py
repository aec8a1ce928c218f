"""Staff pages of the reports app, by page family (docs/conventions.md §4: thin
views; the gateway in `reports.permissions` decides access, forms parse,
selectors and services do the rest; each page makes a fixed number of queries
whatever the number of respondents): `tables` (the report pages), `review`
(granskning and corrections), `downloads` (a question's chart and sheet, the
kvalitetsdeklaration's files), `kvalitetsdeklaration` (its texts),
`year_over_year` (the comparison with the previous cycle), `imports` and
`exports`. The URLs (`reports.urls`) name each module's views."""
