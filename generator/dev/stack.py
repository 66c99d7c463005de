"""The whole local stack in this process: `start_stack(root, host, port) -> RunningStack`.

Start-up, in order (anything failing undoes what was done and raises):
 1. `freshness.check_generated`: the spec is valid and generated/ is current (`StaleOutput`);
 2. bind the HTTP port (a port in use fails before anything else starts);
 3. moto on a free loopback port (`local_aws.moto_server`), the spec's tables, idempotency
    table, streams, data-lake bucket and dead-letter queues (`local_aws.resources`), under stage
    ``local``; with ``state`` (`gen dev --state DIR`), what DIR holds is restored and every
    write journaled from here on (`generator.dev.state`); the seed, except tables restored;
    the retention sweeps (`local_aws.retention`: Kinesis retention, DynamoDB TTL);
 4. the API Gateway emulator on ``generated/api/openapi.json`` with local placeholder values,
    stage variables naming the local tables and streams and the stack's own origin as the CORS
    origin, the local SigV4 key pair and the local API key of each usage-plan client;
 5. the functions: environment (``AWS_ENDPOINT_URL``, dummy credentials, ``TABLE_*``, ...) and
    import paths applied to this process, entry modules imported fresh (a cold start);
 6. the workers (pollers, archivers, scheduler), checkpointing under
    ``.gen-cache/checkpoints/<run>/`` (moto's streams live as long as the run, so do they);
    with ``run_schedules``, every scheduled processor runs once now, so seeded state obeys
    the schedules' rules from the start (e.g. a device last seen a week ago is offline);
 7. serve HTTP.
`RunningStack.stop()` reverses all of it: server, worker threads, moto, environment. One stack
runs per process at a time (moto's state is per process).

`gen dev --watch` changes a running stack in place, keeping every item and record it holds:
`RunningStack.reload(ir, document)` (after `gen build` wrote generated/) creates what the spec
added (tables, seeded from the seed; streams; queues), imports the functions fresh when their
code changed, lets new workers take over the checkpoints of the old ones whose settings changed
(the others keep running) and swaps the API definition (requests in flight finish on the old one); it raises `ReloadRefused`, changing nothing, for what it cannot apply to
the data it holds (a key change: restart). `reload_functions()` re-imports the processors only.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.dev.apigw import ApiGateway, wsgi_app
from generator.dev.apigw.access.api_keys import ApiKeys, Plan
from generator.dev.apigw.definition import DefinitionError, required_variables
from generator.dev.console.views import Console, start_console
from generator.dev.apigw.wsgi import GatewaySlot
from generator.dev.freshness import API_DEFINITION, StaleOutput, check_generated
from generator.dev.http.wsgi_server import WsgiServer
from generator.dev.lambdas.functions import (
    FunctionLoadError,
    FunctionSlot,
    Handler,
    ProcessEnvironment,
    function_environment,
    import_paths,
    load_handler,
)
from generator.dev.local_aws.identity import DEFAULT_REGION, LOCAL_ACCOUNT
from generator.dev.local_aws.moto_server import LocalAws
from generator.dev.local_aws.resources import (
    LOCAL_STAGE,
    LocalNames,
    create_added,
    create_resources,
    local_names,
    refused_changes,
)
from generator.dev.local_aws.retention import Retention
from generator.dev.local_endpoints import LocalEndpoints
from generator.dev.state.persistence import Persistence, kept
from generator.dev.web import StaticSite, dispatcher
from generator.dev.workers import Clients, Workers
from generator.errors import UserError
from generator.ir.nodes import Ir
from generator.seeding import SEED_PATH, load_seed_file, write_batches

log = logging.getLogger(__name__)
ACCESS_LOG = logging.getLogger("generator.dev.access")
API_STAGE = "api"
CHECKPOINTS = ".gen-cache/checkpoints"
OLD_GATEWAY_GRACE_S = 30.0
_one_stack = threading.Lock()


class StackError(UserError):
    """The stack cannot start; the message says why and what to do (no traceback needed)."""


class ReloadRefused(UserError):
    """A spec change the running stack cannot apply to the data it holds; nothing was changed."""


@dataclass(frozen=True)
class Reloaded:
    """What a reload did: tables created (physical name: items seeded), the tables (physical)
    and streams (logical) the spec no longer has but the stack keeps, with their data."""

    created: dict[str, int]
    kept: tuple[str, ...]
    functions: bool = True
    """Whether the functions were imported again (their code had changed)."""


@dataclass
class _Live:
    """What a running stack needs to change itself (`RunningStack.reload`)."""

    root: Path
    aws: LocalAws
    gateway: GatewaySlot
    environment: ProcessEnvironment
    functions: dict[str, FunctionSlot]
    checkpoints: Path
    function_env: Mapping[str, str]
    log_level: str
    status: list[dict[str, Any]]
    dlq_urls: dict[str, str]
    clients: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, tuple[int, int]] = field(default_factory=dict)  # as last imported
    lock: threading.Lock = field(default_factory=threading.Lock)
    persistence: Persistence | None = None  # gen dev --state: what it keeps follows a reload


@dataclass
class RunningStack:
    """A started local stack. `url` is the HTTP root (API at ``url + "/api"``)."""

    url: str
    aws_endpoint: str
    region: str
    ir: Ir
    names: LocalNames
    workers: Workers
    seeded: dict[str, int]
    _resources: contextlib.ExitStack = field(repr=False)
    _definition: Any = field(default=None, repr=False)
    _transport: Any = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)
    # the dev console at /_local/ (its recorder observes the gateway and every poller)
    console: Console | None = field(default=None, repr=False)
    state_line: str = "in memory only: gone when gen dev stops (--state DIR keeps it)"
    _live: _Live | None = field(default=None, repr=False)

    @property
    def api_url(self) -> str:
        return f"{self.url}/{API_STAGE}"

    @contextlib.contextmanager
    def extra_gateway(self, stage_variables: Mapping[str, str]) -> Iterator[str]:
        """The same API definition served on another loopback port, with `stage_variables`
        replacing the stack's (e.g. ingestion into a scratch stream); yields its stage URL."""
        gateway = ApiGateway(
            self._definition,
            gateway_variables(self._definition, self.ir, self.names, self.region),
            {**self.names.stage_variables(self.ir), self.ir.names.cors_origin_variable: self.url,
             **stage_variables},
            self.aws_endpoint,
            self.region,
            stage=API_STAGE,
            service_transport=self._transport,
            api_keys=local_api_keys(self.ir),
        )
        server = WsgiServer(wsgi_app(gateway), "127.0.0.1", 0)
        server.start(name="gen-extra-gateway")
        try:
            yield f"http://127.0.0.1:{server.port}/{API_STAGE}"
        finally:
            server.stop()
            gateway.close()

    def reload(self, ir: Ir, document: Any) -> Reloaded:
        """Serve `ir` and the API `document` from now on, keeping the data (module docstring)."""
        assert self._live is not None
        with self._live.lock:
            return _reload(self, self._live, ir, document)

    def reload_functions(self) -> None:
        """Import every processor fresh (handwritten/ changed); the next invocation runs it.
        Raises `FunctionLoadError` (the old code keeps running) when one does not import."""
        assert self._live is not None
        with self._live.lock:
            sources = self._live.environment.sources()
            for name, handler in _import_handlers(self.ir, self._live).items():
                self._live.functions[name].swap(handler)
            self._live.sources = sources

    def report_reload(self, status: dict[str, Any]) -> None:
        """Publish the last reload's outcome as ``reload`` in ``/_local/status``."""
        if self._live is not None:
            self._live.status[0] = status

    def stop(self) -> None:
        """Stop serving, join every thread, stop moto, restore the environment. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._resources.close()


def gateway_variables(document: Any, ir: Ir, names: LocalNames, region: str) -> dict[str, str]:
    """Values for the definition's ``${...}`` placeholders, as Terraform fills them."""
    values: dict[str, str] = {}
    for name in sorted(required_variables(document)):
        if name == "region":
            continue
        if name.startswith("role_"):
            values[name] = f"arn:aws:iam::{LOCAL_ACCOUNT}:role/{names.prefix}-{name[5:]}"
        elif name == "user_pool_arn":
            values[name] = f"arn:aws:cognito-idp:{region}:{LOCAL_ACCOUNT}:userpool/{region}_local"
        else:
            raise StackError(
                f"{API_DEFINITION} uses the placeholder ${{{name}}}, which gen dev cannot fill "
                "(docs/api-definition.md lists region, role_<operationId> and user_pool_arn)"
            )
    return values


def local_api_keys(ir: Ir) -> ApiKeys:
    """The usage plans of the spec's API-key clients, each with its local key (`ApiClient.local_key`)."""
    return ApiKeys({c.local_key: Plan(c.name, c.quota, c.period) for c in ir.api_clients})


def _checkpoint_dir(root: Path) -> Path:
    base = root / CHECKPOINTS
    if base.is_dir():
        for old in base.iterdir():
            pid = old.name.split("-", 1)[0]
            if old.is_dir() and pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
    return base / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _load_definition(root: Path) -> Any:
    try:
        return json.loads((root / API_DEFINITION).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise StackError(f"cannot read {API_DEFINITION}: {error}: run `gen build`") from None


def start_stack(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    region: str = DEFAULT_REGION,
    log_level: str = "WARNING",
    function_env: Mapping[str, str] | None = None,
    run_schedules: bool = False,
    state: Path | None = None,
) -> RunningStack:
    """Start everything (see the module docstring); raises `StackError` when it cannot.

    ``state`` (`gen dev --state DIR`) keeps the AWS state in DIR across restarts
    (`generator.dev.state`): restored before the seed (tables that come back are not seeded
    again) and before the workers start; without it, state lives in memory only.

    ``run_schedules`` runs each scheduled processor once before serving (`gen dev` does; tests
    that compare served items with the seed do not).

    ``function_env`` adds to (or overrides) the functions' environment, e.g.
    ``{"POWERTOOLS_IDEMPOTENCY_DISABLED": "true"}`` to measure what idempotency costs.
    """
    root = root.resolve()
    if not 0 <= port <= 65535:
        raise StackError(f"port {port} is out of range: pass a --port from 0 to 65535 (0: any free port)")
    try:
        ir = check_generated(root)
    except StaleOutput as error:
        raise StackError(str(error)) from None
    document = _load_definition(root)
    if not _one_stack.acquire(blocking=False):
        raise StackError("a local stack is already running in this process")
    resources = contextlib.ExitStack()
    resources.callback(_one_stack.release)
    try:
        return _start(
            root, ir, document, host, port, region, log_level, function_env or {}, resources,
            run_schedules, state,
        )
    except BaseException:
        resources.close()
        raise


def _start(
    root: Path,
    ir: Ir,
    document: Any,
    host: str,
    port: int,
    region: str,
    log_level: str,
    function_env: Mapping[str, str],
    resources: contextlib.ExitStack,
    run_schedules: bool = False,
    state: Path | None = None,
) -> RunningStack:
    # The app is bound later: the port is taken first, so a busy port fails in milliseconds.
    app_holder: list[Any] = []

    def app(environ: Any, start_response: Any) -> Any:
        return app_holder[0](environ, start_response)

    try:
        http = WsgiServer(app, host, port, access_log=ACCESS_LOG)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise StackError(f"{host}:{port} is already in use: pass another --port") from None
        raise StackError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    resources.callback(http.stop)

    aws = LocalAws.start(region)
    resources.callback(aws.stop)
    names = local_names(ir, LOCAL_STAGE)
    dynamodb, kinesis, s3, sqs = (aws.client(s) for s in ("dynamodb", "kinesis", "s3", "sqs"))
    dlq_urls = create_resources(ir, names, dynamodb=dynamodb, kinesis=kinesis, s3=s3, sqs=sqs)
    persistence = None
    if state is not None:  # restore, then journal every write (its close runs after workers stop)
        persistence = Persistence.open(state, aws, kept(names), region, LOCAL_ACCOUNT)
        resources.callback(persistence.close)
    seeded = load_seed_file(root, stage=LOCAL_STAGE, client=dynamodb,
                            skip=persistence.restored.tables if persistence else ())
    if persistence is not None:
        persistence.snapshot()  # the journal starts from this run's tables
        persistence.start()
    retention = Retention(dynamodb, region, LOCAL_ACCOUNT)  # Kinesis retention, DynamoDB TTL
    retention.start()
    resources.callback(retention.stop)
    url = f"http://{_url_host(host)}:{http.port}"

    try:
        gateway = ApiGateway(
            document,
            gateway_variables(document, ir, names, region),
            {**names.stage_variables(ir), ir.names.cors_origin_variable: url},
            aws.endpoint,
            region,
            stage=API_STAGE,
            service_transport=aws.in_process.call,
            api_keys=local_api_keys(ir),
        )
    except DefinitionError as error:
        raise StackError(f"{API_DEFINITION} cannot run locally: {error}") from None
    slot = GatewaySlot(gateway)
    resources.callback(lambda: slot.gateway.close())

    environment = ProcessEnvironment(
        {**function_environment(ir, names, aws.endpoint, region, log_level), **function_env},
        import_paths(root),
        packages=(ir.ident, "handwritten"),
    )
    resources.callback(environment.restore)
    try:
        handlers = {p.name: FunctionSlot(load_handler(ir, p.name)) for p in ir.processors}
    except FunctionLoadError as error:
        raise StackError(str(error)) from None

    checkpoints = _checkpoint_dir(root)
    resources.callback(shutil.rmtree, checkpoints, ignore_errors=True)
    workers = Workers.build(
        ir, names, handlers, Clients(kinesis, s3, sqs), dlq_urls, checkpoints, region,
        readers=aws.shard_readers(kinesis), tips=aws.stream_tips(kinesis),
        store=persistence.checkpoints if persistence else None,
    )
    console = start_console(workers, dynamodb, sqs, aws.stream_tips(kinesis), dlq_urls)
    gateway.observer = console.recorder.record_request
    workers.start()
    resources.callback(workers.stop)
    if run_schedules:
        for p in ir.processors:
            if p.kind == "schedule":
                record = workers.scheduler.fire_now(p.name)
                log.info("schedule %s ran at start-up in %.0f ms%s", p.name, record.duration_ms,
                         "" if record.ok else f": {record.error}")

    status: list[dict[str, Any]] = [{}]
    state_line = _state_line(state, persistence) if persistence and state else RunningStack.state_line
    where = {"dir": str(state) if persistence and state else None, "line": state_line}

    def info() -> dict[str, Any]:
        reload = {"reload": status[0]} if status[0] else {}
        return {"url": url, "aws": {"endpoint": aws.endpoint, "region": region}, "state": where,
                **reload}

    local = LocalEndpoints(workers, info, console)
    site = StaticSite(root / "frontend" / "dist", ir.operations, API_STAGE)
    app_holder.append(dispatcher(wsgi_app(slot), local, site, API_STAGE))
    http.start(name="gen-dev-http")
    resources.callback(http.stop)  # the first thing stop() does: no request meets a stopped part
    return RunningStack(
        url=url,
        aws_endpoint=aws.endpoint,
        region=region,
        ir=ir,
        names=names,
        workers=workers,
        seeded=seeded,
        _resources=resources,
        _definition=document,
        _transport=aws.in_process.call,
        console=console,
        state_line=state_line,
        _live=_Live(root, aws, slot, environment, handlers, checkpoints, function_env, log_level,
                    status, dict(dlq_urls), {"dynamodb": dynamodb, "kinesis": kinesis, "s3": s3,
                                             "sqs": sqs}, environment.sources(),
                    persistence=persistence),
    )


def _state_line(state: Path, persistence: Persistence) -> str:
    restored = persistence.restored
    if not restored.found:
        return f"kept in {state} (new)"
    counts = ", ".join(f"{n} {what}" for what, n in sorted(restored.counts.items())) or "nothing"
    return f"kept in {state}; restored {counts}"


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _import_handlers(ir: Ir, live: _Live) -> dict[str, Handler]:
    live.environment.purge()
    return {p.name: load_handler(ir, p.name) for p in ir.processors}


def _seed_new(root: Path, names: LocalNames, tables: list[str], dynamodb: Any) -> dict[str, int]:
    """Seed only the tables just created (the others keep what they hold)."""
    try:
        seed = json.loads((root / SEED_PATH).read_text(encoding="utf-8"))["tables"]
    except (OSError, ValueError, KeyError) as error:
        raise StackError(f"cannot read {SEED_PATH}: {error}") from None
    return {names.tables[t]: write_batches(dynamodb, names.tables[t], seed.get(t, [])) for t in tables}


def _reload(stack: RunningStack, live: _Live, ir: Ir, document: Any) -> Reloaded:
    refused = refused_changes(stack.ir, ir)
    if refused:
        raise ReloadRefused("; ".join(refused))
    aws, region = live.aws, stack.region
    names = local_names(ir, LOCAL_STAGE)
    # Everything that can fail on the user's input fails before the stack changes.
    try:
        gateway = ApiGateway(
            document, gateway_variables(document, ir, names, region),
            {**names.stage_variables(ir), ir.names.cors_origin_variable: stack.url},
            aws.endpoint, region, stage=API_STAGE, service_transport=aws.in_process.call,
            api_keys=local_api_keys(ir),
        )
    except DefinitionError as error:
        raise StackError(f"{API_DEFINITION} cannot run locally: {error}") from None
    live.environment.update({
        **function_environment(ir, names, aws.endpoint, region, live.log_level), **live.function_env
    })
    # unchanged code (e.g. only an operation added) is not imported again: ~20 ms a function
    sources = live.environment.sources()
    same = live.sources == sources and set(live.functions) >= {p.name for p in ir.processors}
    try:
        handlers = {} if same else _import_handlers(ir, live)
    except FunctionLoadError:
        gateway.close()
        raise
    dynamodb, kinesis, s3, sqs = (live.clients[s] for s in ("dynamodb", "kinesis", "s3", "sqs"))
    created, added_dlqs = create_added(stack.ir, ir, names, dynamodb=dynamodb, kinesis=kinesis,
                                       s3=s3, sqs=sqs)
    live.dlq_urls.update(added_dlqs)
    dlq_urls = {p.name: live.dlq_urls[p.name] for p in ir.processors}
    seeded = _seed_new(live.root, names, created, dynamodb)
    for name, handler in handlers.items():
        if name in live.functions:
            live.functions[name].swap(handler)
        else:
            live.functions[name] = FunctionSlot(handler)
    live.sources = sources  # what now runs
    if live.persistence is not None:
        live.persistence.track(kept(names))
    fresh = Workers.build(
        ir, names, live.functions, Clients(kinesis, s3, sqs), dlq_urls, live.checkpoints, region,
        readers=aws.shard_readers(kinesis), tips=aws.stream_tips(kinesis),
        store=live.persistence.checkpoints if live.persistence is not None else None,
    )
    if stack.console is not None:  # the console traces the new gateway and pollers too
        stack.console.follow(fresh, live.dlq_urls)
        gateway.observer = stack.console.recorder.record_request
    stack.workers.take_over(fresh)
    old = live.gateway.swap(gateway)
    # requests in flight on the old definition finish before its client closes
    closer = threading.Timer(OLD_GATEWAY_GRACE_S, old.close)
    closer.daemon = True
    closer.start()
    left = sorted(set(stack.names.tables.values()) - set(names.tables.values()))
    left += sorted({s.name for s in stack.ir.streams} - {s.name for s in ir.streams})
    stack.ir, stack.names, stack._definition = ir, names, document
    return Reloaded(created=seeded, kept=tuple(left), functions=not same)
