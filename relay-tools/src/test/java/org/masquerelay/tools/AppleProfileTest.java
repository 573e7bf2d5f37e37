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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The .mobileconfig parses back as a property list with the keys Apple's schema names. */
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
        String xml = AppleProfileCommand.build(config, URI.create("https://relay.example.com:443/"), ca.certificatePath()).toXml();

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
