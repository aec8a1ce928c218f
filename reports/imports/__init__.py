"""Raw-data imports: reading and checking a file (`importing`) and saving it,
directly or as a job in the worker (`jobs`)."""
