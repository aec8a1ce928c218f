"""Raw-data imports: reading a file (`reading`), parsing its cells (`values`),
checking it into a plan (`importing`, with the RSS kommun counts' rules in
`counts`) and saving it, directly or as a job in the worker (`jobs`)."""
