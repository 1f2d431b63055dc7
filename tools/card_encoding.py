"""Where and when the reference cards' PNGs are encoded: on worker threads, written by the
caller's thread through a transaction (:mod:`storycore.tools.asset_generator` draws them).

PNG-encoding a 1024x1024 card and its thumbnail is most of a card's cost (Pillow releases
the GIL while it resizes and compresses). Inside :func:`card_batch`,
:func:`~storycore.tools.asset_generator.write_reference_card` hands each card to the threads
(to be drawn and encoded there: Pillow draws text on any thread, as the storyboard's panel
threads do)
and the block writes every PNG by its end, in the order they were asked for, through the
block's transaction. With :class:`LaterCards` (the planner), the PNGs still being encoded
when the block ends are kept instead, and :meth:`LaterCards.write` writes them in a later
transaction of their own, so the caller's thread goes on with its next phases meanwhile. In
both cases the same files hold the same bytes; only the transaction the cards are written
in changes. While the next card to write is still being encoded, the writing thread encodes
a card nobody has started (the last one asked for) rather than wait: every core keeps
working until the last card, and only the order in which the cards are encoded changes.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType

from storycore.tools.project import Project, Transaction

#: The note of the transaction :meth:`LaterCards.write` writes the cards in (the same as
#: :meth:`AssetRegistry.write_cards`).
CARDS_NOTE = "elements: reference cards"
#: At most this many cards wait for :meth:`LaterCards.write` (about 60 kB each for a
#: planner card); beyond, the oldest are written by the batch's own transaction.
LATER_MAX = 256


class _Pending:
    """A card's files (relative paths), how to encode them (one PNG per path) and the future
    of that encoding on the threads, unless the writing thread took it over."""

    __slots__ = ("data", "encode", "future", "rels")

    def __init__(
        self, rels: list[str], encode: Callable[[], list[bytes]], future: Future[list[bytes]]
    ) -> None:
        self.rels = rels
        self.encode = encode
        self.future = future
        #: The PNGs when this thread encoded them itself (:meth:`steal`).
        self.data: list[bytes] | None = None

    def ready(self) -> bool:
        """Whether :meth:`result` answers without waiting."""
        return self.data is not None or self.future.done()

    def steal(self) -> bool:
        """Encode the card on this thread if no thread has started it (True: done)."""
        if self.data is not None or not self.future.cancel():
            return False
        self.data = self.encode()
        return True

    def result(self) -> list[bytes]:
        return self.data if self.data is not None else self.future.result()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="storycore-card")


class LaterCards:
    """Cards whose PNGs are encoded after their transaction ended, written by :meth:`write`
    in a transaction of their own. Use as a context manager: leaving it without
    :meth:`write` (an error in between) drops the cards and stops the threads."""

    def __init__(self) -> None:
        cores = _cores()
        # The caller's thread keeps a core: it goes on with its phases meanwhile.
        self.workers = min(3, cores - 1)
        self.pool = _pool(self.workers) if cores >= 2 else None
        self.pending: deque[_Pending] = deque()

    def write(self, project: Project) -> None:
        """Write every kept card through one transaction (nothing when none is kept)."""
        if not self.pending:
            return
        with project.transaction(CARDS_NOTE) as tx:
            while self.pending:
                _write_next(tx, self.pending)

    def close(self) -> None:
        """Drop the cards not written and stop the threads."""
        self.pending.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> LaterCards:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _write_next(tx: Transaction, pending: deque[_Pending]) -> None:
    """Write the first card of ``pending`` through ``tx``. While the threads are still
    encoding it, this thread encodes the cards they have not started, from the last one
    asked for (the threads take them from the first), instead of waiting."""
    head = pending[0]
    while not head.ready():
        if not head.steal() and not any(card.steal() for card in reversed(pending)):
            break  # every card is started: wait for the first
    pending.popleft()
    for rel, data in zip(head.rels, head.result(), strict=True):
        tx.write_bytes(rel, data)


class CardBatch:
    """Cards drawn and encoded on ``pool``'s threads, written by this thread through ``tx``
    in the order they were asked for (or kept for ``later``). At most ``ahead`` cards wait
    to be written here (``later``: :data:`LATER_MAX`), so memory stays flat: a card waiting
    for a thread holds only its element, one being drawn its 3 MB image."""

    def __init__(
        self,
        tx: Transaction,
        pool: ThreadPoolExecutor,
        ahead: int,
        later: LaterCards | None = None,
    ) -> None:
        self.tx = tx
        self.pool = pool
        self.ahead = ahead
        self.later = later
        self.pending: deque[_Pending] = deque() if later is None else later.pending

    def submit(self, rels: list[str], encode: Callable[[], list[bytes]]) -> None:
        """Draw and encode a card on the threads (``encode()``: one PNG per path of
        ``rels``)."""
        self.pending.append(_Pending(rels, encode, self.pool.submit(encode)))
        limit = self.ahead if self.later is None else LATER_MAX
        while len(self.pending) > limit:
            _write_next(self.tx, self.pending)

    def finish(self) -> None:
        """Write every card still pending (those kept for ``later`` stay there)."""
        while self.pending and self.later is None:
            _write_next(self.tx, self.pending)


_current: ContextVar[CardBatch | None] = ContextVar("storycore_card_batch", default=None)


def current_batch(tx: Transaction) -> CardBatch | None:
    """The batch encoding the cards written through ``tx``, if one is open."""
    batch = _current.get()
    return batch if batch is not None and batch.tx is tx else None


@contextmanager
def card_batch(tx: Transaction, later: LaterCards | None = None) -> Iterator[None]:
    """Inside it, :func:`~storycore.tools.asset_generator.write_reference_card` on ``tx``
    encodes cards on the usable cores (at most 4) and writes them by the end of the block,
    or leaves those not written yet to ``later`` (the same files and bytes)."""
    if _current.get() is not None:
        yield
        return
    if later is not None:
        if later.pool is None:  # one core: written here, as without a batch
            yield
            return
        batch = CardBatch(tx, later.pool, 2 * later.workers, later)  # ahead: unused
        token = _current.set(batch)
        try:
            yield
        finally:
            _current.reset(token)
        return
    workers = min(4, _cores())
    if workers < 2:
        yield
        return
    pool = _pool(workers)
    batch = CardBatch(tx, pool, 2 * workers)
    token = _current.set(batch)
    try:
        yield
        batch.finish()
    finally:
        _current.reset(token)
        pool.shutdown(wait=True, cancel_futures=True)
