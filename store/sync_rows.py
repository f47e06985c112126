"""The sync's own rows (migration 9): accounts, linked lists, and which task each
object on the server is. Read and written by store/syncing.py only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from store.backend import Backend
from store.models import Models, SyncAccount, tuples


@dataclass(frozen=True)
class AccountRecord:
    id: str
    url: str
    username: str
    home: str
    inbox: str
    created_at: datetime
    synced_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class ListLink:
    href: str
    name: str
    project_id: str | None  # None: the Inbox
    sync_token: str | None


@dataclass(frozen=True)
class ItemRecord:
    href: str
    list_href: str
    task_id: str
    etag: str


class SyncRows:
    """One owner's sync rows; each call its own transaction."""

    def __init__(self, backend: Backend, models: Models, user: str) -> None:
        self._backend = backend
        self._models = models
        self._user = user

    # -- accounts ------------------------------------------------------------------------------

    def accounts(self) -> list[AccountRecord]:
        Account = self._models.SyncAccount
        with self._backend.session():
            query = Account.select().where(Account.user_id == self._user)
            return [_account(row) for row in query.order_by(Account.created_at)]

    def add_account(self, account: AccountRecord) -> None:
        Account = self._models.SyncAccount
        with self._backend.session(), self._backend.write():
            Account.insert(
                id=account.id,
                user_id=self._user,
                url=account.url,
                username=account.username,
                home=account.home,
                inbox=account.inbox,
                created_at=account.created_at,
            ).execute()

    def forget_account(self, account_id: str) -> None:
        models = self._models
        with self._backend.session(), self._backend.write():
            models.SyncItem.delete().where(models.SyncItem.account_id == account_id).execute()
            models.SyncList.delete().where(models.SyncList.account_id == account_id).execute()
            models.SyncAccount.delete().where(models.SyncAccount.id == account_id).execute()

    def finished(self, account_id: str, at: datetime | None, error: str | None) -> None:
        """How a sync ended: ``at`` when it succeeded, else the error (the time kept)."""
        Account = self._models.SyncAccount
        changes: dict[object, object] = {Account.last_error: error}
        if at is not None:
            changes[Account.synced_at] = at
        with self._backend.session(), self._backend.write():
            Account.update(changes).where(Account.id == account_id).execute()

    # -- lists ---------------------------------------------------------------------------------

    def lists(self, account_id: str) -> list[ListLink]:
        SyncList = self._models.SyncList
        with self._backend.session():
            query = SyncList.select().where(SyncList.account_id == account_id)
            return [
                ListLink(row.href, row.name, row.project_id, row.sync_token)
                for row in query.order_by(SyncList.name)
            ]

    def link_list(self, account_id: str, link: ListLink) -> None:
        SyncList = self._models.SyncList
        with self._backend.session(), self._backend.write():
            SyncList.insert(
                account_id=account_id,
                href=link.href,
                project_id=link.project_id,
                name=link.name,
                sync_token=link.sync_token,
            ).execute()

    def unlink_list(self, account_id: str, href: str) -> None:
        models = self._models
        with self._backend.session(), self._backend.write():
            models.SyncItem.delete().where(
                (models.SyncItem.account_id == account_id) & (models.SyncItem.list_href == href)
            ).execute()
            models.SyncList.delete().where(
                (models.SyncList.account_id == account_id) & (models.SyncList.href == href)
            ).execute()

    def set_token(self, account_id: str, href: str, token: str | None) -> None:
        SyncList = self._models.SyncList
        with self._backend.session(), self._backend.write():
            SyncList.update(sync_token=token).where(
                (SyncList.account_id == account_id) & (SyncList.href == href)
            ).execute()

    # -- items ---------------------------------------------------------------------------------

    def items(self, account_id: str) -> list[ItemRecord]:
        SyncItem = self._models.SyncItem
        columns = (SyncItem.href, SyncItem.list_href, SyncItem.task_id, SyncItem.etag)
        with self._backend.session():
            query = SyncItem.select(*columns).where(SyncItem.account_id == account_id)
            # As tuples: a model object per row costs ten times the read (10,000 items).
            return [ItemRecord(*row) for row in tuples(query)]

    def all_items(self) -> list[ItemRecord]:
        """Every account's items: a task is on one server at most."""
        SyncItem, Account = self._models.SyncItem, self._models.SyncAccount
        with self._backend.session():
            mine = Account.select(Account.id).where(Account.user_id == self._user)
            query = SyncItem.select().where(SyncItem.account_id.in_(mine))
            return [ItemRecord(r.href, r.list_href, r.task_id, r.etag) for r in query]

    def set_item(self, account_id: str, item: ItemRecord) -> None:
        """Record which task the object at ``item.href`` is (replacing what was said of
        that href, or of that task, before)."""
        SyncItem = self._models.SyncItem
        with self._backend.session(), self._backend.write():
            SyncItem.delete().where(
                ((SyncItem.account_id == account_id) & (SyncItem.href == item.href))
                | (SyncItem.task_id == item.task_id)
            ).execute()
            SyncItem.insert(
                account_id=account_id,
                href=item.href,
                list_href=item.list_href,
                task_id=item.task_id,
                etag=item.etag,
            ).execute()

    def drop_item(self, account_id: str, href: str) -> None:
        SyncItem = self._models.SyncItem
        with self._backend.session(), self._backend.write():
            SyncItem.delete().where(
                (SyncItem.account_id == account_id) & (SyncItem.href == href)
            ).execute()


def _account(row: SyncAccount) -> AccountRecord:
    return AccountRecord(
        id=row.id,
        url=row.url,
        username=row.username,
        home=row.home,
        inbox=row.inbox,
        created_at=cast(datetime, row.created_at),
        synced_at=cast(datetime | None, row.synced_at),
        last_error=row.last_error,
    )
