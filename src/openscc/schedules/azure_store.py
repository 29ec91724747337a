"""Azure Blob Storage as a target: a container of a storage account, opened with obstore for
``ObjectStoreTarget`` (the same verified upload, listing and retention as S3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from obstore.store import AzureStore

from openscc.schedules.object_store import ObjectStoreTarget
from openscc.schedules.shipping import TargetFailed, first_line

if TYPE_CHECKING:  # obstore's typed dictionaries exist for type checkers only
    from obstore.store import AzureConfig, ClientConfig


def azure_store(target: dict[str, str], credentials: dict[str, str]) -> ObjectStoreTarget:
    """The container of the target. A stored account key or SAS token signs the requests;
    without one, the standard Azure credential chain of the server's environment applies, as
    azure-identity's DefaultAzureCredential resolves it (the ``azure`` extra)."""
    account, container = target["account"], target["container"]
    prefix = target.get("prefix", "")
    config: AzureConfig = {"account_name": account}
    client_options: ClientConfig | None = None
    provider = None
    endpoint = target.get("endpoint")
    if endpoint:
        # The blob service's URL: Azurite, Azure Stack, a sovereign cloud, a private endpoint.
        config["endpoint"] = endpoint
        if endpoint.startswith("http://"):
            client_options = {"allow_http": True}
    if "accessKey" in credentials:
        config["account_key"] = credentials["accessKey"]
    elif "sasToken" in credentials:
        config["sas_key"] = credentials["sasToken"]
    else:
        provider = _azure_credential_chain()
    try:
        store = AzureStore(
            container,
            prefix=prefix or None,
            config=config,
            client_options=client_options,
            credential_provider=provider,
        )
    except Exception as error:  # obstore's configuration errors have no common base
        raise TargetFailed(f"the Azure target is not usable: {first_line(error)}") from None
    where = f"azure://{account}/{container}/{prefix + '/' if prefix else ''}"
    return ObjectStoreTarget(store, where, holder=f"the container {container} of {account}")


def _azure_credential_chain() -> Any:
    """The standard Azure chain (environment variables of a service principal, workload and
    managed identity, the Azure CLI's login...), which needs azure-identity: an optional extra,
    since stored keys, SAS tokens and other stores do not."""
    try:
        from obstore.auth.azure import AzureCredentialProvider
    except ImportError:
        raise TargetFailed(
            "the schedule has no stored Azure key or SAS token, and the Azure credential chain "
            "needs azure-identity: install openscc with the azure extra "
            "(pip install 'openscc[azure]')"
        ) from None
    return AzureCredentialProvider()
