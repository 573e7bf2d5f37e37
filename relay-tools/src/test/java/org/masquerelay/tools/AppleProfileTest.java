package org.masquerelay.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.server.certs.CertificateAuthority;
import org.masquerelay.server.config.ConfigLoader;
import org.masquerelay.tools.cli.AppleProfileCommand;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The .mobileconfig and the declarative configuration parse back (XML plist, JSON) with the keys Apple's schemas name. */
class AppleProfileTest {

    @Test
    void profileCarriesRelayPolicyHeadersAndRoot(@TempDir Path dir) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(dir.resolve("ca"), false);
        var config = ConfigLoader.parse("""
                policy:
                  match-domains: [example.com]
                  excluded-domains: [corp.example.com]
                  match-fqdns: [api.example.org]
                  excluded-fqdns: [admin.example.com]
                auth:
                  header: authorization
                  credentials: ["Bearer s3cret"]
                """, "test.yaml", dir);
        String xml = AppleProfileCommand.build(config, List.of(URI.create("https://relay.example.com:443/")), ca.certificatePath()).toXml();

        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Map<String, Object> top = dict(child(doc.getDocumentElement(), "dict"));
        assertEquals("Configuration", top.get("PayloadType"));
        List<?> payloads = (List<?>) top.get("PayloadContent");
        assertEquals(2, payloads.size());
        Map<?, ?> root = (Map<?, ?>) payloads.get(0);
        assertEquals("com.apple.security.root", root.get("PayloadType"));
        assertArrayEquals(ca.certificate().getEncoded(), (byte[]) root.get("PayloadContent"));
        Map<?, ?> relay = (Map<?, ?>) payloads.get(1);
        assertEquals("com.apple.relay.managed", relay.get("PayloadType"));
        Map<?, ?> hop = (Map<?, ?>) ((List<?>) relay.get("Relays")).get(0);
        assertEquals("https://relay.example.com:443/", hop.get("HTTP3RelayURL"));
        assertEquals("https://relay.example.com:443/", hop.get("HTTP2RelayURL"));
        assertEquals(Map.of("authorization", "Bearer s3cret"), hop.get("AdditionalHTTPHeaderFields"));
        assertEquals(List.of("example.com"), relay.get("MatchDomains"));
        assertEquals(List.of("corp.example.com"), relay.get("ExcludedDomains"));
        assertEquals(List.of("api.example.org"), relay.get("MatchFQDNs"));
        assertEquals(List.of("admin.example.com"), relay.get("ExcludedFQDNs"));
    }

    /** Key names of com.apple.configuration.network.relay (network.relay.yaml in apple/device-management). */
    private static final Set<String> PAYLOAD_KEYS = Set.of("VisibleName", "Relays", "MatchDomains", "ExcludedDomains",
            "MatchFQDNs", "ExcludedFQDNs", "RelayUUID", "UIToggleEnabled", "AllowDNSFailover");
    private static final Set<String> RELAY_KEYS = Set.of("HTTP3RelayURL", "HTTP2RelayURL", "AdditionalHTTPHeaderFields",
            "CredentialAssetReference", "PublicKeyData");
    /** The declaration envelope (declarative/declarations: Type, Identifier, ServerToken, Payload). */
    private static final Set<String> DECLARATION_KEYS = Set.of("Type", "Identifier", "ServerToken", "Payload");

    @Test
    void declarationUsesTheSchemasKeysForTwoHops(@TempDir Path dir) throws Exception {
        var config = ConfigLoader.parse("""
                policy:
                  match-domains: [example.com]
                  excluded-domains: [cdn.example.com]
                  match-fqdns: [api.example.org]
                  excluded-fqdns: [admin.example.com]
                auth:
                  header: authorization
                  credentials: ["Bearer \\"quoted\\" s3cret"]
                """, "test.yaml", dir);
        var profile = AppleProfileCommand.build(config, List.of(URI.create("https://relay1.example.com/hop1"),
                URI.create("https://relay2.example.com:8443/hop2")), null);
        String json = AppleProfileCommand.declaration(profile).toJson();

        // YAML 1.2 is a superset of JSON: snakeyaml-engine (the relay's config parser) reads the declaration back.
        Map<?, ?> declaration = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(json);
        assertTrue(DECLARATION_KEYS.containsAll(declaration.keySet()), declaration.keySet().toString());
        assertEquals("com.apple.configuration.network.relay", declaration.get("Type"));
        assertEquals(36, ((String) declaration.get("Identifier")).length());
        assertEquals(36, ((String) declaration.get("ServerToken")).length());
        Map<?, ?> payload = (Map<?, ?>) declaration.get("Payload");
        assertTrue(PAYLOAD_KEYS.containsAll(payload.keySet()), payload.keySet().toString());
        assertEquals("MASQUE relay relay1.example.com", payload.get("VisibleName"));
        List<?> relays = (List<?>) payload.get("Relays");
        assertEquals(2, relays.size());
        for (Object r : relays) {
            assertTrue(RELAY_KEYS.containsAll(((Map<?, ?>) r).keySet()), ((Map<?, ?>) r).keySet().toString());
            assertEquals(Map.of("authorization", "Bearer \"quoted\" s3cret"), ((Map<?, ?>) r).get("AdditionalHTTPHeaderFields"));
        }
        assertEquals("https://relay1.example.com/hop1", ((Map<?, ?>) relays.get(0)).get("HTTP3RelayURL"));
        assertEquals("https://relay1.example.com/hop1", ((Map<?, ?>) relays.get(0)).get("HTTP2RelayURL"));
        assertEquals("https://relay2.example.com:8443/hop2", ((Map<?, ?>) relays.get(1)).get("HTTP3RelayURL"));
        assertEquals(List.of("example.com"), payload.get("MatchDomains"));
        assertEquals(List.of("cdn.example.com"), payload.get("ExcludedDomains"));
        assertEquals(List.of("api.example.org"), payload.get("MatchFQDNs"));
        assertEquals(List.of("admin.example.com"), payload.get("ExcludedFQDNs"));
        // Stable identity, so that an MDM server re-sending it updates the declaration instead of adding one.
        assertEquals(json, AppleProfileCommand.declaration(profile).toJson());

        Map<String, Object> plist = payloadsOf(profile.toXml()).get(0);
        List<?> hops = (List<?>) plist.get("Relays");
        assertEquals(2, hops.size());
        assertEquals("https://relay2.example.com:8443/hop2", ((Map<?, ?>) hops.get(1)).get("HTTP2RelayURL"));
    }

    @Test
    void noHttp2RelayUrlWhenTheTcpListenerIsOff(@TempDir Path dir) throws Exception {
        var config = ConfigLoader.parse("tcp-listen: []\n", "test.yaml", dir);
        var profile = AppleProfileCommand.build(config, List.of(URI.create("https://relay.example.com/")), null);
        Map<?, ?> hop = (Map<?, ?>) ((List<?>) payloadsOf(profile.toXml()).get(0).get("Relays")).get(0);
        assertEquals(Set.of("HTTP3RelayURL"), hop.keySet());
        Map<?, ?> payload = (Map<?, ?>) ((Map<?, ?>) new Load(LoadSettings.builder().build())
                .loadFromString(AppleProfileCommand.declaration(profile).toJson())).get("Payload");
        assertEquals(Set.of("HTTP3RelayURL"), ((Map<?, ?>) ((List<?>) payload.get("Relays")).get(0)).keySet());
        assertFalse(payload.containsKey("MatchDomains"));
    }

    @Test
    void aTcpListenerOnAnotherPortIsPointedOut(@TempDir Path dir) throws Exception {
        var same = ConfigLoader.parse("listen: [\"0.0.0.0:443\"]\n", "test.yaml", dir);
        assertTrue(AppleProfileCommand.differentTcpPort(same).isEmpty());
        var other = ConfigLoader.parse("listen: [\"0.0.0.0:443\"]\ntcp-listen: [\"0.0.0.0:8443\"]\n", "test.yaml", dir);
        assertTrue(AppleProfileCommand.differentTcpPort(other).orElseThrow().contains("[8443]"));
    }

    @Test
    void moreThanTwoRelaysIsAClearError(@TempDir Path dir) throws Exception {
        var config = ConfigLoader.parse("{}\n", "test.yaml", dir);
        URI u = URI.create("https://relay.example.com/");
        var e = assertThrows(IllegalArgumentException.class, () -> AppleProfileCommand.build(config, List.of(u, u, u), null));
        assertTrue(e.getMessage().contains("at most two"), e.getMessage());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> payloadsOf(String xml) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        return (List<Map<String, Object>>) dict(child(doc.getDocumentElement(), "dict")).get("PayloadContent");
    }

    private static Element child(Element parent, String name) {
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no <" + name + "> in <" + parent.getTagName() + ">");
    }

    /** A minimal property-list reader: dict, array, string, integer, data. */
    private static Object value(Element e) {
        return switch (e.getTagName()) {
            case "dict" -> dict(e);
            case "array" -> {
                List<Object> list = new ArrayList<>();
                for (Element item : elements(e)) {
                    list.add(value(item));
                }
                yield list;
            }
            case "integer" -> Long.parseLong(e.getTextContent().trim());
            case "data" -> Base64.getMimeDecoder().decode(e.getTextContent().trim());
            default -> e.getTextContent();
        };
    }

    private static Map<String, Object> dict(Element e) {
        Map<String, Object> map = new LinkedHashMap<>();
        List<Element> items = elements(e);
        for (int i = 0; i + 1 < items.size(); i += 2) {
            assertEquals("key", items.get(i).getTagName());
            map.put(items.get(i).getTextContent(), value(items.get(i + 1)));
        }
        return map;
    }

    private static List<Element> elements(Element parent) {
        List<Element> list = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e) {
                list.add(e);
            }
        }
        return list;
    }
}
