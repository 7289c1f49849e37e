package io.tokensiege.simulator.tools;

/**
 * A request's {@code tool_choice}: {@code "auto"} (the default), {@code "none"}, {@code "required"}, or one
 * named function ({@code {"type":"function","function":{"name":...}}}).
 *
 * @param function the named function, or null unless {@code mode} is {@link Mode#NAMED}
 */
public record ToolChoice(Mode mode, String function) {
    public enum Mode { AUTO, NONE, REQUIRED, NAMED }

    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);

    /** Whether the model must call a function (it may not answer in plain content). */
    public boolean forcesCall() {
        return mode == Mode.REQUIRED || mode == Mode.NAMED;
    }
}
