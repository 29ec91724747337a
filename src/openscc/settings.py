"""Settings of one openscc instance, read once at start-up."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8443

# Profiles for the memory-hard functions. "test" exists only so the suite stays fast; a server
# started by a user always runs "production" unless OPENSCC_KDF_PROFILE says otherwise.
KDF_PROFILES = ("production", "test")


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    data_dir: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    kdf_profile: str = "production"
    session_ttl_seconds: int = 30 * 60  # the Cloud Connector's default session timeout
    # Sessions are capped per user (one user can only push out their own). Sessions a basic-auth
    # request gets without sending a cookie are provisional until the cookie comes back.
    max_sessions_per_user: int = 64
    max_provisional_sessions_per_user: int = 16
    provisional_session_seconds: int = 5 * 60
    # The archive reader's own cap is 64 MiB; the body may add a little multipart framing.
    max_upload_bytes: int = 64 * 1024 * 1024 + 64 * 1024
    login_failures_before_lockout: int = 5
    lockout_seconds: int = 300
    credential_cache_seconds: int = 30
    # Password checks at once (each holds Argon2's 64 MiB), and how long a logon waits for one
    # before it is answered 503 with Retry-After.
    password_check_slots: int = 2
    password_check_wait_seconds: float = 5.0
    # LDAP logons: directory calls at once (each holds a worker thread while it waits for the
    # directory), how long a logon waits for one (then 503), how long one logon may take with
    # every server and host tried, and how often a session's roles are read again.
    directory_check_slots: int = 8
    directory_check_wait_seconds: float = 5.0
    directory_timeout_seconds: float = 15.0
    directory_recheck_seconds: int = 300
    # Backup and restore key derivations at once (each holds 64 MiB for a moment).
    backup_kdf_slots: int = 2
    safety_backups_kept: int = 5
    # How long a write waits for a database locked by another process before answering 503.
    # Writes run in the store thread, one after the other, so this also bounds how long a
    # foreign lock can stall them; `openscc users` holds it for milliseconds.
    store_busy_timeout_ms: int = 2_000
    # How long opening the data directory waits while another process applies a restore, and
    # applying a restore waits for other processes (`openscc users`) to close the database.
    store_lock_timeout_seconds: float = 30.0
    # Alerts: how often the certificates are checked for expiry (the product checks its
    # thresholds every 30 seconds), and how long one step of sending an alert e-mail may take.
    alert_check_interval_seconds: float = 30.0
    smtp_timeout_seconds: float = 30.0
    # A schedule of another connector: how long its backup may take to answer and to arrive.
    source_timeout_seconds: float = 300.0
    # Test-only: names of restore steps at which the process kills itself (crash tests).
    fault_points: frozenset[str] = frozenset()
    admin_password: str | None = dataclasses.field(default=None, repr=False)
    # A restore drill's throwaway instance (OPENSCC_DRILL=1): no schedules, no high
    # availability, no alert checks.
    drill: bool = False
    # A dry run warns of an archive older than this (ARCHIVE_OLD).
    restore_warn_age_days: int = 30
    # With admin_password, the role a fresh instance starts in (OPENSCC_HA_ROLE).
    initial_ha_role: str = "master"

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: object) -> Settings:
        """Build settings from the environment; explicit overrides (command-line flags) win."""
        values: dict[str, object] = {
            "data_dir": Path(environ.get("OPENSCC_DATA_DIR", "./data")),
        }
        profile = environ.get("OPENSCC_KDF_PROFILE")
        if profile:
            if profile not in KDF_PROFILES:
                raise ValueError(f"OPENSCC_KDF_PROFILE must be one of {', '.join(KDF_PROFILES)}")
            values["kdf_profile"] = profile
        faults = environ.get("OPENSCC_TEST_FAULT_POINTS")
        if faults:
            values["fault_points"] = frozenset(f for f in faults.split(",") if f)
        if environ.get("OPENSCC_ADMIN_PASSWORD"):
            # The password policy is checked where the instance opens (openscc.instance).
            values["admin_password"] = environ["OPENSCC_ADMIN_PASSWORD"]
        if environ.get("OPENSCC_DRILL") == "1":
            values["drill"] = True
        role = environ.get("OPENSCC_HA_ROLE")
        if role:
            if role not in ("master", "shadow"):
                raise ValueError("OPENSCC_HA_ROLE must be master or shadow")
            values["initial_ha_role"] = role
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
