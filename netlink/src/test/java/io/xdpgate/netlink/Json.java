package io.xdpgate.netlink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Just enough JSON for reading `ip -j` output in tests: objects, arrays, strings, numbers, true/false/null. */
final class Json {
    private final String s;
    private int at;

    private Json(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        Json j = new Json(text);
        Object v = j.value();
        j.space();
        if (j.at != text.length()) {
            throw j.error("trailing characters");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> array(String text) {
        return (List<Map<String, Object>>) parse(text.isBlank() ? "[]" : text);
    }

    private Object value() {
        space();
        if (at >= s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(at);
        switch (c) {
            case '{': {
                at++;
                Map<String, Object> m = new LinkedHashMap<>();
                space();
                if (s.charAt(at) == '}') {
                    at++;
                    return m;
                }
                while (true) {
                    space();
                    String key = string();
                    space();
                    expect(':');
                    m.put(key, value());
                    space();
                    if (s.charAt(at) == ',') {
                        at++;
                    } else {
                        expect('}');
                        return m;
                    }
                }
            }
            case '[': {
                at++;
                List<Object> l = new ArrayList<>();
                space();
                if (s.charAt(at) == ']') {
                    at++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    space();
                    if (s.charAt(at) == ',') {
                        at++;
                    } else {
                        expect(']');
                        return l;
                    }
                }
            }
            case '"':
                return string();
            default:
                if (s.startsWith("true", at)) {
                    at += 4;
                    return Boolean.TRUE;
                }
                if (s.startsWith("false", at)) {
                    at += 5;
                    return Boolean.FALSE;
                }
                if (s.startsWith("null", at)) {
                    at += 4;
                    return null;
                }
                int start = at;
                while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) {
                    at++;
                }
                if (start == at) {
                    throw error("unexpected '" + c + "'");
                }
                String n = s.substring(start, at);
                return n.contains(".") || n.contains("e") || n.contains("E") ? (Object) Double.parseDouble(n)
                        : (Object) Long.parseLong(n);
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (s.charAt(at) != '"') {
            char c = s.charAt(at++);
            if (c == '\\') {
                char e = s.charAt(at++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
            }
        }
        at++;
        return b.toString();
    }

    private void expect(char c) {
        if (at >= s.length() || s.charAt(at) != c) {
            throw error("expected '" + c + "'");
        }
        at++;
    }

    private void space() {
        while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
            at++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("JSON at " + at + ": " + what);
    }
}
