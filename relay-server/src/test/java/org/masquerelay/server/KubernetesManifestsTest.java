package org.masquerelay.server;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kubernetes read as Kubernetes would: every file in the kustomization, the kinds a fleet needs, and the
 * numbers that must agree across files (the relay's ports in its config, the container and the Services; probes on
 * the admin listener's paths; a grace period longer than preStop plus the drain).
 */
class KubernetesManifestsTest {
    private static final Path DIR = Path.of("../deploy/kubernetes");
    private static final List<Map<String, Object>> OBJECTS = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        Map<String, Object> kustomization = single(DIR.resolve("kustomization.yaml"));
        for (Object file : list(kustomization, "resources")) {
            for (Object doc : new Load(LoadSettings.builder().setLabel(file.toString()).build())
                    .loadAllFromString(Files.readString(DIR.resolve(file.toString())))) {
                if (doc != null) {
                    OBJECTS.add(map(doc));
                }
            }
        }
    }

    @Test
    void theKustomizationListsEveryManifestAndTheFleetsKinds() throws IOException {
        Set<String> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .filter(n -> !n.equals("kustomization.yaml")).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(files, new TreeSet<>(list(single(DIR.resolve("kustomization.yaml")), "resources").stream()
                .map(Object::toString).toList()));
        List<String> kinds = OBJECTS.stream().map(o -> (String) o.get("kind")).sorted().toList();
        assertEquals(List.of("ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Secret", "Secret",
                "Service", "Service", "StatefulSet"), kinds);
    }

    @Test
    void portsAgreeFromTheRelayConfigToThePublicService() {
        Map<String, Object> relay = relayConfig();
        int quic = port(list(relay, "listen").get(0).toString());
        int admin = port(map(relay.get("admin")).get("listen").toString());
        Map<String, Object> container = relayContainer();
        Map<String, Integer> named = new java.util.HashMap<>();
        for (Object p : list(container, "ports")) {
            Map<String, Object> port = map(p);
            named.put(port.get("name") + "/" + port.get("protocol"), (Integer) port.get("containerPort"));
        }
        assertEquals(quic, named.get("quic/UDP"));
        assertEquals(quic, named.get("tls/TCP"), "the TCP listener takes the UDP listener's addresses by default");
        assertEquals(admin, named.get("admin/TCP"));

        Map<String, Object> service = named("Service", "masque-relay");
        Set<String> published = new TreeSet<>();
        for (Object p : list(map(service.get("spec")), "ports")) {
            Map<String, Object> port = map(p);
            assertTrue(named.containsKey(port.get("targetPort") + "/" + port.get("protocol")), port.toString());
            published.add(port.get("port") + "/" + port.get("protocol"));
        }
        assertEquals(Set.of("443/TCP", "443/UDP"), published);
    }

    @Test
    void probesAskTheAdminListenerAndTheGracePeriodOutlastsTheDrain() {
        Map<String, Object> container = relayContainer();
        Map<String, Object> readiness = map(map(container.get("readinessProbe")).get("httpGet"));
        assertEquals("/readyz", readiness.get("path"));
        assertEquals("admin", readiness.get("port"));
        Map<String, Object> liveness = map(map(container.get("livenessProbe")).get("httpGet"));
        assertEquals("/healthz", liveness.get("path"));
        assertEquals("admin", liveness.get("port"));

        List<Object> preStop = list(map(map(map(container.get("lifecycle")).get("preStop")).get("exec")), "command");
        assertEquals("sleep", preStop.get(0));
        int preStopSeconds = Integer.parseInt(preStop.get(1).toString());
        String drain = map(relayConfig().get("timeouts")).get("drain").toString();
        assertTrue(drain.matches("\\d+s"), drain);
        int drainSeconds = Integer.parseInt(drain.substring(0, drain.length() - 1));
        int grace = (Integer) podSpec().get("terminationGracePeriodSeconds");
        assertTrue(grace > preStopSeconds + drainSeconds, grace + " s must outlast " + preStopSeconds + " + " + drain);
    }

    @Test
    void eachPodGetsItsServerIdFromItsOrdinal() {
        Map<String, Object> init = map(list(podSpec(), "initContainers").get(0));
        String script = String.join("\n", list(init, "command").stream().map(Object::toString).toList());
        assertTrue(script.contains("fleet:") && script.contains("server-id"), script);
        Map<String, Object> env = map(list(init, "env").get(0));
        assertEquals("metadata.name", map(map(env.get("valueFrom")).get("fieldRef")).get("fieldPath"));
        assertTrue(list(relayContainer(), "args").contains("/run/relay/relay.yaml"), "runs the generated config");
        Map<String, Object> relay = relayConfig();
        assertEquals("quiche", relay.get("engine"), "routable connection IDs need quiche");
        assertTrue(!relay.containsKey("fleet"), "the server ID is per pod, not in the shared config");
    }

    @Test
    void disruptionsAndScalingTargetTheRelays() {
        Map<String, Object> labels = map(map(map(map(named("StatefulSet", "masque-relay").get("spec")).get("template"))
                .get("metadata")).get("labels"));
        Map<String, Object> pdb = map(named("PodDisruptionBudget", "masque-relay").get("spec"));
        assertEquals(1, pdb.get("maxUnavailable"));
        assertEquals(labels, map(map(pdb.get("selector")).get("matchLabels")));
        Map<String, Object> hpa = map(named("HorizontalPodAutoscaler", "masque-relay").get("spec"));
        assertEquals("StatefulSet", map(hpa.get("scaleTargetRef")).get("kind"));
        assertTrue((Integer) hpa.get("minReplicas") >= 2, "a fleet survives losing one relay");
    }

    private static Map<String, Object> relayConfig() {
        String text = map(named("ConfigMap", "masque-relay").get("data")).get("relay.yaml").toString();
        return map(new Load(LoadSettings.builder().build()).loadFromString(text));
    }

    private static Map<String, Object> podSpec() {
        return map(map(map(named("StatefulSet", "masque-relay").get("spec")).get("template")).get("spec"));
    }

    private static Map<String, Object> relayContainer() {
        return list(podSpec(), "containers").stream().map(KubernetesManifestsTest::map)
                .filter(c -> "relay".equals(c.get("name"))).findFirst().orElseThrow();
    }

    private static Map<String, Object> named(String kind, String name) {
        return OBJECTS.stream().filter(o -> kind.equals(o.get("kind")))
                .filter(o -> name.equals(map(o.get("metadata")).get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static Map<String, Object> single(Path file) throws IOException {
        return map(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertNotNull(o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> m, String key) {
        Object o = m.get(key);
        assertNotNull(o, key);
        return (List<Object>) o;
    }
}
