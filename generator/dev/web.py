"""The one WSGI application of `gen dev`: API at the stage root, local endpoints, the dashboard.

Routing by path:
- ``/api`` and ``/api/...``: the API Gateway emulator (the path, stage included, goes to it raw);
- ``/config.json``: ``{"apiUrl": "/api", "auth": "local", "localAuth": true, "localSigning": {...}}``,
  what the frontend reads at start (`auth: local`: the unsigned local token form, which only
  `gen dev` offers; a deployed stage's config.json says `auth: cognito` with the hosted UI;
  `localSigning`: the local SigV4 key pair and region, with which the dashboard signs its
  requests to SigV4-protected routes; only `gen dev` serves it);
- ``/_local/...``: the local endpoints (`local_api`), for this machine's own clients only: a
  foreign ``Host`` or a cross-origin request is answered 403 (`generator.dev.http.guard`);
- anything else: the built frontend in ``frontend/dist``; a path that is not a file there gets
  ``index.html`` (the single-page app routes it), unless its last segment looks like a file
  name (an asset that does not exist is a 404, not HTML). Without a build, a page
  (`missing_build_page`) lists the project's own routes (from the spec), links the dev console
  at ``/_local/`` and says how to build the frontend, or, in a project without one, how to add
  one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.exceptions import NotFound
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from generator.dev.apigw.access.sigv4 import LOCAL_CREDENTIALS
from generator.dev.http import guard
from generator.dev.local_aws.identity import DEFAULT_REGION
from generator.dev.local_endpoints import PREFIX as LOCAL_PREFIX
from generator.ir.nodes import Operation

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_KEY, _SECRET = next(iter(LOCAL_CREDENTIALS.items()))
CONFIG = {
    "apiUrl": "/api",
    "auth": "local",
    "localAuth": True,
    "localSigning": {"accessKeyId": _KEY, "secretAccessKey": _SECRET, "region": DEFAULT_REGION},
}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gen dev: {title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem">
<h1>The API is up; {title}</h1>
<p>See what every request and event did in the <a href="/_local/">dev console</a>
(<a href="/_local/status"><code>/_local/status</code></a> as JSON).</p>
<h2>This project's routes</h2>
{routes}
<h2>{how_title}</h2>
{how}
</body></html>
"""

_BUILD = """<p><code>{dist}</code> does not exist. Build it once, then reload:</p>
<pre>cd frontend &amp;&amp; {install} &amp;&amp; npm run build</pre>"""

_ADD = """<p>gen dev serves <code>frontend/dist/index.html</code> at <code>/</code> (any path that is
not a file there gets it too, for a single-page app); the app reads
<a href="/config.json"><code>/config.json</code></a> for the API's URL.</p>
<p>To start from an app on this API's typed client (Vite, React, TypeScript): make a scratch
project with <code>gen init --frontend scratch</code>, copy its <code>frontend/</code> folder
here, point <code>src/App.tsx</code> at your routes, then:</p>
<pre>cd frontend &amp;&amp; npm install &amp;&amp; npm run build</pre>
<p>Or build any app of your own into <code>frontend/dist/</code>.</p>"""


def _routes(operations: Sequence[Operation], stage: str) -> str:
    if not operations:
        return "<p>The spec has no operations yet.</p>"
    rows = []
    for op in sorted(operations, key=lambda o: (o.path, o.method)):
        url = f"/{stage}{op.path}"
        shown = f"<code>{escape(url)}</code>"
        if op.method == "get" and "{" not in op.path and op.auth == "none":
            shown = f'<a href="{escape(url)}">{shown}</a>'
        rows.append(
            f"<tr><td>{op.method.upper()}</td><td>{shown}</td>"
            f"<td>{escape(op.summary or op.operation_id)}</td></tr>"
        )
    return (
        '<table><thead><tr><th scope="col">method</th><th scope="col">path</th>'
        '<th scope="col">what it does</th></tr></thead><tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table>"
    )


def missing_build_page(dist: Path, operations: Sequence[Operation] = (), stage: str = "api") -> str:
    """The page at ``/`` without ``dist/index.html``: the spec's routes, and how to get an app
    (a project with ``frontend/package.json`` builds it; one without is told how to add one)."""
    frontend = dist.parent
    if (frontend / "package.json").is_file():
        install = "npm ci" if (frontend / "package-lock.json").is_file() else "npm install"
        title = "the frontend is not built"
        how_title = "Build the frontend"
        how = _BUILD.format(dist=escape(str(dist)), install=install)
    else:
        title = "this project has no frontend"
        how_title = "Add a frontend"
        how = _ADD
    return _PAGE.format(title=title, how_title=how_title, how=how, routes=_routes(operations, stage))


class StaticSite:
    """Serves a built single-page app from ``dist`` with an ``index.html`` fallback."""

    def __init__(self, dist: Path, operations: Sequence[Operation] = (), stage: str = "api") -> None:
        self.dist = dist
        self._operations = tuple(operations)
        self._stage = stage

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self._respond(request, environ)
        answer: Iterable[bytes] = response(environ, start_response)
        return answer

    def _respond(self, request: Request, environ: WSGIEnvironment) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("Method Not Allowed\n", status=405, mimetype="text/plain")
        index = self.dist / "index.html"
        if not index.is_file():
            help_page = missing_build_page(self.dist, self._operations, self._stage)
            return Response(help_page, status=200, mimetype="text/html")
        relative = request.path.lstrip("/")
        if relative and (self.dist / relative).is_file():
            try:
                served: Response = send_from_directory(self.dist, relative, environ, max_age=0)
                return served
            except NotFound:
                pass  # outside dist (e.g. `..`): treat as a route of the app
        last = relative.rsplit("/", 1)[-1]
        if "." in last:
            return Response("Not Found\n", status=404, mimetype="text/plain")
        page: Response = send_from_directory(self.dist, "index.html", environ, max_age=0)
        page.headers["Cache-Control"] = "no-cache"
        return page


def config_response() -> Response:
    return Response(
        json.dumps(CONFIG) + "\n",
        mimetype="application/json",
        headers={"Cache-Control": "no-store"},
    )


def dispatcher(
    api: WSGIApplication, local: WSGIApplication, site: WSGIApplication, stage: str = "api"
) -> WSGIApplication:
    stage_root = "/" + stage

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", "")) or "/"
        if path == stage_root or path.startswith(stage_root + "/"):
            return api(environ, start_response)
        if path == "/config.json":
            answer: Iterable[bytes] = config_response()(environ, start_response)
            return answer
        if path == LOCAL_PREFIX or path.startswith(LOCAL_PREFIX + "/"):
            refused = guard.refusal(environ)  # DNS rebinding and cross-origin pages
            if refused is not None:
                forbidden = Response(json.dumps({"message": refused}) + "\n", status=403,
                                     mimetype="application/json")
                answer = forbidden(environ, start_response)
                return answer
            return local(environ, start_response)
        return site(environ, start_response)

    return application
