"""LDAP user administration: the configuration (servers, search rules, role names), its storage,
the directory protocol (ldap3, in worker threads) and logons of directory users.

Entities (openscc.kinds): the connector-wide settings (``ldapAuthentication``: enabled, the
servers' order) and one ``ldapServer`` per server, its connection password as the secret.
"""
