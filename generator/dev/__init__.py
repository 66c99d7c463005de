"""The local stack behind `gen dev`: AWS emulation on top of moto, in one process.

Arranged by concern, layered top to bottom (import-linter's "gen dev is layered" contract in
pyproject.toml; a package may import only from its own layer's modules or lower ones):

- `server` (the `gen dev` entry), then `stack` (the composition root: starts and stops it all);
- `web` (the one WSGI application) and `local_endpoints` (``/_local/*``);
- `console` (the dev console at ``/_local/``: request traces, record outcomes, tables, dead
  letters and redrive, and its page);
- `workers` (pollers, archivers and scheduler built from the IR) and `freshness` (refuse a stale
  generated/);
- `schedule` (EventBridge-like rules) and `archive` (a Firehose-like archiver);
- `lambdas` (Lambda emulation: functions, event source mappings) and `apigw` (the API Gateway
  emulator), independent of each other;
- `local_aws` (moto as local AWS: server, in-process calls, resources, moto patches);
- `kinesis` (reading Kinesis as a consumer: shard readers, checkpoints, tips);
- `http` (the keep-alive WSGI server everything here serves through), and beside it `logsink`
  (the one writer of every line gen dev prints).
"""
