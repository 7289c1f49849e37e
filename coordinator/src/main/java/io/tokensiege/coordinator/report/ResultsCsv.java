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
            sb.append(String.join(",", r.stepId(), r.target(), r.scenario(), r.kind(), i(r.concurrency()), i(r.repeat()), String.valueOf(r.simulated()),
                    d(r.timeScale()), i(r.requests()), i(r.ok()), d(r.errorRate()),
                    d(r.ttftMs().p50()), d(r.ttftMs().p95()), d(r.ttftMs().p99()), d(r.ttfaMs().p50()), d(r.e2eMs().p50()), d(r.e2eMs().p95()),
                    d(r.tpotMs().p50()), d(r.itlMs().p50()), d(r.itlMs().p99()),
                    d(r.decodeTokS().p50()), d(r.aggregateTokS()), d(r.requestRate()), d(r.windowSeconds()),
                    d(r.coldTtftMs()), d(r.warmTtftMs()), d(r.warmCachedShare()), i(r.cancelledAtEnd()), String.valueOf(r.partial()),
                    "\"" + String.join(" ", r.flags().stream().map(f -> f.code()).distinct().toList()) + "\"")).append('\n');
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
