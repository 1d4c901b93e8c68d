package io.xdpgate.daemon;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A daemon's YAML configuration file: a mapping from option names (the long command-line options
 * without "--") to values. It becomes the equivalent command-line arguments, which the daemon puts
 * before its real ones, so that the command line overrides the file and one parser checks both.
 * Each key is checked on its own, so that an error names the file, the key and what was expected.
 */
public final class YamlConfig {

    /** A file larger than this is refused unread: a configuration is a few lines. */
    static final long MAX_BYTES = 1 << 20;

    /** How one key of the file becomes command-line arguments. */
    public sealed interface Key {
        String name();
    }

    /**
     * A scalar value: {@code --option VALUE}. A YAML boolean false (also written no or off)
     * stands for {@code whenFalse}, when there is one: "metrics: off" means "--metrics off".
     */
    public record Value(String name, String option, String whenFalse) implements Key {
        public Value(String name, String option) {
            this(name, option, null);
        }
    }

    /** A boolean: {@code whenTrue} or {@code whenFalse} (either may be null: no argument). */
    public record Switch(String name, String whenTrue, String whenFalse) implements Key {}

    /** A list of scalars (or one scalar): {@code --option A,B,C}. */
    public record ListOf(String name, String option) implements Key {}

    /** Built on first use: a daemon started without a configuration file does not pay for it. */
    private static final class Yaml {
        static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    private YamlConfig() {}

    /**
     * The arguments {@code file} stands for. {@code check} parses the arguments of one key the way the
     * daemon parses its command line, and throws IllegalArgumentException when they are wrong.
     *
     * @throws IllegalArgumentException naming the file, and the key when one is wrong
     */
    public static List<String> arguments(Path file, List<Key> keys, Consumer<List<String>> check) {
        JsonNode root = read(file);
        List<String> all = new ArrayList<>();
        if (root == null || root.isNull() || root.isMissingNode()) return all; // an empty file: every default
        if (!root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a mapping of option names to values, found " + kind(root));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Key key = find(keys, field.getKey());
            if (key == null) {
                throw new IllegalArgumentException(file + ": unknown key '" + field.getKey() + "' (known keys: "
                        + String.join(", ", keys.stream().map(Key::name).toList()) + ")");
            }
            List<String> args = argumentsOf(file, key, field.getValue());
            try {
                check.accept(args);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": key '" + key.name() + "': " + e.getMessage(), e);
            }
            all.addAll(args);
        }
        return all;
    }

    /**
     * A daemon's whole command line: {@code args} without {@code --config FILE}, after the arguments
     * FILE stands for (see {@link #arguments}); {@code args} itself when there is no {@code --config}.
     */
    public static String[] commandLine(String[] args, List<Key> keys, Consumer<List<String>> check) {
        List<String> command = new ArrayList<>(List.of(args));
        int config = command.indexOf("--config");
        if (config < 0) return args;
        if (config + 1 >= command.size()) throw new IllegalArgumentException("--config needs a value (see --help)");
        Path file = Path.of(command.get(config + 1));
        command.subList(config, config + 2).clear();
        if (command.contains("--config")) throw new IllegalArgumentException("--config may be given once");
        List<String> all = new ArrayList<>(arguments(file, keys, check));
        all.addAll(command);
        return all.toArray(new String[0]);
    }

    private static JsonNode read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) throw new IllegalArgumentException(file + ": " + size + " bytes, a configuration file has at most " + MAX_BYTES);
            return Yaml.MAPPER.readTree(file.toFile());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Key find(List<Key> keys, String name) {
        for (Key k : keys) {
            if (k.name().equals(name)) return k;
        }
        return null;
    }

    private static List<String> argumentsOf(Path file, Key key, JsonNode value) {
        String where = file + ": key '" + key.name() + "': ";
        if (key instanceof Value v) {
            if (!value.isValueNode() || value.isNull()) throw new IllegalArgumentException(where + "expected a single value, found " + kind(value));
            if (value.isBoolean() && !value.asBoolean() && v.whenFalse() != null) return List.of(v.option(), v.whenFalse());
            return List.of(v.option(), value.asText());
        }
        if (key instanceof Switch s) {
            if (!value.isBoolean()) throw new IllegalArgumentException(where + "expected true or false, found " + kind(value));
            String option = value.asBoolean() ? s.whenTrue() : s.whenFalse();
            return option == null ? List.of() : List.of(option);
        }
        ListOf l = (ListOf) key;
        List<String> items = new ArrayList<>();
        if (value.isArray()) {
            for (JsonNode item : value) {
                if (!item.isValueNode() || item.isNull()) throw new IllegalArgumentException(where + "expected a list of values, found an item that is " + kind(item));
                items.add(item.asText());
            }
        } else if (value.isValueNode() && !value.isNull()) {
            items.add(value.asText());
        } else {
            throw new IllegalArgumentException(where + "expected a list of values, found " + kind(value));
        }
        return items.isEmpty() ? List.of() : List.of(l.option(), String.join(",", items));
    }

    private static String kind(JsonNode n) {
        if (n.isObject()) return "a mapping";
        if (n.isArray()) return "a list";
        if (n.isNull()) return "nothing (null)";
        if (n.isBoolean()) return "the boolean " + n.asText();
        if (n.isNumber()) return "the number " + n.asText();
        return "'" + n.asText() + "'";
    }
}
