"""Decode workers run below the app's priority, so on a busy machine the UI thread wins the CPU."""

from __future__ import annotations

import io
import os

from PIL import Image

from reviewer.media.decode_guard import DecodePool
from reviewer.media.decode_worker import WORKER_NICE
from reviewer.media.preview import PreviewSpec


def test_decode_workers_run_niced_below_the_app() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 30)).save(buf, "JPEG")
    pool = DecodePool(workers=1)
    try:
        result = pool.preview(buf.getvalue(), PreviewSpec())
        assert result.ok
        pids = pool.pids()
        assert pids
        app = os.getpriority(os.PRIO_PROCESS, 0)
        for pid in pids:
            assert os.getpriority(os.PRIO_PROCESS, pid) >= max(app, WORKER_NICE)
    finally:
        pool.shutdown()
