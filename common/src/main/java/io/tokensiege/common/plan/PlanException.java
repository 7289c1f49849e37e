package io.tokensiege.common.plan;

import java.util.List;
import java.util.stream.Collectors;

/** A plan that failed validation, with every error found (not just the first). */
public final class PlanException extends Exception {
    /** Errors printed in the message; a plan of 20,000 wrong values should not print 20,000 lines. */
    private static final int MAX_SHOWN = 50;

    private final List<PlanError> errors;

    public PlanException(List<PlanError> errors) {
        super(message(errors));
        this.errors = List.copyOf(errors);
    }

    public List<PlanError> errors() {
        return errors;
    }

    private static String message(List<PlanError> errors) {
        String shown = errors.stream().limit(MAX_SHOWN).map(e -> "  " + e).collect(Collectors.joining("\n"));
        String more = errors.size() > MAX_SHOWN ? "\n  ... and " + (errors.size() - MAX_SHOWN) + " more" : "";
        return errors.size() + " error(s) in plan:\n" + shown + more;
    }
}
