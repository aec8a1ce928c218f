"""Free-text themes (issue #19 point 3): staff define themes for a free-text
question, code each organisation's answer with them (two coders independently),
compare the coders (Cohen's κ) and count the agreed coding like a closed
question. See docs/themes.md."""
