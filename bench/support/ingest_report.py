"""The ingest benchmark's report as a table (``bench/ingest.py`` without ``--json``)."""

from __future__ import annotations

from typing import Any


def _rss(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f} MiB"


def cpu_split(run: dict[str, Any]) -> tuple[float, float, float]:
    """An end-to-end run's gateway CPU seconds: its main process; its children but the
    grandchildren (the pipeline processes); the grandchildren (their verifier processes)."""
    main = run["gateway_main_cpu_seconds"]
    below = run["gateway_grandchildren_cpu_seconds"]
    return main, run["gateway_cpu_seconds"] - main - below, below


def print_table(report: dict[str, Any]) -> None:
    runs: list[dict[str, Any]] = report["end_to_end"]
    sink, validation = report["bare_sink"], report["validation_alone"]
    setup = report["setup"]
    print(
        f"ingest benchmark: {setup['documents']} documents, mean message "
        f"{setup['mean_message_kib']:.1f} KiB (PDF {setup['mean_pdf_kib']:.1f} KiB), "
        f"{setup['cpus']} CPUs; preparing them took {setup['prepare_seconds']:.1f} s"
    )
    print()
    print(f"{'measurement':<46}{'rate':>14}{'time':>10}")
    for run in runs:
        label = f"end to end, {run['connections']} connection(s), SMTP → receipt"
        print(f"{label:<46}{run['documents_per_second']:>9.1f} doc/s{run['seconds']:>9.2f}s")
        label = f"  of which SMTP intake ({run['connections']} conn.)"
        print(
            f"{label:<46}{run['intake_messages_per_second']:>9.1f} msg/s"
            f"{run['intake_seconds']:>9.2f}s"
        )
        cpu = run["gateway_cpu_seconds"]
        main_cpu, pipeline_cpu, below = (1000 * s / run["documents"] for s in cpu_split(run))
        print(
            f"  gateway CPU {cpu:.1f} s ({1000 * cpu / run['documents']:.0f} ms/doc, "
            f"{cpu / run['seconds']:.2f} cores busy): main process {main_cpu:.0f} ms/doc, "
            f"{run['gateway_children']} child processes {pipeline_cpu + below:.0f} ms/doc"
        )
        if below:
            print(
                f"    of the children's: {pipeline_cpu:.0f} ms/doc in the pipeline processes, "
                f"{below:.0f} ms/doc in their verifier processes (verification, text, "
                "active content)"
            )
        own = run["bench_cpu_seconds"]
        print(
            f"  this benchmark's client and sink on the same cores: {own:.1f} s CPU "
            f"({1000 * own / run['documents']:.0f} ms/doc, {own / run['seconds']:.2f} cores busy)"
        )
    print(
        f"{'bare aiosmtpd sink, 1 connection':<46}{sink['per_second']:>9.1f} msg/s"
        f"{sink['seconds']:>9.2f}s"
    )
    alone = report["pyhanko_alone"]
    print(
        f"{'pyHanko alone, 1 process of its own':<46}{alone['per_second']:>9.1f} doc/s"
        f"{alone['seconds']:>9.2f}s"
    )
    print(
        f"{'gateway verifier alone, 1 process':<46}{validation['per_second']:>9.1f} doc/s"
        f"{validation['seconds']:>9.2f}s"
    )
    print()
    ratios = report["ratios"]
    print(f"end to end / bare sink          {ratios['end_to_end_per_bare_sink']:.3f}")
    print(f"end to end / pyHanko alone      {ratios['end_to_end_per_pyhanko_alone']:.3f}")
    print(f"end to end / gateway verifier   {ratios['end_to_end_per_validation']:.3f}")
    print(f"as CPU time allows (estimate)   {ratios['cpu_bound_estimate']:.3f}")
    if "two_connections_per_one" in ratios:
        print(f"2 connections / 1 connection    {ratios['two_connections_per_one']:.3f}")
    print()
    first = runs[0]
    print(
        "SMTP accept latency, run 1 (end of DATA → 250):   "
        f"p50 {first['accept_p50_ms']:.2f} ms, p99 {first['accept_p99_ms']:.2f} ms"
    )
    print(
        "SMTP transaction, run 1 (MAIL FROM → 250):        "
        f"p50 {first['transaction_p50_ms']:.2f} ms, p99 {first['transaction_p99_ms']:.2f} ms"
    )
    print(
        f"first receipt after                               {first['first_receipt_seconds']:.2f} s"
    )
    print()
    for run in runs:
        print(
            f"peak RSS gateway ({run['connections']} conn.): {_rss(run['gateway_peak_rss_kib'])}"
            f" (+ {_rss(run['gateway_children_peak_rss_kib'])} in its children); "
            f"log: {run['log_warnings']} warnings, {run['log_errors']} errors; "
            f"{run['duplicate_receipts']} duplicate receipts, {run['routed_copies']} routed copies"
        )
    print(f"peak RSS benchmark process: {_rss(report['benchmark_peak_rss_kib'])}")
    large = report.get("large_message")
    if large:
        growth_mib = large["growth_per_message"] * large["message_mib"]
        print(
            f"large message {large['message_mib']:.1f} MiB: "
            f"receipt after {large['seconds']:.1f} s; "
            f"gateway RSS {_rss(large['rss_before_kib'])} → peak {_rss(large['peak_kib'])}, "
            f"children {_rss(large['children_rss_before_kib'])} → "
            f"{_rss(large['children_peak_kib'])}: growth {growth_mib:.0f} MiB = "
            f"{large['growth_per_message']:.2f} × the message"
            + ("" if large["peak_was_reset"] else " (peak not reset: includes start-up)")
        )
