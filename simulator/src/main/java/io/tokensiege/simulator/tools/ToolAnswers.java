package io.tokensiege.simulator.tools;

import io.tokensiege.simulator.engine.TextGenerator;
import io.tokensiege.simulator.engine.ToolSpec;
import io.tokensiege.simulator.profile.ToolConfig;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decides whether a request is answered with a tool call, and which, from a hash of its prompt and the
 * profile seed: the same request always gets the same answer, so a test can know it by sending it twice.
 *
 * <p>A call is made only by a {@code native} server, when the request offers tools, its {@code tool_choice}
 * is not "none" and its last message is not a tool result (after a tool result the model answers in
 * content). Then "required" and a named function always call; "auto" calls with probability
 * {@code call_share}. The function is the named one, else one of the request's tools chosen by the same hash.
 */
public final class ToolAnswers {
    private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final int ID_LENGTH = 24;

    private final ToolConfig config;
    private final long seed;
    private final double charsPerToken;

    public ToolAnswers(ToolConfig config, long seed, double charsPerToken) {
        this.config = config;
        this.seed = seed;
        this.charsPerToken = charsPerToken;
    }

    /** The call answering this request, or null when it is answered in content. */
    public PlannedCall plan(String promptText, List<ToolSpec> tools, ToolChoice choice, boolean answersToolResult) {
        if (config.support() != ToolConfig.Support.NATIVE || tools.isEmpty() || choice.mode() == ToolChoice.Mode.NONE || answersToolResult) return null;
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ TextGenerator.keyOf(promptText));
        boolean calls = random.nextDouble() < config.callShare(); // drawn even when forced, so forcing never shifts the other draws
        if (!calls && !choice.forcesCall()) return null;
        int pick = random.nextInt(tools.size());
        ToolSpec tool = choice.mode() == ToolChoice.Mode.NAMED
                ? tools.stream().filter(t -> t.name().equals(choice.function())).findFirst().orElseThrow()
                : tools.get(pick);
        boolean malformed = random.nextDouble() < config.malformedShare();
        StringBuilder id = new StringBuilder("call_");
        for (int i = 0; i < ID_LENGTH; i++) id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
        String arguments = ArgumentWriter.write(tool, config.argumentTokens(), charsPerToken, random, malformed);
        return new PlannedCall(id.toString(), tool.name(), arguments, ArgumentWriter.split(arguments, config.argumentTokens()), malformed);
    }
}
