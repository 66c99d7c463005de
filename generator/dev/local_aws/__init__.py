"""moto as the local AWS: its server in this process, calls to it, what is created in it.

Owns: `moto_server` (`LocalAws`: moto's application served on a loopback port), `in_process`
(boto3 calls answered without a socket), `kinesis_serial` (the correctness fix: Kinesis
requests one at a time), `backend_reads` (Kinesis read straight from moto's backend),
`resources` (the spec's tables, streams, queues and bucket under their physical names),
`identity` (account, region, credentials) and `patches` (moto's speed patches and the gate
that decides whether they run). Everything that touches moto's private code lives here.

May import: `generator.dev.kinesis`, `generator.dev.http`, `generator.ir`, moto, boto3.
Nothing above it (lambdas, archive, schedule, apigw, workers, stack).
"""
