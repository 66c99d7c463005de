"""HTTP plumbing for the local stack: the keep-alive WSGI server and how a request becomes WSGI.

Owns: `wsgi_server` (`WsgiServer`, `wsgi_environ`, `call_app`), used by moto's server, the
in-process AWS calls and `gen dev`'s own HTTP server; `framing` (where a request's head and body
end, and the 4xx/5xx answers of a request that cannot be framed); `guard` (the local control
endpoints' refusal of foreign Host headers and cross-origin requests).

May import: the standard library and modules of this package. Nothing else of `generator`.
"""
