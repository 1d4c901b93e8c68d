package io.xdpgate.cachemanager;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A throw-away network namespace "xgcm<random>" driven with iproute2; close() deletes it and all in it. */
final class XgNamespace implements AutoCloseable {
    final String name = "xgcm" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24) | (1 << 24));

    XgNamespace() throws IOException, InterruptedException {
        exec(List.of("ip", "netns", "add", name));
    }

    /** Runs {@code ip -n NAME args...}; fails with ip's output on a non-zero exit. Returns stdout. */
    String ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return exec(command);
    }

    /** Feeds {@code lines} to {@code ip -n NAME -batch}. */
    void batch(List<String> lines) throws IOException, InterruptedException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("xgcm-batch", ".txt");
        try {
            java.nio.file.Files.write(file, lines, StandardCharsets.UTF_8);
            ip("-batch", file.toString());
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /** The ifindex of {@code device} in this namespace. */
    int ifindex(String device) throws IOException, InterruptedException {
        String line = ip("-o", "link", "show", "dev", device);
        return Integer.parseInt(line.substring(0, line.indexOf(':')).trim());
    }

    private static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new IOException(command + " exited " + p.exitValue() + ": " + text);
        return text;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        exec(List.of("ip", "netns", "del", name));
    }
}
