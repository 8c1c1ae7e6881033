"""The driver's work inside a Neutron database transaction, made to follow that transaction's outcome.

ipam is a separate system: what the driver does there is not undone by Neutron's ROLLBACK, and a release done at
once cannot be taken back if Neutron's transaction then fails. So every change the driver makes while a Neutron
transaction is open is journaled in the SQLAlchemy session (``session.info``), under the innermost transaction
that can end on its own (the root one, or a SAVEPOINT), and the session's ``after_commit`` / ``after_rollback``
hooks finish it:

- work that only has to happen if Neutron commits (releasing an address, deleting a subnet) is *deferred*: kept
  in the journal and applied after the commit, dropped on rollback;
- work whose answer Neutron needs at once (allocating, creating or updating a subnet) is done at once and
  *compensated* on rollback (released, deleted, put back), in reverse order.

A SAVEPOINT that is released hands its entries to the enclosing transaction; one rolled back compensates its own.
A transaction that ends without either hook (a reader session closed, a connection lost) is treated as rolled back:
nothing of it reached Neutron's tables. Outside any transaction the driver applies each change at once.

Hooks never raise (Neutron's commit has happened, or its rollback is under way): a failure is logged with what
was left undone, which ``ipam neutron sync`` (issue 23, item 3) repairs.
"""

from __future__ import annotations

from typing import Callable, List, Optional

import sqlalchemy
from oslo_log import log
from sqlalchemy import orm

LOG = log.getLogger(__name__)
KEY = "ipam_neutron.journal"


class Entry:
    """One change: ``commit`` runs after Neutron commits, ``rollback`` after it rolls back (each may do nothing)."""

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def describe(self) -> str:
        return type(self).__name__


class Deferred(Entry):
    """Work applied only if Neutron commits."""

    def __init__(self, apply: Callable[[], None], what: str):
        self._apply = apply
        self.what = what

    def commit(self) -> None:
        self._apply()

    def describe(self) -> str:
        return self.what


class Compensated(Entry):
    """Work done at once; ``undo`` runs if Neutron rolls back."""

    def __init__(self, undo: Callable[[], None], what: str):
        self._undo = undo
        self.what = what

    def rollback(self) -> None:
        self._undo()

    def describe(self) -> str:
        return self.what


def session_of(context) -> Optional[orm.Session]:
    """The session of the Neutron transaction open in this thread for ``context``, or None when none is open.

    Reads oslo.db's transaction context only: ``context.session`` outside a transaction would make a session.
    """
    try:
        tctx = getattr(context, "transaction_ctx", None)
    except Exception:  # a context class without oslo.db's provider
        return None
    session = getattr(tctx, "session", None) if tctx is not None else None
    if session is None or not session.in_transaction():
        return None
    return session


def _boundary(session: orm.Session):
    """The innermost transaction that can end on its own: the newest SAVEPOINT, else the root transaction."""
    return session.get_nested_transaction() or session.get_transaction()


def _enclosing(tx):
    parent = tx.parent
    while parent is not None and not (parent.nested or parent.parent is None):
        parent = parent.parent
    return parent


def entries(context) -> List[Entry]:
    """This transaction's open entries (for looking up what it did), oldest first; empty outside one."""
    session = session_of(context)
    if session is None:
        return []
    return [e for _, e in session.info.get(KEY, ())]


def add(context, entry: Entry) -> bool:
    """Journal ``entry`` in the open transaction; False when none is open (the caller applies its work now)."""
    session = session_of(context)
    if session is None:
        return False
    session.info.setdefault(KEY, []).append([_boundary(session), entry])
    return True


def remove(context, entry: Entry) -> None:
    """Forget an entry (its work turned out not to be needed, e.g. an allocation the server refused)."""
    session = session_of(context)
    if session is not None:
        journal = session.info.get(KEY, [])
        journal[:] = [pair for pair in journal if pair[1] is not entry]


def _run(entry: Entry, outcome: str) -> None:
    try:
        getattr(entry, outcome)()
    except Exception as e:  # never out of a hook: log what was left undone
        LOG.error("ipam: after Neutron's %s, %s was left undone: %s", outcome, entry.describe(), e)


def _finish(session: orm.Session, outcome: str) -> None:
    journal = session.info.get(KEY)
    if not journal:
        return
    ended = [pair for pair in journal if not pair[0].is_active]
    if not ended:
        return
    session.info[KEY] = [pair for pair in journal if pair[0].is_active]
    if outcome == "commit":
        for pair in ended:
            outer = _enclosing(pair[0]) if pair[0].nested else None
            if outer is not None and outer.is_active:
                session.info[KEY].append([outer, pair[1]])  # a released SAVEPOINT: the enclosing one decides
            else:
                _run(pair[1], "commit")
    else:
        for pair in reversed(ended):
            _run(pair[1], "rollback")


@sqlalchemy.event.listens_for(orm.Session, "after_commit")
def _after_commit(session):
    _finish(session, "commit")


@sqlalchemy.event.listens_for(orm.Session, "after_rollback")
def _after_rollback(session):
    _finish(session, "rollback")


@sqlalchemy.event.listens_for(orm.Session, "after_transaction_end")
def _after_transaction_end(session, transaction):
    # a root transaction closed without commit or rollback hook: nothing of it reached Neutron's tables
    if transaction.parent is None and session.info.get(KEY):
        left = session.info.pop(KEY)
        for pair in reversed(left):
            _run(pair[1], "rollback")
