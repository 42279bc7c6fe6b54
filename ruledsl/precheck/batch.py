"""A whole batch, in parts: one function from a part of the rows to its output rows, on one of three engines.

:func:`check_part` is the function every engine runs: a part of the filing table's rows (their cells
not yet read) in, the part's output rows (:func:`ruledsl.precheck.run.text_record`) out, with the
ruleset loaded once per worker process.  :func:`run_batch` reads the table in two passes in the
calling process, never holding it whole (:func:`ruledsl.precheck.table.open_table`): the first finds the
duplicate case ids over the whole batch, the second streams the rows in parts of :data:`PART_ROWS` to
the engine — except a CSV's, whose parts go out as where they start in the file
(:class:`~ruledsl.precheck.table.CsvPart`) and are read by the worker that checks them, so the calling
process reads such a filing once; the output rows are written in row order as the parts come back (on
``dask`` and ``spark``, into a CSV output, as the bytes the worker wrote for its part: the calling process
only appends them):

* ``local`` — the parts one after another in this process;
* ``dask`` — a local Dask cluster of ``workers`` processes (``dask.distributed``), at most two parts
  per worker in flight, so memory stays flat however long the batch; the cluster starts before the
  first pass, and its workers load the ruleset while this process scans the case ids;
* ``spark`` — PySpark's ``mapInPandas`` over the rows (``local[workers]``, or the cluster ``master``
  names, e.g. ``spark://host:7077``): each part travels as one pickled text cell, so Spark's schema is
  fixed whatever the ruleset, and comes back as its output rows (the driver holds the pickled parts: for
  a workbook, Parquet or JSON lines Spark's memory grows with the batch; a CSV's parts are a few fields each).

Every engine gives the same output rows (a test runs one hostile file through all three).
"""

from __future__ import annotations

import base64
import gc
import pickle
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ruledsl.core.text import file_sha256
from ruledsl.precheck.block import Block, Encoded
from ruledsl.precheck.columnar import judge_part
from ruledsl.precheck.output import open_writer
from ruledsl.precheck.parts import CsvRange, columnar_scan
from ruledsl.precheck.run import (
    READY,
    Options,
    Summary,
    add,
    award_labels,
    index_rows,
    judge_rows,
    make_summary,
    tally_records,
    text_record,
)
from ruledsl.precheck.table import CsvPart, RawPart, Row, Source, Table, open_table
from ruledsl.ruleset import Ruleset, load

ENGINES = ("local", "dask", "spark")
PART_ROWS = 5_000  # rows a part of the per-row path: small enough to stream, large enough to hand over cheaply
SHOWN = 20  # rows not ready kept for the console (the output file has them all)

#: what an engine hands a worker: a part's rows, where a CSV part starts in the file, or (the columnar
#: path) a part's columns or the byte range of a CSV part
Part = list[Row] | CsvPart | RawPart | CsvRange
_LOADED: dict[str, Ruleset] = {}  # per worker process: ruleset path → the compiled ruleset


def _ruleset(path: str) -> Ruleset:
    rs = _LOADED.get(path)
    if rs is None:
        rs = _LOADED[path] = load(Path(path))
    return rs


def check_part(ruleset_path: str, rows: Part, options: Options,
               encode: Callable[[Block], bytes | memoryview] | None = None) -> tuple[list[tuple] | Block | Encoded, dict]:
    """The output rows of one part of a batch and their tally (the function every engine runs): the part's
    rows, or where a CSV part starts (read here, in the worker); a columnar part (its columns, or the byte
    range of a CSV part, read here) gives its rows as a :class:`~ruledsl.precheck.block.Block` — or, with
    ``encode`` (the output writer's, :attr:`~ruledsl.precheck.output.Writer.encode`), as the bytes the writer
    appends (:class:`~ruledsl.precheck.block.Encoded`): a worker process writes them, not the caller."""
    rs = _ruleset(ruleset_path)
    if isinstance(rows, CsvRange):
        rows = rows.read()
    if isinstance(rows, RawPart):
        paused = gc.isenabled()
        gc.disable()
        try:
            block, tally = judge_part(rs, rows, options)
        finally:
            if paused:
                gc.enable()
        if encode is None:
            return block, tally
        return Encoded(len(block), bytes(encode(block)), _not_ready(block, SHOWN)), tally
    if isinstance(rows, CsvPart):
        rows = rows.read()
    lines = list(rs.checked.awards)
    paused = gc.isenabled()
    gc.disable()  # as Ruleset.call_batch does: a part makes many objects and few cycles, freed after it
    try:
        recs = [text_record(v, lines) for v in judge_rows(rs, rows, options)]
    finally:
        if paused:
            gc.enable()
    return recs, tally_records(recs, lines)


@dataclass
class BatchResult:
    summary: Summary
    lines: list[str]
    flagged: list[tuple]  # the first rows not ready, as output rows (for the console)
    expected: list[str]   # the columns the ruleset reads, "name（label）", for a message on unknown columns


def run_batch(ruleset_path: Path, input_path: Path, out_path: Path | None = None, *, engine: str = "local",
              workers: int = 1, lists_dir: Path | None = None, evidence_dir: Path | None = None,
              court_key: str | None = None, trust: tuple[str, ...] = (), master: str | None = None,
              progress: Callable[[int, int], None] | None = None, columnar: bool = True) -> BatchResult:
    """Pre-check ``input_path`` against ``ruleset_path`` on ``engine``; write every output row to
    ``out_path`` (when given) and return the summary.  ``progress(done, total)`` is told of each part.

    A CSV (UTF-8, regular quoting), Parquet file or workbook without list sheets is read in columnar
    parts (:mod:`ruledsl.precheck.parts`) and checked by :func:`ruledsl.precheck.columnar.judge_part`,
    which leaves the rows it cannot vouch for to the per-row path; ``columnar=False`` takes the per-row
    path for every row (what the columnar path is tested against)."""
    started = time.perf_counter()
    path = str(ruleset_path.resolve())
    rs = load(ruleset_path)
    source = open_table(input_path, rs.checked, lists_dir)  # an unreadable input stops here, before any cluster
    with _session(engine, path, workers) as session:  # a Dask cluster starts before the first pass
        scan = columnar_scan(source) if columnar else None  # the first pass: case ids only, over the whole batch
        if scan is not None:
            numbers, case_ids, columnar_parts = scan
            twice, given, total = index_rows(zip(numbers.tolist(), case_ids, strict=True))
            csv_parts = None
        else:
            keys, csv_parts = source.keys(PART_ROWS)
            twice, given, total = index_rows(keys)
        options = Options.of(source.columns, twice, evidence_dir, court_key, trust)
        lines = list(rs.checked.awards)
        writer = open_writer(out_path, lines, award_labels(rs)) if out_path is not None else None
        by = tally_records([], lines)
        flagged: list[tuple] = []
        done = 0
        run = {"local": _local, "dask": _dask, "spark": _spark}[engine]
        # on a cluster each worker writes its parts' rows in the output's form (CSV): the calling process appends them
        encode = writer.encode if writer is not None and engine != "local" else None
        if scan is not None:
            parts = iter(columnar_parts)
        else:
            parts = iter(csv_parts) if csv_parts else _parts(source)  # a CSV's parts are read where they are checked
        for recs, part_tally in run(path, parts, options, workers, master, encode, session):
            if writer is not None:
                writer.write(recs)
            by = add(by, part_tally)
            if len(flagged) < SHOWN:
                flagged += _not_ready(recs, SHOWN - len(flagged))
            done += len(recs)
            if progress is not None:
                progress(done, total)
        table = Table([], source.columns, source.ignored, source.blank_rows, source.orphans(given))
        summary = make_summary(rs, by, table, file_sha256(ruleset_path), file_sha256(input_path), input_path.name,
                               time.perf_counter() - started)
        if writer is not None:
            writer.close(summary)
        expected = [f"{f.name}（{f.label}）" if f.label else f.name for f in rs.checked.inputs
                    if f.name not in rs.checked.settings]
        return BatchResult(summary, lines, flagged, expected)


def _not_ready(recs: list[tuple] | Block | Encoded, limit: int) -> list[tuple]:
    """The first ``limit`` output rows that are not ready, as tuples."""
    if isinstance(recs, Encoded):
        return recs.not_ready[:limit]
    if not isinstance(recs, Block):
        return [r for r in recs if r[2] != READY][:limit]
    import numpy as np
    import pyarrow.compute as pc

    at = np.flatnonzero(np.asarray(pc.not_equal(recs.texts[1], READY), bool))[:limit]
    return recs.take(at).records() if len(at) else []


def _parts(source: Source) -> Iterator[list[Row]]:
    """The second pass: the rows in parts of :data:`PART_ROWS`, read as they are handed on."""
    part: list[Row] = []
    for row in source.rows():
        part.append(row)
        if len(part) == PART_ROWS:
            yield part
            part = []
    if part:
        yield part


def _warm(path: str) -> None:
    _ruleset(path)


@contextmanager
def _session(engine: str, path: str, workers: int) -> Iterator[object]:
    """What an engine keeps for the whole batch, started before the first pass over the input: for ``dask``
    the local cluster, whose workers load the ruleset (and import what checking needs) while this process
    scans the case ids; nothing for the others."""
    if engine != "dask":
        yield None
        return
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster, Client(cluster) as client:
        # each worker loads the ruleset now (a task pinned to it), without waiting for it here
        warm = [client.submit(_warm, path, pure=False, workers=[w], allow_other_workers=False)
                for w in client.scheduler_info()["workers"]]
        yield client
        del warm


def _local(path: str, parts: Iterator[Part], options: Options, workers: int, master: str | None,
           encode: Callable | None, session: object) -> Iterator:
    for part in parts:
        yield check_part(path, part, options, encode)


def _dask(path: str, parts: Iterator[Part], options: Options, workers: int, master: str | None,
          encode: Callable | None, client) -> Iterator:  # type: ignore[no-untyped-def]
    from collections import deque

    shared = client.scatter(options, broadcast=True)
    ahead = 2 * max(1, workers)
    futures: deque = deque()
    for part in parts:
        futures.append(client.submit(check_part, path, part, shared, encode, pure=False))
        if len(futures) >= ahead:  # the oldest part's rows, in order; this process forgets it
            yield futures.popleft().result()
    while futures:
        yield futures.popleft().result()


def _spark(path: str, parts: Iterator[Part], options: Options, workers: int, master: str | None,
           encode: Callable | None, session: object) -> Iterator:
    import os
    import sys

    import pandas as pd
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers run this environment's Python
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)

    spark = (SparkSession.builder.master(master or f"local[{max(1, workers)}]").appName("ruledsl precheck")
             .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
    try:
        blob = base64.b64encode(pickle.dumps((path, options, encode))).decode()
        pickled = [base64.b64encode(pickle.dumps(p)).decode() for p in parts]  # the driver holds the batch
        frame = pd.DataFrame({"n": range(len(pickled)), "part": pickled})

        def per_partition(batches):
            setup = pickle.loads(base64.b64decode(blob))
            for batch in batches:
                out = [base64.b64encode(pickle.dumps(check_part(setup[0], pickle.loads(base64.b64decode(p)),
                                                                setup[1], setup[2]))).decode() for p in batch["part"]]
                yield pd.DataFrame({"n": batch["n"], "records": out})

        df = spark.createDataFrame(frame).repartition(max(1, min(len(pickled), 4 * max(1, workers))))
        result = df.mapInPandas(per_partition, schema="n long, records string")
        for row in result.orderBy("n").toLocalIterator():
            yield pickle.loads(base64.b64decode(row["records"]))
    finally:
        spark.stop()
