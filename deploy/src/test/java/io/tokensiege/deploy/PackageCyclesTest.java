package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.json.Json;
import io.tokensiege.coordinator.cluster.ClusterCoordinator;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.worker.load.StepRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No package of tokensiege depends on itself through others: the JDK's jdeps lists every package-to-package edge of the
 * five modules' classes, and no strongly connected set of packages may hold more than one.
 */
class PackageCyclesTest {
    @Test
    @Timeout(120)
    void noPackageDependsOnItselfThroughOtherPackages() throws Exception {
        Map<String, Set<String>> edges = packageEdges();
        Set<String> packages = new TreeSet<>(edges.keySet());
        edges.values().forEach(packages::addAll);
        assertThat(packages).as("jdeps found the packages of all five modules").contains(
                "io.tokensiege.common.plan", "io.tokensiege.worker.load", "io.tokensiege.coordinator.run", "io.tokensiege.simulator.engine",
                "io.tokensiege.deploy");

        assertThat(Cycles.of(edges)).as("package cycles").isEmpty();
    }

    @Test
    void aCycle_isFound_throughThreePackages() {
        Map<String, Set<String>> edges = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"), "d", Set.of());

        assertThat(Cycles.of(edges)).containsExactly(new TreeSet<>(Set.of("a", "b", "c")));
    }

    private static Map<String, Set<String>> packageEdges() throws URISyntaxException {
        List<String> args = new ArrayList<>(List.of("-verbose:package", "-filter:none", "-e", "io\\.tokensiege\\..*"));
        for (Class<?> c : List.of(Json.class, StepRunner.class, ClusterCoordinator.class, SimulatorServer.class, Tokensiege.class)) {
            args.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        StringWriter out = new StringWriter();
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps"));
        int exit = jdeps.run(new PrintWriter(out, true), new PrintWriter(out, true), args.toArray(String[]::new));
        assertThat(exit).as("jdeps: %s", out).isZero();
        Map<String, Set<String>> edges = new HashMap<>();
        for (String line : out.toString().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[1].equals("->") && f[0].startsWith("io.tokensiege.") && f[2].startsWith("io.tokensiege.") && !f[0].equals(f[2])) {
                edges.computeIfAbsent(f[0], k -> new TreeSet<>()).add(f[2]);
            }
        }
        return edges;
    }

    /** Strongly connected sets of more than one node (Tarjan's algorithm). */
    static final class Cycles {
        private final Map<String, Set<String>> edges;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final List<String> stack = new ArrayList<>();
        private final List<Set<String>> found = new ArrayList<>();

        private Cycles(Map<String, Set<String>> edges) {
            this.edges = edges;
        }

        static List<Set<String>> of(Map<String, Set<String>> edges) {
            Cycles c = new Cycles(edges);
            Stream.concat(edges.keySet().stream(), edges.values().stream().flatMap(Set::stream)).sorted().distinct()
                    .filter(v -> !c.index.containsKey(v)).forEach(c::visit);
            return c.found;
        }

        private void visit(String v) {
            index.put(v, index.size());
            low.put(v, index.get(v));
            stack.add(v);
            for (String w : edges.getOrDefault(v, Set.of())) {
                if (!index.containsKey(w)) {
                    visit(w);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (stack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (!low.get(v).equals(index.get(v))) return;
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.remove(stack.size() - 1);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) found.add(component);
        }
    }
}
