"""Stage 1, load: read spec files into plain data plus a position index. No semantics."""
