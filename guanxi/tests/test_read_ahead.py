"""Reading a query's chunks ahead in a thread gives the same chunks, passes errors on and
stops reading when the caller stops."""

import threading

import pytest

from guanxi.read_ahead import read_ahead


def test_the_chunks_come_in_their_order_read_in_another_thread():
    readers = []

    def chunks():
        for n in range(10):
            readers.append(threading.current_thread())
            yield [n, n]

    assert list(read_ahead(chunks())) == [[n, n] for n in range(10)]
    assert set(readers) == {readers[0]} and readers[0] is not threading.current_thread()


def test_an_error_while_reading_is_raised_to_the_caller_after_the_chunks_before_it():
    def chunks():
        yield 1
        raise LookupError("the cursor went away")

    found = read_ahead(chunks())
    assert next(found) == 1
    with pytest.raises(LookupError, match="the cursor went away"):
        next(found)


def test_a_caller_that_stops_early_stops_the_reading_and_closes_the_chunks_in_the_reader():
    read, closed_in = [], []

    def chunks():
        try:
            for n in range(1000):
                read.append(n)
                yield n
        finally:
            closed_in.append(threading.current_thread())

    found = read_ahead(chunks())
    assert next(found) == 0
    found.close()
    assert len(read) < 10  # the reader went no further than the queue holds
    assert closed_in and closed_in[0] is not threading.current_thread()
