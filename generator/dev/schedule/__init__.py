"""EventBridge-like schedules: scheduled processors run at their rate()/cron() times.

Owns: `scheduler`. Schedule expressions themselves are parsed by `generator.aws.schedules`
(shared with the spec checks).

May import: `generator.aws`, `generator.dev.lambdas` (the context and event a function is
invoked with), `generator.dev.local_aws` (identity). Nothing above it (workers, stack).
"""
