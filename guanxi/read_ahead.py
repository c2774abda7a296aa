"""Chunks of a long query read one step ahead, in a thread, while the caller works on the last.

A server-side cursor answers each fetch after a round trip in which the database server
works and the client waits; formatting the chunk then keeps the client busy while the
server waits. Reading the next chunk in a thread lets both work at once: on a 1,000,000-row
export from PostgreSQL the client spends about as long waiting as formatting.

Only for a database served by another process. The thread releases Python's global lock
while it waits for the server; SQLite works inside the process and takes the lock back after
each row, so there it would only queue behind the formatting.
"""

import contextlib
import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

Chunk = TypeVar("Chunk")

# How many chunks may wait read but not yet taken: one is read while one is used.
AHEAD = 2
_END = object()


def read_ahead(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """The same chunks in the same order, the next one read while the caller uses this one.

    Closing the iterator (a client that goes away mid-download) stops the reading and
    closes ``chunks`` in the reading thread, so that a cursor is never closed while a fetch
    runs on it.
    """
    ready: queue.Queue = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def read() -> None:
        try:
            for chunk in chunks:
                ready.put(chunk)
                if stop.is_set():
                    return
            ready.put(_END)
        except Exception as error:  # noqa: BLE001  (raised again in the caller's thread)
            ready.put(error)
        finally:
            if isinstance(chunks, Generator):
                chunks.close()

    reader = threading.Thread(target=read, name="read-ahead", daemon=True)
    reader.start()
    try:
        while (chunk := ready.get()) is not _END:
            if isinstance(chunk, Exception):
                raise chunk
            yield chunk
    finally:
        stop.set()
        # A reader blocked on a full queue is let go by taking what it put.
        while reader.is_alive():
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.05)
        reader.join()
