"""High availability: a master and a shadow that replicates its configuration and takes over.

``replication`` says what is replicated and applies it; ``protocol`` is the wire format between
the two; ``master`` and ``shadow`` are each side's state and work; docs/high-availability.md
describes the whole.
"""
