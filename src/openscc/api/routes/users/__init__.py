"""Who may log on: the logon form, sessions, local users and LDAP authentication."""
