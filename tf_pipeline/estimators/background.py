"""A call in a background thread whose ``join`` re-raises what the call raised."""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["BackgroundCall"]


class BackgroundCall(threading.Thread):
    """Call ``function(*args)`` in a daemon thread, started at once.

    :meth:`join` waits for it and re-raises what it raised, so an error of work done in
    the background (compiling a loop, starting a session) surfaces in the thread that
    needs its result.

    Example
    -------
    >>> call = BackgroundCall(int, "x")
    >>> try:
    ...     call.join()
    ... except ValueError as error:
    ...     print(error)
    invalid literal for int() with base 10: 'x'
    """

    def __init__(self, function: Any, *args: Any) -> None:
        super().__init__(daemon=True)
        self._call = (function, args)
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        function, args = self._call
        try:
            function(*args)
        except BaseException as error:  # re-raised by join()
            self._error = error

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self._error is not None:
            raise self._error
