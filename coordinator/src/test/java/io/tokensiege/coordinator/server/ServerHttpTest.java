package io.tokensiege.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.plan.Target;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The coordinator's questions to a target end on time, whatever the target does: says nothing, trickles, or is not there. */
class ServerHttpTest {
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        if (server != null) server.close();
    }

    /** Accepts every connection; for each, reads the request and then runs {@code answer} on the socket. */
    private Target serve(SocketAction answer) throws IOException {
        server = new ServerSocket(0);
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> {
                        try (s) {
                            InputStream in = s.getInputStream();
                            byte[] buf = new byte[8192];
                            int n = in.read(buf); // the request line and headers arrive in one read on loopback
                            String head = n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII) : "";
                            requestLines.add(head.lines().findFirst().orElse(""));
                            requestHeads.add(head);
                            answer.run(s);
                        } catch (IOException | InterruptedException ignored) {
                            // the client gave up: that is what is tested
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return new Target("t", "http://127.0.0.1:" + server.getLocalPort() + "/v1", "m", null, Map.of(), Map.of(), null);
    }

    interface SocketAction {
        void run(Socket s) throws IOException, InterruptedException;
    }

    /** The first request line read on each connection, in order. */
    private final java.util.List<String> requestLines = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<String> requestHeads = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    @Timeout(60)
    void aServerSilentToOneSideQuestion_isNotAskedTheRest() throws Exception {
        Target t = serve(s -> {
            if (requestLines.get(requestLines.size() - 1).startsWith("GET /v1/models")) {
                byte[] body = "{\"data\":[]}".getBytes(StandardCharsets.UTF_8);
                s.getOutputStream().write(("HTTP/1.1 200 OK\r\ncontent-length: " + body.length + "\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(body);
                s.getOutputStream().flush();
            } else {
                s.getInputStream().read(); // silent
            }
        });
        Map<String, Object> provenance = ServerProvenance.read(t);
        assertThat(provenance.get("llama_cpp_props").toString()).contains("no complete answer within 5 s");
        assertThat(provenance.get("vllm_metrics_config")).isEqualTo("not asked: the server was silent to /props");
        assertThat(requestLines).extracting(l -> l.split(" ")[1]).containsExactly("/v1/models", "/props");
    }

    @Test
    void controlCharactersInAnAnswersTexts_areKeptVisible_whetherRawOrEscapedInTheJson() {
        String json = "{\"chat_template\":\"{{ x }}\\u001b[2J\u202Eevil\\ntwo lines\",\"total_slots\":4}";
        var tree = (com.fasterxml.jackson.databind.JsonNode) ServerProvenance.shown(new ServerHttp.Reply(200, json));
        assertThat(tree.get("chat_template").asText()).isEqualTo("{{ x }}\\u001B[2J\\u202Eevil\ntwo lines");
        assertThat(tree.get("total_slots").asInt()).isEqualTo(4);
    }

    @Test
    void aModelListTooLongToKeep_keepsTheTargetsEntry_soItsContextWindowIsStillRead() {
        StringBuilder models = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < 3_000; i++) models.append("{\"id\":\"vendor/model-").append(i).append("\",\"description\":\"").append("d".repeat(100)).append("\"},");
        models.append("{\"id\":\"mine\",\"max_model_len\":32768}]}");
        Object kept = ServerProvenance.shownModels(new ServerHttp.Reply(200, models.toString()), "mine");
        assertThat(models.length()).isGreaterThan(ServerProvenance.MAX_JSON_CHARS);
        assertThat(ContextWindow.of("mine", java.util.Map.of("models", kept))).hasValueSatisfying(w -> assertThat(w.tokens()).isEqualTo(32_768));
        assertThat(kept.toString()).contains("\"listed\":3001").hasSizeLessThan(1_000);
    }

    @Test
    void anOversizedAnswer_isKeptAsCutText_neverAsATree() {
        String tiny = "[" + "[],".repeat(ServerProvenance.MAX_JSON_CHARS / 3) + "[]]"; // valid JSON, hundreds of thousands of nodes
        Object shown = ServerProvenance.shown(new ServerHttp.Reply(200, tiny));
        assertThat(shown).isInstanceOf(String.class);
        assertThat((String) shown).hasSizeLessThan(4200).contains("(cut: " + tiny.length() + " characters");
        assertThat(ServerProvenance.shown(new ServerHttp.Reply(200, "{\"total_slots\":4}"))).isInstanceOf(com.fasterxml.jackson.databind.JsonNode.class);
    }

    @Test
    @Timeout(30)
    void aServerThatEchoesTheKey_hasItRedacted_beforeProvenanceKeepsIt() throws Exception {
        String key = "sk-provenance-echo-0123456789";
        Target target = serve(s -> {
            StringBuilder escaped = new StringBuilder(); // the key as JSON escapes: only a parser sees it
            for (char c : key.toCharArray()) escaped.append(String.format("\\u%04x", (int) c));
            byte[] body = ("{\"data\":[{\"id\":\"m\",\"owned_by\":\"" + escaped + "\"}],\"echo\":{\"authorization\":\"Bearer " + key + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + body.length + "\r\nconnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        });
        ServerHttp.Reply models = new ServerHttp(target, key).getBase("/models");
        assertThat(models.ok()).isTrue();
        assertThat(models.body()).doesNotContain(key).contains("Bearer [REDACTED]");
        assertThat(ServerProvenance.shown(models).toString()).doesNotContain(key).contains("\"id\":\"m\"");
    }

    @Test
    @Timeout(30)
    void theKey_goesInTheHeaderTheTargetNames_asItIs_orAsBearer_andAnUnsendableKeyNotAtAll() throws Exception {
        String key = "gw-key-0123456789abcdef";
        Target bearer = serve(ServerHttpTest::answerModels);
        Target apim = new Target("t", bearer.url(), "m", "GW_KEY", "Ocp-Apim-Subscription-Key", Map.of(), Map.of(), null);
        assertThat(new ServerHttp(bearer, key).getBase("/models").ok()).isTrue();
        assertThat(new ServerHttp(apim, key).getBase("/models").ok()).isTrue();
        assertThat(new ServerHttp(apim, key + "\r\nx-injected: 1").getBase("/models").ok()).isTrue();
        assertThat(requestHeads).hasSize(3);
        assertThat(requestHeads.get(0).toLowerCase()).contains("authorization: bearer " + key + "\r\n");
        assertThat(requestHeads.get(1).toLowerCase()).contains("ocp-apim-subscription-key: " + key + "\r\n").doesNotContain("authorization");
        assertThat(requestHeads.get(2).toLowerCase()).doesNotContain(key).doesNotContain("x-injected");
    }

    private static void answerModels(Socket s) throws IOException {
        byte[] body = "{\"data\":[{\"id\":\"m\"}]}".getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + body.length + "\r\nconnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    @Test
    @Timeout(30)
    void aTargetThatAcceptsAndNeverAnswers_isSilent_afterTheTimeout() throws Exception {
        Target t = serve(s -> s.getInputStream().read()); // reads forever
        long started = System.nanoTime();
        ServerHttp.Reply r = new ServerHttp(t).getBase("/models");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertThat(r.status()).isZero();
        assertThat(r.silent()).isTrue();
        assertThat(r.body()).isEqualTo("connection accepted, no complete answer within 5 s");
        assertThat(seconds).isBetween(4L, 9L);
    }

    @Test
    @Timeout(30)
    void aTargetTricklingItsBody_isCutAtTheSameBound() throws Exception {
        Target t = serve(s -> {
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (int i = 0; i < 100_000; i++) {
                out.write('x');
                out.flush();
                TimeUnit.MILLISECONDS.sleep(200); // the server under test: one byte every 200 ms
            }
        });
        long started = System.nanoTime();
        ServerHttp.Reply r = new ServerHttp(t).get("/props");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertThat(r.silent()).isTrue();
        assertThat(seconds).isBetween(4L, 9L);
    }

    @Test
    @Timeout(30)
    void nothingListening_isRefused_notSilent() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ServerHttp.Reply r = new ServerHttp(new Target("t", "http://127.0.0.1:" + port + "/v1", "m", null, Map.of(), Map.of(), null)).getBase("/models");
        assertThat(r.body()).isEqualTo("connection refused");
        assertThat(r.silent()).isFalse();
        assertThat(r.unanswered()).isTrue();
    }

    @Test
    @Timeout(30)
    void aSilentTarget_isAskedOneQuestion_notEight() throws Exception {
        int[] connections = {0};
        Target t = serve(s -> {
            synchronized (connections) {
                connections[0]++;
            }
            s.getInputStream().read();
        });
        Map<String, Object> provenance = ServerProvenance.read(t);
        assertThat(provenance.get(ServerProvenance.UNANSWERED).toString()).contains("/v1/models: connection accepted, no complete answer within 5 s");
        assertThat(provenance).doesNotContainKey("llama_cpp_props");
        synchronized (connections) {
            assertThat(connections[0]).isEqualTo(1);
        }
    }
}
