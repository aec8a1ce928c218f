"""Respondent and staff pages of the intake, by page family: `form` (the list
and the questionnaire form), `saving` (a posted save, shared with autosave),
`receipt` (after submitting, and reopening), `staff` (stale consolidations).
The URLs (`intake.urls`) name each module's views."""
