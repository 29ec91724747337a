"""LDAP user administration: the configuration (servers, search rules, role names), its storage,
the directory protocol (ldap3, in worker threads) and logons of directory users."""

# Entity kinds (declared in openscc.config.kinds): the connector-wide settings (enabled, the
# servers' order) and one entity per server, its connection password as the secret.
LDAP_SETTINGS_KIND = "ldapAuthentication"
LDAP_SERVER_KIND = "ldapServer"
