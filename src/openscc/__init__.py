"""openscc: an open-source SAP Cloud Connector administration server."""

__version__ = "0.1.0"

# The Cloud Connector release whose REST API this server reproduces.
SCC_API_VERSION = "2.19.0.2"


def versions_text(
    openscc_version: str = __version__, api_version: str | None = SCC_API_VERSION
) -> str:
    """How every part of openscc names a version: "openscc 0.1.0, Cloud Connector API 2.19.0.2"
    (the web page, the restore preview, ``backup inspect``)."""
    return f"openscc {openscc_version}" + (
        f", Cloud Connector API {api_version}" if api_version else ""
    )
