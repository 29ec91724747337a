"""The e-mail trust store: the certificates trusted for the SMTP server's TLS certificate.

Each certificate is an entity (its PEM in the body) under the product's alias form
``trustedemailserver.<upload>.<n>``: the n-th certificate of the upload numbered <upload>.
"""

from __future__ import annotations

from openscc import kinds
from openscc.config import certificate_lists
from openscc.config.sequences import next_value
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord


def add(store: EntityStore, new: list[str]) -> list[str]:
    """Store the certificates (PEM) under new aliases (call inside a transaction); 400 if one
    is trusted already, so an upload is added whole or not at all."""
    certificate_lists.refuse_known(all_records(store), new)
    upload = next_value(store, kinds.TRUSTED_EMAIL_SERVER)
    aliases = []
    for number, pem in enumerate(new, start=1):
        alias = f"trustedemailserver.{upload}.{number}"
        store.put(
            EntityRecord(
                kind=kinds.TRUSTED_EMAIL_SERVER,
                key=alias,
                parent=None,
                body={"certificatePem": pem},
            )
        )
        aliases.append(alias)
    return aliases


def all_records(store: EntityStore) -> list[EntityRecord]:
    return store.children(kinds.TRUSTED_EMAIL_SERVER, None)


def trusted_pems(store: EntityStore) -> list[str]:
    return [str(record.body["certificatePem"]) for record in all_records(store)]
