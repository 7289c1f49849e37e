package io.tokensiege.coordinator.report;

/** The ids report.html links to (a card, a sweep's charts, a flag's explanation): stable, and safe in an id whatever a name holds. */
final class Anchors {
    private Anchors() {}

    static String card(String target) {
        return "card-" + safe(target);
    }

    static String sweep(String target, String scenario) {
        return "sweep-" + safe(target) + "-" + safe(scenario);
    }

    static String flag(String code) {
        return "flag-" + safe(code);
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9_.-]", "-");
    }
}
