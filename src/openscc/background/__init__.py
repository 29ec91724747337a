"""The two idioms of background work, low enough for any layer to use: ``workers`` (blocking jobs
in daemon threads, each with a stop signal and a join deadline) and ``wakeup`` (the one wakeable
timer of the loops). The runtime (openscc.runtime) owns the instances of both."""
