package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.simulator.engine.ToolSpec;
import io.tokensiege.simulator.tools.ToolChoice;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Validates a request's {@code tools} (OpenAI function schemas) and {@code tool_choice}, naming the field at fault. */
final class ToolsParser {
    /** OpenAI's rule for function names. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    private ToolsParser() {}

    static List<ToolSpec> tools(JsonNode tools) throws ChatRequest.BadRequest {
        if (tools == null || tools.isNull()) return List.of();
        if (!tools.isArray()) throw bad("'tools' must be an array of {\"type\": \"function\", \"function\": {...}} objects.", "tools");
        if (tools.isEmpty()) throw bad("'tools' must not be empty; leave it out when no tool is offered.", "tools");
        List<ToolSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String at = "tools[" + i + "]";
            if (!t.isObject()) throw bad(at + " must be an object.", at);
            if (!"function".equals(t.path("type").asText(null))) throw bad(at + ".type must be 'function'.", at + ".type");
            JsonNode function = t.get("function");
            if (function == null || !function.isObject()) throw bad(at + ".function must be an object with a 'name'.", at + ".function");
            JsonNode name = function.get("name");
            if (name == null || !name.isTextual() || !NAME.matcher(name.asText()).matches()) {
                throw bad(at + ".function.name must be 1 to 64 letters, digits, '_' or '-'.", at + ".function.name");
            }
            if (!names.add(name.asText())) throw bad(at + ".function.name '" + name.asText() + "' is offered twice.", at + ".function.name");
            JsonNode description = function.get("description");
            if (description != null && !description.isNull() && !description.isTextual()) {
                throw bad(at + ".function.description must be a string.", at + ".function.description");
            }
            JsonNode parameters = function.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                throw bad(at + ".function.parameters must be a JSON schema object.", at + ".function.parameters");
            }
            out.add(new ToolSpec(name.asText(), t.toString(), params(parameters)));
        }
        return out;
    }

    static ToolChoice choice(JsonNode choice, List<ToolSpec> tools) throws ChatRequest.BadRequest {
        if (choice == null || choice.isNull()) return ToolChoice.AUTO;
        ToolChoice parsed;
        if (choice.isTextual()) {
            parsed = switch (choice.asText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> new ToolChoice(ToolChoice.Mode.NONE, null);
                case "required" -> new ToolChoice(ToolChoice.Mode.REQUIRED, null);
                default -> throw bad("'tool_choice' must be \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}, not \""
                        + choice.asText() + "\".", "tool_choice");
            };
        } else {
            JsonNode name = choice.path("function").get("name");
            if (!"function".equals(choice.path("type").asText(null)) || name == null || !name.isTextual()) {
                throw bad("'tool_choice' must be \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}.", "tool_choice");
            }
            parsed = new ToolChoice(ToolChoice.Mode.NAMED, name.asText());
        }
        if (parsed.forcesCall() && tools.isEmpty()) throw bad("'tool_choice' " + describe(parsed) + " needs 'tools'.", "tool_choice");
        if (parsed.mode() == ToolChoice.Mode.NAMED && tools.stream().noneMatch(t -> t.name().equals(parsed.function()))) {
            throw bad("'tool_choice' names function '" + parsed.function() + "', which is not among 'tools'.", "tool_choice");
        }
        return parsed;
    }

    private static String describe(ToolChoice c) {
        return c.mode() == ToolChoice.Mode.NAMED ? "naming '" + c.function() + "'" : "\"required\"";
    }

    private static List<ToolSpec.Param> params(JsonNode parameters) {
        List<ToolSpec.Param> out = new ArrayList<>();
        if (parameters == null || !parameters.path("properties").isObject()) return out;
        for (Iterator<Map.Entry<String, JsonNode>> it = parameters.get("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            JsonNode type = p.getValue().path("type");
            String t = type.isTextual() ? type.asText() : type.isArray() && !type.isEmpty() ? type.get(0).asText("string") : "string";
            out.add(new ToolSpec.Param(p.getKey(), t));
        }
        return out;
    }

    private static ChatRequest.BadRequest bad(String message, String param) {
        return new ChatRequest.BadRequest(message, param);
    }
}
