package dev.mlpack.optimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies between mlpack's packages run one way: no package depends, directly or through others, on a package
 * that depends on it, in any module. Dependencies are read from the main sources (imports and qualified names in code;
 * comments and strings do not count), so a cycle fails here naming the references that close it.
 */
class PackageCyclesTest {
    private static final Pattern QUALIFIED = Pattern.compile("\\b(dev\\.mlpack(?:\\.[a-z_][\\w]*)*)\\.(?:[A-Z]\\w*|\\*)");

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        Path repo = Path.of(System.getProperty("mlpack.repo", "..")).toAbsolutePath().normalize();
        PackageGraph graph = PackageGraph.ofSources(repo);
        assertTrue(graph.packages().size() > 20, "read the sources of every module under " + repo + ": " + graph.packages());
        List<Set<String>> cycles = graph.cycles();
        assertEquals(List.of(), cycles, "package cycles; the references that close them:\n" + graph.describe(cycles));
    }

    @Test
    void findsEveryCycleAndOnlyCycles() {
        PackageGraph graph = new PackageGraph();
        graph.add("a", "b", "A.java: b.B");
        graph.add("b", "c", "B.java: c.C");
        graph.add("c", "a", "C.java: a.A");
        graph.add("c", "d", "C.java: d.D");
        graph.add("e", "f", "E.java: f.F");
        graph.add("f", "e", "F.java: e.E");
        assertEquals(List.of(Set.of("a", "b", "c"), Set.of("e", "f")), graph.cycles());
        assertTrue(graph.describe(graph.cycles()).contains("c -> a (C.java: a.A)"), graph.describe(graph.cycles()));
    }

    /** Packages and which depends on which, with the references that make each dependency. */
    static final class PackageGraph {
        private final Map<String, Map<String, Set<String>>> edges = new TreeMap<>();

        void add(String from, String to, String because) {
            edges.computeIfAbsent(to, k -> new TreeMap<>());
            edges.computeIfAbsent(from, k -> new TreeMap<>()).computeIfAbsent(to, k -> new TreeSet<>()).add(because);
        }

        Set<String> packages() { return edges.keySet(); }

        /** The dependencies in the main sources ({@code src/main/java}) of every module under {@code repo}. */
        static PackageGraph ofSources(Path repo) {
            PackageGraph graph = new PackageGraph();
            try (Stream<Path> modules = Files.list(repo)) {
                for (Path sources : modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
                    try (Stream<Path> files = Files.walk(sources)) {
                        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) graph.read(file);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return graph;
        }

        private void read(Path file) throws IOException {
            String code = codeOnly(Files.readString(file));
            Matcher pkg = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE).matcher(code);
            if (!pkg.find()) return;
            String from = pkg.group(1);
            edges.computeIfAbsent(from, k -> new TreeMap<>());
            Matcher ref = QUALIFIED.matcher(code.substring(pkg.end()));
            while (ref.find()) {
                if (!ref.group(1).equals(from)) add(from, ref.group(1), file.getFileName() + ": " + ref.group());
            }
        }

        /** Java source without its comments, string, text block and character literals. */
        static String codeOnly(String s) {
            StringBuilder out = new StringBuilder(s.length());
            int i = 0;
            while (i < s.length()) {
                if (s.startsWith("//", i)) {
                    i = s.indexOf('\n', i) < 0 ? s.length() : s.indexOf('\n', i);
                } else if (s.startsWith("/*", i)) {
                    int end = s.indexOf("*/", i + 2);
                    i = end < 0 ? s.length() : end + 2;
                    out.append(' ');
                } else if (s.startsWith("\"\"\"", i)) {
                    int end = s.indexOf("\"\"\"", i + 3);
                    i = end < 0 ? s.length() : end + 3;
                    out.append("\"\"");
                } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                    char quote = s.charAt(i++);
                    while (i < s.length() && s.charAt(i) != quote) i += s.charAt(i) == '\\' ? 2 : 1;
                    i++;
                    out.append(quote).append(quote);
                } else {
                    out.append(s.charAt(i++));
                }
            }
            return out.toString();
        }

        /** The packages of each cycle (strongly connected set of more than one package), in name order. */
        List<Set<String>> cycles() {
            List<Set<String>> out = new ArrayList<>();
            Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
            Deque<String> stack = new ArrayDeque<>();
            Set<String> onStack = new TreeSet<>();
            for (String p : edges.keySet()) if (!index.containsKey(p)) connect(p, index, low, stack, onStack, out);
            out.sort((a, b) -> a.iterator().next().compareTo(b.iterator().next()));
            return out;
        }

        /** Tarjan's strongly connected components; packages are few, so recursion is shallow. */
        private void connect(String p, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                             List<Set<String>> out) {
            index.put(p, index.size());
            low.put(p, index.get(p));
            stack.push(p);
            onStack.add(p);
            for (String q : edges.get(p).keySet()) {
                if (!index.containsKey(q)) {
                    connect(q, index, low, stack, onStack, out);
                    low.put(p, Math.min(low.get(p), low.get(q)));
                } else if (onStack.contains(q)) {
                    low.put(p, Math.min(low.get(p), index.get(q)));
                }
            }
            if (low.get(p).equals(index.get(p))) {
                Set<String> component = new TreeSet<>();
                String q;
                do {
                    q = stack.pop();
                    onStack.remove(q);
                    component.add(q);
                } while (!q.equals(p));
                if (component.size() > 1) out.add(component);
            }
        }

        /** Each dependency inside the cycles, with the references that make it. */
        String describe(List<Set<String>> cycles) {
            return cycles.stream().flatMap(cycle -> cycle.stream().flatMap(from -> edges.get(from).entrySet().stream()
                            .filter(e -> cycle.contains(e.getKey()))
                            .map(e -> "  " + from + " -> " + e.getKey() + " (" + String.join(", ", e.getValue()) + ")")))
                    .collect(Collectors.joining("\n"));
        }
    }
}
