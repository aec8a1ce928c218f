"""Questionnaire definition files (docs/questionnaire-format.md): read, parse, validate.

Pure functions over YAML data: nothing here touches the database, so every rule
can be tested on small dictionaries. `surveys.services.questionnaires.load_questionnaires`
turns the validated definitions into rows.

Problems are collected rather than raised one at a time, so that a reviewer sees
every problem of a file in one run. Messages are Swedish: staff read them.

One module per step, each small enough to read whole: `records` (what a parsed
file is), `values` (reading one field), `parsing` (a mapping to records),
`validation` (rules across questions, files and cycles) and `files` (a cycle
directory on disk); back the other way, `dumping` (records as a file), and for
the next cycle (issue #19) `copying` (a cycle carried one year on) and
`editing` (a question reworded, re-optioned, added or removed).
"""
