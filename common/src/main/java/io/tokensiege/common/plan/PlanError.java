package io.tokensiege.common.plan;

/**
 * One mistake in a plan: where (file, line, column, field path; or, for a plan built from command-line
 * options, the option that gave the value), what, and what to do.
 */
public record PlanError(String file, int line, int column, String path, String message, String hint, String option) {
    public PlanError(String file, int line, int column, String path, String message, String hint) {
        this(file, line, column, path, message, hint, null);
    }

    PlanError withOption(String newOption) {
        return new PlanError(file, line, column, path, message, hint, newOption);
    }

    @Override
    public String toString() {
        String where = option != null ? option
                : (line > 0 ? file + ":" + line + ":" + column : file) + (path.isEmpty() ? "" : " (" + path + ")");
        return where + ": " + message + (hint == null ? "" : "\n    hint: " + hint);
    }
}
