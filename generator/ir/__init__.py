"""Stage 3, IR: the validated spec as frozen values; names, order and derived facts decided here."""
