"""Pure domain rules: no Matrix, no SQL."""
