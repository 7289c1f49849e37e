package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.StepResult;
import java.util.List;
import java.util.Locale;

/** results.csv: one row per step, units in the column names, in each target's own time. */
final class ResultsCsv {
    private static final String HEADER = "step_id,target,scenario,kind,concurrency,repeat,simulated,time_scale,requests,ok,error_rate,"
            + "ttft_p50_ms,ttft_p95_ms,ttft_p99_ms,ttfa_p50_ms,e2e_p50_ms,e2e_p95_ms,tpot_p50_ms,itl_p50_ms,itl_p99_ms,"
            + "decode_p50_tok_s,aggregate_tok_s,request_rate_per_s,window_s,cold_ttft_ms,warm_ttft_ms,"
            + "warm_cached_share,cancelled_at_end,partial,flags";

    private ResultsCsv() {}

    static String render(List<StepResult> results) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (StepResult r : results) {
            StepResult.Identity id = r.identity();
            StepResult.Distributions dist = r.dist();
            StepResult.WarmTurns warm = r.warm();
            sb.append(String.join(",", id.stepId(), id.target(), id.scenario(), id.kind(), i(id.concurrency()), i(id.repeat()), String.valueOf(id.simulated()),
                    d(id.timeScale()), i(r.outcome().requests()), i(r.outcome().ok()), d(r.outcome().errorRate()),
                    d(dist.ttftMs().p50()), d(dist.ttftMs().p95()), d(dist.ttftMs().p99()), d(dist.ttfaMs().p50()), d(dist.e2eMs().p50()), d(dist.e2eMs().p95()),
                    d(dist.tpotMs().p50()), d(dist.itlMs().p50()), d(dist.itlMs().p99()),
                    d(dist.decodeTokS().p50()), d(r.throughput().aggregateTokS()), d(r.throughput().requestRate()), d(r.throughput().windowSeconds()),
                    d(warm.coldTtftMs()), d(warm.warmTtftMs()), d(warm.warmCachedShare()), i(r.outcome().cancelledAtEnd()), String.valueOf(r.checks().partial()),
                    "\"" + String.join(" ", r.checks().flags().stream().map(f -> f.code()).distinct().toList()) + "\"")).append('\n');
        }
        return sb.toString();
    }

    private static String i(int v) {
        return Integer.toString(v);
    }

    private static String d(Double v) {
        return v == null || v.isNaN() ? "" : String.format(Locale.ROOT, "%.3f", v);
    }
}
