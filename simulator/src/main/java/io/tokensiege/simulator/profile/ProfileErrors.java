package io.tokensiege.simulator.profile;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.tokensiege.common.plan.Typos;
import java.util.List;
import java.util.stream.Collectors;

/** A profile that does not bind, said in the plan's words (dotted field paths), not Jackson's (class names, creators). */
final class ProfileErrors {
    private ProfileErrors() {}

    static String describe(JsonMappingException e) {
        String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = u.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            String parent = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : null;
            String near = Typos.valueHint(path, known.stream().map(k -> parent == null ? k : parent + "." + k).toList());
            return "'" + path + "' is not a profile field" + (near == null ? "" : "; " + near) + " (fields of " + (parent == null ? "a profile" : parent)
                    + ": " + String.join(", ", known) + ")";
        }
        if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            String why = v.getCause().getMessage();
            return path.isEmpty() || why.startsWith(path) ? why : path + ": " + why;
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "'" + path + "' must be " + expected(m.getTargetType()) + (e instanceof InvalidFormatException f ? ", not '" + f.getValue() + "'" : "");
        }
        String m = e.getOriginalMessage();
        return (path.isEmpty() ? "" : path + ": ") + (m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m));
    }

    private static String expected(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) return "a whole number";
        if (type == double.class || type == Double.class || type == float.class) return "a number";
        if (type == boolean.class || type == Boolean.class) return "true or false";
        if (type == String.class) return "text";
        if (type.isEnum()) return "one of " + List.of(type.getEnumConstants()).stream().map(c -> c.toString().toLowerCase(java.util.Locale.ROOT)).toList();
        if (List.class.isAssignableFrom(type)) return "a list";
        return "a group of fields (set one inside it with a dotted name)";
    }
}
