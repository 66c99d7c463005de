"""HTTP plumbing for the local stack: the keep-alive WSGI server and how a request becomes WSGI.

Owns: `wsgi_server` (`WsgiServer`, `wsgi_environ`, `call_app`), used by moto's server, the
in-process AWS calls and `gen dev`'s own HTTP server.

May import: the standard library. Nothing of `generator`.
"""
