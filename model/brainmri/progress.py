"""A dependency-free progress bar on stderr (tqdm is not in Debian's minimal set)."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, desc: str = "", width: int = 30, stream=sys.stderr) -> None:
        self.total = max(1, total)
        self.desc = desc
        self.width = width
        self.stream = stream
        self.n = 0
        self.start = time.time()
        self.last = 0.0
        self.drawn = -1
        self.postfix = ""
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def update(self, k: int = 1, postfix: str | None = None) -> None:
        self.n += k
        if postfix is not None:
            self.postfix = postfix
        now = time.time()
        if now - self.last >= (0.1 if self.tty else 5.0) or self.n >= self.total:
            self.last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        self.drawn = self.n
        frac = min(1.0, self.n / self.total)
        done = int(frac * self.width)
        elapsed = now - self.start
        eta = elapsed / frac - elapsed if frac > 0 else 0.0
        line = (
            f"{self.desc} [{'#' * done}{'.' * (self.width - done)}] {self.n}/{self.total} "
            f"{elapsed:5.1f}s eta {eta:5.1f}s {self.postfix}"
        )
        self.stream.write(("\r" + line) if self.tty else (line + "\n"))
        self.stream.flush()

    def close(self) -> None:
        if self.drawn != self.n:
            self._draw(time.time())
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()
