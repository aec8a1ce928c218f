"""Export jobs and the files they write: the jobs (`jobs`) and the raw-data
bundle (`bundle`)."""
