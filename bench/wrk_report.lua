-- wrk script: print the figures bench/run.py reads (latencies in microseconds).
done = function(summary, latency, requests)
  io.write(string.format("BENCH requests=%d seconds=%.3f p50=%d p95=%d errors=%d status_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
