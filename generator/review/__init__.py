"""`gen review BASE [HEAD]`: what a spec change does to clients, events, data, infrastructure,
permissions and cost, each finding with a stable rule id, a severity and a spec location.

A tool package (it may import the pipeline and everything below it). `side` loads BASE and
HEAD; `api`, `events`, `data`, `terraform` and `iam` hold the rules by concern (with `schemas`
comparing two schemas and `replacement` the provider knowledge); `run` applies the
acknowledgements of `changes:` and decides the exit status; `report` renders it.
"""
