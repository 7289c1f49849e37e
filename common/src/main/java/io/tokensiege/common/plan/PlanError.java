package io.tokensiege.common.plan;

/** One mistake in a plan: where (file, line, column, field path), what, and what to do. */
public record PlanError(String file, int line, int column, String path, String message, String hint) {
    @Override
    public String toString() {
        String where = file + ":" + line + ":" + column + (path.isEmpty() ? "" : " (" + path + ")");
        return where + ": " + message + (hint == null ? "" : "\n    hint: " + hint);
    }
}
