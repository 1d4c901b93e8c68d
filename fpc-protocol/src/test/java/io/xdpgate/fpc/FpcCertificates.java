package io.xdpgate.fpc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates made with the openssl command at test time (EC P-256, PEM, keys in PKCS#8):
 * a CA, a server and a client certificate it signs, and a second, untrusted CA with a client and a
 * server certificate of its own.
 */
final class FpcCertificates {
    final Path dir;
    final Path ca;
    final Path serverCert;
    final Path serverKey;
    final Path clientCert;
    final Path clientKey;
    final Path rogueCa;
    final Path rogueClientCert;
    final Path rogueClientKey;
    final Path rogueServerCert;
    final Path rogueServerKey;

    private FpcCertificates(Path dir) {
        this.dir = dir;
        ca = dir.resolve("ca.pem");
        serverCert = dir.resolve("server.pem");
        serverKey = dir.resolve("server.key");
        clientCert = dir.resolve("client.pem");
        clientKey = dir.resolve("client.key");
        rogueCa = dir.resolve("rogue-ca.pem");
        rogueClientCert = dir.resolve("rogue-client.pem");
        rogueClientKey = dir.resolve("rogue-client.key");
        rogueServerCert = dir.resolve("rogue-server.pem");
        rogueServerKey = dir.resolve("rogue-server.key");
    }

    static FpcCertificates create(Path dir) throws Exception {
        FpcCertificates c = new FpcCertificates(dir);
        c.makeCa("ca", "xdpgate test FPC CA");
        c.makeCa("rogue-ca", "untrusted test CA");
        Path serverExt = dir.resolve("server.ext");
        Files.writeString(serverExt, "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n"
                + "extendedKeyUsage=serverAuth\n", StandardCharsets.US_ASCII);
        Path clientExt = dir.resolve("client.ext");
        Files.writeString(clientExt, "extendedKeyUsage=clientAuth\n", StandardCharsets.US_ASCII);
        c.makeLeaf("server", "fastpath-manager", "ca", serverExt);
        c.makeLeaf("client", "cache-manager", "ca", clientExt);
        c.makeLeaf("rogue-client", "cache-manager", "rogue-ca", clientExt);
        c.makeLeaf("rogue-server", "fastpath-manager", "rogue-ca", serverExt);
        return c;
    }

    private void makeCa(String name, String cn) throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + cn);
    }

    private void makeLeaf(String name, String cn, String ca, Path ext) throws Exception {
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", ext.getFileName().toString());
    }

    private void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }
}
