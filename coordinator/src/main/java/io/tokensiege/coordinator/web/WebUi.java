package io.tokensiege.coordinator.web;

import static io.tokensiege.coordinator.report.Html.escape;

/**
 * What every coordinator page shares: the head, which loads the page's own styles and script and the chart library
 * from {@code /assets/} (never from another site), and the sign-in page that a coordinator off loopback shows first.
 */
final class WebUi {
    private WebUi() {}

    /** The document up to the start of {@code <main>}; {@code scripts}: whether the page loads the chart library and live.js. */
    static StringBuilder head(String title, boolean scripts) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>").append(escape(title)).append("</title>")
                .append("<link rel=\"stylesheet\" href=\"/assets/live.css\"/>");
        if (scripts) {
            sb.append("<link rel=\"stylesheet\" href=\"/assets/uPlot.min.css\"/>")
                    .append("<script src=\"/assets/uPlot.iife.min.js\" defer=\"defer\"></script><script src=\"/assets/live.js\" defer=\"defer\"></script>");
        }
        return sb.append("</head><body>\n<header><h1>tokensiege</h1><span class=\"muted\">coordinator</span></header>\n<main>\n");
    }

    static String login(String problem) {
        StringBuilder sb = head("tokensiege: sign in", false).append("<section class=\"card\"><h2>Sign in</h2>");
        if (problem != null) sb.append("<p class=\"error\">").append(escape(problem)).append("</p>");
        return sb.append("<p>This coordinator is reachable from the network, so its pages need the cluster token.</p>")
                .append("<form method=\"post\" action=\"/login\"><input type=\"password\" name=\"token\" autocomplete=\"current-password\"/> ")
                .append("<button type=\"submit\">Sign in</button></form></section></main></body></html>\n").toString();
    }

    static String notFound(String what) {
        return head("tokensiege: not found", false).append("<section class=\"card\"><p>").append(escape(what))
                .append(" <a href=\"/\">All runs</a></p></section></main></body></html>\n").toString();
    }
}
