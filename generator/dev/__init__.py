"""The local stack behind `gen dev`: AWS emulation on top of moto, in one process."""
