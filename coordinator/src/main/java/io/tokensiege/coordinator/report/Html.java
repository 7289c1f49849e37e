package io.tokensiege.coordinator.report;

/**
 * What every page tokensiege writes shares: the head (UTF-8, a title, inline style only) and the
 * escaping of every text that comes from a run. Pages are well-formed XML, so a test can parse them.
 */
public final class Html {
    /** Type, headings and tables; each page appends its own rules. */
    public static final String BASE_STYLE = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}"
            + "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}"
            + "table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{border:1px solid #ccc;padding:.25em .6em}th{background:#f3f3f3}";

    private Html() {}

    /** The document up to and including the {@code <h1>}; {@code extraHead} goes inside {@code <head>} (e.g. a refresh). */
    public static StringBuilder page(String title, String style, String extraHead) {
        return new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>").append(extraHead)
                .append("<title>").append(escape(title)).append("</title><style>").append(BASE_STYLE).append(style)
                .append("</style></head><body>\n<h1>").append(escape(title)).append("</h1>\n");
    }

    /** Text and attribute values: the five characters XML gives meaning to; control characters become spaces. */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') sb.append(' '); // control characters are not allowed in XML
                    else sb.append(c);
                }
            }
        }
        return sb.toString();
    }
}
