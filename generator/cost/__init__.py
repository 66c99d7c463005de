"""`gen cost`: a monthly cost estimate of the generated system from a usage profile.

A tool package (it may import the pipeline and everything below it). `usage` reads and checks
spec/usage.yaml, `prices` the pinned, dated price table shipped under prices/, `estimate`
turns the IR and the profile into priced lines, `render` prints them. What the profile does not
say is an unknown line, never $0.
"""
