"""High availability: a master and a shadow that replicates its configuration and takes over.

- ``coordinator``: the task of one instance, and what the HTTP layer asks of it;
- ``shadow``: the shadow's link to its master (sync, changes); ``connecting``: CONNECT and
  DISCONNECT;
- ``context``: what every part shares (the instance, the store thread, the workers, the clock);
- ``master``: the master's side (bind, changes, snapshot) and its watch of the shadow;
- ``checks``: what the master knows of its shadow from the shadow's checks;
- ``roles``: takeover, relinquishing, the switch;
- ``state``: what the store holds of it all (role, pair, link, positions);
- ``replication``, ``apply``: what is replicated, and applying it on the shadow;
- ``protocol``, ``peer``, ``pair``: the wire format, calls to the peer, the pair's credential;
- ``settings``, ``split``, ``port``: the settings, the split backup, the HA port.

docs/high-availability.md describes the whole.
"""
