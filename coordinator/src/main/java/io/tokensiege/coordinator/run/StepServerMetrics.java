package io.tokensiege.coordinator.run;

import io.tokensiege.common.plan.Target;
import io.tokensiege.coordinator.server.ServerMetrics;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The server's Prometheus counters around each step: scraped just before its load starts and after it ends,
 * kept as deltas in run.json. A target whose scrape shows nothing (no /metrics, or a server too busy to answer it
 * within 5 s) is not asked again: each later scrape would hold the run another 5 s for nothing.
 */
final class StepServerMetrics {
    private final Set<String> silent = new HashSet<>();
    private ServerMetrics.Scrape before = ServerMetrics.Scrape.NONE;

    void before(Target target) {
        before = silent.contains(target.name()) ? ServerMetrics.Scrape.NONE : ServerMetrics.scrape(target);
        if (before.isEmpty()) silent.add(target.name());
    }

    Optional<Map<String, Double>> after(Target target) {
        if (before.isEmpty()) return Optional.empty();
        ServerMetrics.Scrape after = ServerMetrics.scrape(target);
        if (after.isEmpty()) silent.add(target.name());
        return after.isEmpty() ? Optional.empty() : Optional.of(ServerMetrics.delta(before, after));
    }
}
