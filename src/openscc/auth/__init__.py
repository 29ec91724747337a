"""Users, roles, passwords, sessions and the checks every request passes."""
