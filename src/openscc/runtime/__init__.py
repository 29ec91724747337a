"""The runtime of one instance: what it builds, what runs in the background, how it stops (openscc.runtime.runtime)."""
