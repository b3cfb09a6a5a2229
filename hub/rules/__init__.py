"""Pure domain rules: no session, no Flask, no I/O."""
