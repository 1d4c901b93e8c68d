package io.xdpgate.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A throw-away network namespace "xgnl<random>" driven with iproute2; close() deletes it and all in it. */
final class TestNamespace implements AutoCloseable {
    final String name;

    TestNamespace() throws IOException, InterruptedException {
        this("xgnl");
    }

    /** A namespace named {@code prefix} followed by random hex digits. */
    TestNamespace(String prefix) throws IOException, InterruptedException {
        name = prefix + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24) | (1 << 24));
        exec(List.of("ip", "netns", "add", name));
    }

    /** Runs {@code ip -n NAME args...}; fails with ip's stderr on a non-zero exit. Returns stdout. */
    String ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return exec(command);
    }

    /** Feeds {@code lines} to {@code ip -n NAME -batch}. */
    void batch(List<String> lines) throws IOException, InterruptedException {
        Path file = Files.createTempFile("xgnl-batch", ".txt");
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
            ip("-batch", file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(command + " exited " + p.exitValue() + ": " + text);
        }
        return text;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        exec(List.of("ip", "netns", "del", name));
    }
}
