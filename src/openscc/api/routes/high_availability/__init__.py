"""High availability: the pair's settings and roles, and the peer protocol between the two
instances."""
