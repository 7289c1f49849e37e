package io.tokensiege.common.trace;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated trace: its records in file order (their times never go backwards), read from {@code source} (a file or
 * {@code builtin:NAME}).
 *
 * @param timed whether any record gave a timestamp or a delay (a trace without times can only replay as fast as
 *              possible)
 */
public record Trace(String source, List<TraceRecord> records, boolean timed) {
    public Trace {
        records = List.copyOf(records);
    }

    /** The time of the last record: how long the trace lasts at its own pace. */
    @JsonIgnore
    public long spanMicros() {
        return records.isEmpty() ? 0 : records.get(records.size() - 1).atMicros();
    }

    /**
     * The units that are handed out whole: each session (its turns in order), and each standalone request, in the
     * order their first record appears. A unit never splits across workers or streams.
     */
    @JsonIgnore
    public List<List<TraceRecord>> units() {
        return units(records);
    }

    public static List<List<TraceRecord>> units(List<TraceRecord> records) {
        Map<String, List<TraceRecord>> sessions = new LinkedHashMap<>();
        List<List<TraceRecord>> out = new ArrayList<>();
        for (TraceRecord r : records) {
            if (r.session() == null) {
                out.add(List.of(r));
                continue;
            }
            List<TraceRecord> turns = sessions.get(r.session());
            if (turns == null) {
                turns = new ArrayList<>();
                sessions.put(r.session(), turns);
                out.add(turns);
            }
            turns.add(r);
        }
        return out;
    }

    /** The scenario groups named by the records, in first-seen order. */
    @JsonIgnore
    public Set<String> groups() {
        Set<String> out = new LinkedHashSet<>();
        for (TraceRecord r : records) if (r.scenario() != null) out.add(r.scenario());
        return out;
    }

    @JsonIgnore
    public long sessionCount() {
        return records.stream().map(TraceRecord::session).filter(s -> s != null).distinct().count();
    }
}
