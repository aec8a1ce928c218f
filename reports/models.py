# Export rows, tabulation settings and the kvalitetsdeklaration arrive with issue #5.
