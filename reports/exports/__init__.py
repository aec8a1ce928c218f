"""Export jobs and the files they write: the jobs (`jobs`), the raw-data bundle
(`bundle`), the table writers the tabular exporters share (`tables`) and the
response-status export (`svarsstatus`)."""
