package io.tokensiege.coordinator.run;

import io.tokensiege.common.plan.Target;
import io.tokensiege.coordinator.server.ServerMetrics;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's Prometheus counters around each step: scraped just before its load starts and after it ends,
 * kept as deltas in run.json. A target is no longer asked once asking is pointless: it never had /metrics (its
 * first scrape shows nothing), it did not answer a scrape at all (each later one could hold the run 5 s), or two
 * scrapes in a row came back empty (one busy moment right after a heavy step is not enough).
 */
final class StepServerMetrics {
    private static final Logger log = LoggerFactory.getLogger(StepServerMetrics.class);
    private final Set<String> givenUp = new HashSet<>();
    private final Set<String> answeredOnce = new HashSet<>();
    private final Map<String, Integer> emptyInARow = new HashMap<>();
    private ServerMetrics.Scrape before = ServerMetrics.Scrape.NONE;

    void before(Target target) {
        before = givenUp.contains(target.name()) ? ServerMetrics.Scrape.NONE : scrape(target);
    }

    Optional<Map<String, Double>> after(Target target) {
        if (before.isEmpty()) return Optional.empty();
        ServerMetrics.Scrape after = scrape(target);
        return after.isEmpty() ? Optional.empty() : Optional.of(ServerMetrics.delta(before, after));
    }

    private ServerMetrics.Scrape scrape(Target target) {
        ServerMetrics.Scrape s = ServerMetrics.scrape(target);
        String name = target.name();
        if (!s.isEmpty()) {
            answeredOnce.add(name);
            emptyInARow.remove(name);
            return s;
        }
        boolean pointless = !answeredOnce.contains(name) || s.unanswered() || emptyInARow.merge(name, 1, Integer::sum) >= 2;
        if (pointless && givenUp.add(name) && answeredOnce.contains(name)) {
            log.info("target {}: /metrics is no longer read ({}); later steps have no server counters", name,
                    s.unanswered() ? "it did not answer" : "two scrapes in a row came back empty");
        }
        return s;
    }
}
