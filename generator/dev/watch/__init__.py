"""`gen dev --watch`: on a save under spec/ or handwritten/, change the running stack in place.

`files` (a stat poller: which files changed), `reload` (what a change means and doing it:
`gen build`, then `RunningStack.reload` or `reload_functions`; every outcome reported, never
raised), `loop` (the thread that ties them together). Sits between `server` and `stack`: it
imports the stack and the pipeline, and only `server` imports it.
"""

from generator.dev.watch.loop import Watcher

__all__ = ["Watcher"]
