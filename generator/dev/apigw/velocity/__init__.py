"""The mapping-template engine of the API Gateway emulator: Velocity as API Gateway runs it.

Owns: parsing and rendering templates with one pinned engine, airspeed, adjusted to API Gateway's
Java Velocity (`engine`, with `syntax` rewriting the forms airspeed cannot parse); Java value
semantics (`java`); `$util` (`util`); the JSONPath of `$input.path`/`$input.json` (`jsonpath`);
request bodies parsed as strictly as API Gateway's Java parser does (`jackson`, which the
gateway's request validator uses too);
and the variables a template sees, `$input`, `$util`, `$context`, `$stageVariables`, with
`render()` (`variables`).

May import: the standard library, airspeed, and modules of this package. Never the gateway
(`generator.dev.apigw.*` outside `velocity`): the engine knows templates, not requests, routes
or services; the gateway builds the values (such as `$context`) and hands them in.
"""
