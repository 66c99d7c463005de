"""`gen replay`: archived events from the data lake through a processor, as its stream would.

Owns: `window` (the time range and its parsing), `lake` (listing and reading the archive's
objects), `feed` (the lake as a Kinesis shard reader: lake order, synthetic sequence numbers,
rate cap, resume position), `checkpoint` (the progress file and the failed-records file),
`tally` (what became of each record: applied, duplicate, failed; `--reapply`), `target`
(where it runs: gen dev's moto, or a stage with the caller's credentials), `private` (the
private copy `--dry-run` runs against, and its table diff) and `run` (one replay, end to end,
with its summary).

Batches, partial failures, bisection, retries and the on-failure destination are gen dev's
shard worker (`generator.dev.lambdas.shard_worker`), driven one `step()` at a time; the
processor is its generated Lambda handler, imported as gen dev imports it. No second engine.

May import: `generator.dev` (and everything below it). Nothing imports it but the CLI.
"""
