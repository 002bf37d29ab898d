"""Writing an output file whole or not at all: the one helper every writer uses.

A file is written next to its destination under a temporary name, flushed to disk and
renamed over the destination: a reader (or a rerun after a kill) sees the old file or the
new one, never half of one. A failed write leaves no temporary file behind and raises
`WriteError`, one line naming the file and the reason, e.g. ``cannot write
results/smoke/gers2001/anbn/weights.pt: no space left on device (free some space and run
again)``. JSON is written strictly: a NaN or an infinity is refused (Python's json would
write `NaN`, which is not JSON); a trial's record writes a missing number as null.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
from pathlib import Path


class WriteError(RuntimeError):
    """An output could not be written; the message names the file and what to do."""


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC or error.errno == errno.EDQUOT:
        return "no space left on device (free some space and run again)"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{error.strerror.lower()} (make the directory writable, or write the results elsewhere)"
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"{error.strerror.lower()}: a file stands where a directory should be (move it away)"
    return (error.strerror or str(error)).lower()


def write_bytes_atomic(data: bytes, path: Path) -> None:
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(tmp, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as error:
        raise WriteError(f"cannot write {path}: {_reason(error)}") from None


def write_text_atomic(text: str, path: Path) -> None:
    write_bytes_atomic(text.encode(), path)


def strict_json(data, path: Path, **dumps_args) -> str:
    """json.dumps that refuses NaN and infinities, naming the file."""
    try:
        return json.dumps(data, allow_nan=False, **dumps_args)
    except ValueError as error:
        raise WriteError(f"cannot write {path}: {error} (a value is NaN or infinite)") from None


def write_json_atomic(data, path: Path) -> None:
    write_text_atomic(strict_json(data, path, indent=1, sort_keys=False) + "\n", path)


def finite_record(record: dict) -> dict:
    """A trial's record as written: a number it does not have is null, not NaN (random
    guessing has no training loss; a trial whose loss blew up also says `"diverged": true`,
    reproductions/training/trainer.py). Nested values must be finite."""
    return {key: (None if isinstance(value, float) and not math.isfinite(value) else value)
            for key, value in record.items()}


def write_jsonl_atomic(records: list[dict], path: Path) -> None:
    """One trial per line, strict JSON."""
    write_text_atomic("".join(strict_json(finite_record(r), path) + "\n" for r in records), path)


def atomic_torch_save(obj, path: Path) -> None:
    """torch.save, whole or not at all (serialised in memory first, so that a full disk
    reports itself instead of torch's `basic_ios::clear: iostream error`)."""
    import torch

    buffer = io.BytesIO()
    torch.save(obj, buffer)
    write_bytes_atomic(buffer.getvalue(), path)


def check_writable(directory: Path) -> None:
    """Fail now, before hours of training, if results cannot be written to `directory`."""
    directory = Path(directory)
    probe = directory / ".writable"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise WriteError(f"cannot write results to {directory}: {_reason(error)}") from None
