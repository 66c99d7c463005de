"""Lambda emulation: the processors as in-process functions, and their Kinesis event sources.

Owns: `functions` (environment and entry points), `shapes` (context, event and on-failure
documents), `invocations` (per-function counters), and the event source mapping: `event_source`
(its settings and counters), `poller` (one per mapping), `shard_worker` (one per shard),
`batch_response` (how a batch answer is read), `dead_letters` (the on-failure queue) and
`observer` (what became of each batch, for the dev console).

May import: `generator.dev.kinesis`, `generator.dev.local_aws` (identity, resource names),
`generator.dev.logsink` (output attribution), `generator.ir`. Not `apigw` (independent), nor anything above (schedule, archive, workers,
stack).
"""
