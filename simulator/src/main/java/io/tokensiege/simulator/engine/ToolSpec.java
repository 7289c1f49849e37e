package io.tokensiege.simulator.engine;

import java.util.List;

/**
 * One function a request offers the model ({@code tools[i]} of an OpenAI request).
 *
 * @param name   the function's name
 * @param json   the tool object as sent, as compact JSON: what a chat template renders into the prompt
 * @param params the top-level properties of its {@code parameters} schema, in order (empty when it has none)
 */
public record ToolSpec(String name, String json, List<Param> params) {

    /** A top-level parameter: its name and JSON-schema {@code type} ({@code string} when the schema names none). */
    public record Param(String name, String type) {}
}
