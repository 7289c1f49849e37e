package io.tokensiege.simulator.engine;

/**
 * A function call in an assistant message: one of {@code tool_calls} sent back in a conversation's
 * history, or the one the simulator answers with.
 *
 * @param arguments the arguments as the JSON text the model wrote (not necessarily valid JSON)
 */
public record ToolCall(String id, String name, String arguments) {}
