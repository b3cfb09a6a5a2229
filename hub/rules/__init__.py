"""Pure domain rules: no session, no Flask, no I/O. Services read, call these, then write."""
