package io.tokensiege.common.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in catalog of ten agent tools (a Slack operations agent's: search docs, open a ticket, query metrics,
 * ...), as OpenAI function schemas. Sent as {@code tools} when a scenario says {@code tools: builtin}; the same
 * names appear in the agent prefix's tool section.
 */
public final class ToolCatalog {
    public static final String BUILTIN = "builtin";
    static final String[][] TOOLS = {
            {"search_docs", "Search the team's documentation and runbooks", "query"},
            {"create_ticket", "Open a ticket in the issue tracker", "title"},
            {"post_message", "Post a message to a Slack channel", "text"},
            {"read_channel", "Read the latest messages of a Slack channel", "channel"},
            {"lookup_user", "Find a colleague by name or handle", "name"},
            {"query_metrics", "Query a metric over a time range", "query"},
            {"run_sql", "Run a read-only SQL query on the analytics warehouse", "sql"},
            {"fetch_url", "Fetch a web page and return its text", "url"},
            {"schedule_meeting", "Schedule a meeting with some colleagues", "topic"},
            {"summarise_thread", "Summarise a Slack thread", "thread"}};

    private ToolCatalog() {}

    /** The ten schemas, each a fresh mutable copy (plans may serialise them). */
    public static List<Map<String, Object>> builtin() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String[] t : TOOLS) {
            Map<String, Object> param = new LinkedHashMap<>();
            param.put("type", "string");
            param.put("description", "what to " + t[0].replace('_', ' ').split(" ")[0]);
            Map<String, Object> limit = new LinkedHashMap<>(Map.of("type", "integer", "description", "at most this many results"));
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put(t[2], param);
            properties.put("limit", limit);
            Map<String, Object> parameters = new LinkedHashMap<>();
            parameters.put("type", "object");
            parameters.put("properties", properties);
            parameters.put("required", List.of(t[2]));
            Map<String, Object> function = new LinkedHashMap<>();
            function.put("name", t[0]);
            function.put("description", t[1]);
            function.put("parameters", parameters);
            Map<String, Object> tool = new LinkedHashMap<>();
            tool.put("type", "function");
            tool.put("function", function);
            out.add(tool);
        }
        return out;
    }
}
