"""The worker processes (or threads) that run the image checks, each check bounded in time.

A check (imagespider/pipelines/imagecheck.py) runs in a pool of worker processes
(``IMAGES_WORKERS``; threads with ``IMAGES_CHECK_PROCESSES=False``), so Pillow never holds the GIL
the reactor needs. A worker process runs under ``RLIMIT_AS`` (``IMAGES_CHECK_MEMORY``), so an
estimate of a decode's cost that was wrong ends in ``too_costly``, never in a swapping machine, and
dies with the crawl; a check that takes longer than ``IMAGES_CHECK_TIMEOUT`` is ``check_timeout``,
its worker killed and replaced (:class:`CheckPool`).
"""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import os
import resource
import signal
import sys
import warnings
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from PIL import Image

from imagespider.pipelines.checkbounds import CheckBounds


def _init_check_process(max_pixels: int, parent: int, memory: int = 0) -> None:
    """A check process's Pillow refuses what the crawl's does (see ``open_spider``), and the
    process dies with the crawl: a forked worker holds the crawl's descriptors, the store's
    ``flock`` among them, and would otherwise outlive a killed crawl, waiting for work forever
    and keeping the store locked (tests/crawl/test_resume.py, sigkill)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    # The crawl died before the line above (a forkserver's child has the server as its parent,
    # which ends when the crawl does).
    if parent and os.getppid() != parent:
        os._exit(1)
    # Not Scrapy's handlers, inherited by the fork: Ctrl-C is the crawl's to handle, and a plain
    # kill ends a worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
    if memory:
        cap_address_space(memory)


#: prctl(2) option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def new_check_executor(workers: int, processes: bool, max_pixels: int, memory: int = 0, fork: bool = True) -> Executor:
    """IMAGES_WORKERS check processes (IMAGES_CHECK_PROCESSES, the default) or threads.

    Processes: Pillow holds the GIL for part of a decode (WebP, image allocation), so check
    threads slowed the reactor thread that feeds them; in their own processes they do not
    (600 benchmark images: 7.1-7.6 s against 8.1-8.3 s with threads, for +3% CPU spent on
    sending the bodies). ``fork``: a worker starts in milliseconds with the modules already
    imported, and its CPU time is charged to the crawl. The workers are forked in the pipeline's
    open_spider, before the crawl's own threads have work (forking later, from a busy
    multi-threaded process, risks a child inheriting a lock held by another thread): a later
    worker (``fork=False``) comes from a ``forkserver`` instead, which has imported the check and this module.
    """
    if not processes:
        return ThreadPoolExecutor(workers, thread_name_prefix="imagespider-check")
    if fork:
        context, parent = multiprocessing.get_context("fork"), os.getpid()
    else:
        context, parent = multiprocessing.get_context("forkserver"), 0
        context.set_forkserver_preload(["imagespider.pipelines.imagecheck", __name__])
    executor = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_check_process, initargs=(max_pixels, parent, memory),
    )
    executor.submit(int).result()  # start every worker now (ProcessPoolExecutor starts all at once)
    return executor


def cap_address_space(memory: int) -> None:
    """Let this (worker) process grow by at most ``memory`` bytes of address space beyond what
    it holds now (it is a fork of the crawl, whose size it starts with): past it, allocations
    fail (MemoryError, ``too_costly``) instead of the machine swapping or the OOM killer choosing."""
    size = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")  # noqa: SIM115
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + memory
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


class CheckPool:
    """The check workers, each check bounded in time (issue 28, items 8 and 9).

    ``workers`` slots, each one worker (a process of its own, or a thread with
    ``processes=False``). A check waits for a free slot here, then runs at once in it, so
    ``bounds.timeout`` counts the check's own run time, never its wait in the queue. A check
    still running after it is ``check_timeout`` and only its slot is retired: the process is
    killed (a thread cannot be: it runs on, unbounded, and is let go) and a new worker takes the
    slot; the other checks, running or waiting, are not touched (threads: at most ``workers``
    timed-out threads run on beside the pool's; past that a slot waits for one to end). A process that crashed is
    replaced the same way and the image tried once more; a second crash is blamed on the image
    (``corrupt_image``).

    The first workers are forked in ``open_spider``, before the crawl's threads have work. A
    replacement is made later, from a process with threads: forking then risks a child that
    inherits a lock another thread held, so replacements come from a ``forkserver`` (a fresh
    single-threaded process that has imported the check and this module), made off the reactor thread.
    """

    def __init__(self, workers: int, processes: bool, bounds: CheckBounds) -> None:
        self.workers, self.processes, self.bounds = workers, processes, bounds
        self._free: asyncio.Queue[Executor] | None = None
        self._all: set[Executor] = set()
        self._replacing: set[asyncio.Future[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        #: Checks that timed out in a thread (which cannot be stopped) and still run.
        self._runaway: set[Future[Any]] = set()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._free = asyncio.Queue()
        for _ in range(self.workers):
            executor = self._new(fork=True)
            self._all.add(executor)
            self._free.put_nowait(executor)

    def _new(self, fork: bool) -> Executor:
        memory = self.bounds.memory if self.processes else 0
        return new_check_executor(1, self.processes, self.bounds.max_pixels, memory, fork=fork)

    def shutdown(self) -> None:
        for future in self._replacing:
            future.cancel()
        for executor in self._all:
            _kill(executor)
        self._all.clear()
        self._free = None

    async def run(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` in a worker; a timeout or a second crash gives a ``(reason, detail)``."""
        crashes = 0
        while True:
            if self._free is None:
                raise RuntimeError("the check pool is not started")
            executor = await self._free.get()
            try:
                done = executor.submit(fn, *args)
            except (BrokenProcessPool, RuntimeError):  # died idle (killed from outside)
                self._retire(executor)
                continue
            # The slot is free again when the check really ends, not when its waiter gives up.
            done.add_done_callback(lambda _, e=executor: self._release_soon(e))
            try:
                return await asyncio.wait_for(asyncio.wrap_future(done), self.bounds.timeout)
            except TimeoutError:
                if not self.processes:  # a thread runs on: counted until it ends
                    self._runaway.add(done)
                    done.add_done_callback(self._runaway_ended)
                self._retire(executor)
                return "check_timeout", f"the check took longer than IMAGES_CHECK_TIMEOUT={self.bounds.timeout:g} s"
            except BrokenProcessPool:
                self._retire(executor)
                crashes += 1
                if crashes == 2:
                    return "corrupt_image", "the image decoder crashed on this file"

    def _release_soon(self, executor: Executor) -> None:
        """From the worker's side (a done callback runs in the executor's thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._release, executor)

    def _runaway_ended(self, done: Future[Any]) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._runaway.discard, done)

    def _release(self, executor: Executor) -> None:
        if self._free is not None and executor in self._all:
            self._free.put_nowait(executor)

    def _retire(self, executor: Executor) -> None:
        """Stop ``executor`` (its check ran too long, or it crashed) and start its replacement."""
        if executor not in self._all:
            return
        self._all.discard(executor)
        _kill(executor)
        replacing = asyncio.ensure_future(self._replace())
        self._replacing.add(replacing)
        replacing.add_done_callback(self._replacing.discard)

    async def _replace(self) -> None:
        # Check threads that timed out run on; at most ``workers`` of them beside the pool's own,
        # so a run of slow images cannot start threads without bound: past that, wait for one.
        while len(self._runaway) > self.workers:
            await asyncio.sleep(0.05)
        executor = await asyncio.get_running_loop().run_in_executor(None, self._new, False)
        if self._free is None:  # shut down meanwhile
            _kill(executor)
            return
        self._all.add(executor)
        self._free.put_nowait(executor)


def _kill(executor: Executor) -> None:
    """End a worker now: its process killed; a thread cannot be, and is let go."""
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.kill()
    executor.shutdown(wait=False, cancel_futures=True)
