"""Trackers that misbehave on purpose, for the reliability tests: a plain module so that
worker processes, Ray actors and ``trackbench run helpers.faulty_trackers:Class``
subprocesses can import them."""

from __future__ import annotations

import os
import resource
import signal
import sys
import time

import numpy as np

# image width -> what the tracker does at its 2nd update (frame 3)
FAULTS = {80: "segv", 82: "exit", 84: "sysexit", 86: "hang", 88: "memhog"}


def hog_memory() -> None:
    """Cap this process's address space 256 MB above what it uses, then ask for 1 GB."""
    with open("/proc/self/status") as status:
        used = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (used + 256 * 2**20, resource.getrlimit(resource.RLIMIT_AS)[1]))
    np.ones(2**30 // 8)


class FaultyTracker:
    """Identity tracker that misbehaves (``FAULTS`` by image width, or ``output`` on any
    image ``width`` wide) at its second update while ``flag`` exists."""

    name = "faulty"
    is_deterministic = True

    def __init__(self, flag: str = "", output: str = "", width: int = 0):
        self.flag, self.output, self.width = flag, output, int(width)

    def init(self, image, box):
        self.box = np.asarray(box, dtype=np.float64)
        width = image.shape[1]
        armed = bool(self.flag) and os.path.exists(self.flag)
        self.fault = (self.output if width == self.width else FAULTS.get(width)) if armed else None
        self.updates = 0

    def update(self, image):
        self.updates += 1
        if self.fault and self.updates == 2:
            if self.fault == "segv":
                os.kill(os.getpid(), signal.SIGSEGV)
            elif self.fault == "exit":
                os._exit(3)
            elif self.fault == "sysexit":
                sys.exit(4)
            elif self.fault == "hang":
                while True:
                    time.sleep(0.05)
            elif self.fault == "memhog":
                hog_memory()
            elif self.fault == "2x2":
                return np.ones((2, 2))
            elif self.fault == "strings":
                return ["1", "2", "3", "4"]
            elif self.fault == "inf":
                return [1.0, 2.0, float("inf"), 4.0]
        return self.box.copy()


class StubbornHang:
    """A tracker that swallows Ctrl-C and keeps hanging (only a second SIGINT ends it)."""

    name = "stubborn"
    is_deterministic = True

    def init(self, image, box):
        self.box = np.asarray(box, dtype=np.float64)

    def update(self, image):
        while True:
            try:
                time.sleep(0.05)
            except KeyboardInterrupt:
                pass

