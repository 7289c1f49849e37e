package io.tokensiege.common.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

/** Test helpers: the errors a plan text gets, and the one error it gets. */
final class PlanErrors {
    private PlanErrors() {}

    static List<PlanError> of(String yaml) {
        PlanException e = catchThrowableOfType(PlanException.class, () -> PlanReader.parse(yaml, "plan.yaml"));
        assertThat(e).as("the plan should have been refused").isNotNull();
        return e.errors();
    }

    static PlanError single(String yaml) {
        return single(yaml, PlanOptions.DEFAULT);
    }

    static PlanError single(String yaml, PlanOptions options) {
        PlanException e = catchThrowableOfType(PlanException.class, () -> PlanReader.parse(yaml, "plan.yaml", options));
        assertThat(e).as("the plan should have been refused").isNotNull();
        List<PlanError> errors = e.errors();
        assertThat(errors).as("errors: %s", errors).hasSize(1);
        return errors.get(0);
    }

    /** Asserts where an error stands and that its printed form says so; returns it for message checks. */
    static PlanError at(PlanError e, int line, int column, String path) {
        assertThat(e.line()).as("line of %s", e).isEqualTo(line);
        assertThat(e.column()).as("column of %s", e).isEqualTo(column);
        assertThat(e.path()).isEqualTo(path);
        assertThat(e.toString()).startsWith("plan.yaml:" + line + ":" + column + (path.isEmpty() ? ":" : " (" + path + "):"));
        return e;
    }
}
