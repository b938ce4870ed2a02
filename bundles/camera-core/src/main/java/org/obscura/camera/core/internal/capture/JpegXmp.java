package org.obscura.camera.core.internal.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.apache.commons.imaging.ImagingException;
import org.apache.commons.imaging.bytesource.ByteSource;
import org.apache.commons.imaging.formats.jpeg.JpegImageParser;
import org.apache.commons.imaging.formats.jpeg.JpegImagingParameters;
import org.apache.commons.imaging.formats.jpeg.xmp.JpegXmpRewriter;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Writes simple XMP properties ({@code prefix:Name -> text}) into a JPEG as its XMP APP1 packet, with Apache
 * Commons Imaging.
 *
 * <p>Only prefixes in {@link #NAMESPACES} are accepted, since an XMP reader identifies a property by namespace
 * URI, not by prefix. Properties become attributes of one {@code rdf:Description} (the XMP short form for
 * simple values). A JPEG that already carries XMP (a DSLR's, for instance) keeps it: the new description is
 * added to its {@code rdf:RDF}, after removing the same properties from the existing descriptions; XMP that
 * cannot be parsed is never replaced, the embedding fails instead.
 *
 * <p>Stateless and thread-safe; every call works on its own copies.
 */
final class JpegXmp {

    /** Namespaces providers may use, by the prefix they use in property names. */
    static final Map<String, String> NAMESPACES = Map.of(
            "GPano", "http://ns.google.com/photos/1.0/panorama/",
            "xmp", "http://ns.adobe.com/xap/1.0/",
            "exif", "http://ns.adobe.com/exif/1.0/",
            "tiff", "http://ns.adobe.com/tiff/1.0/");

    private static final String X = "adobe:ns:meta/";
    private static final String RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private static final String XMLNS = XMLConstants.XMLNS_ATTRIBUTE_NS_URI;
    private static final String PACKET_BEGIN = "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n";
    private static final String PACKET_END = "\n<?xpacket end=\"w\"?>";
    /** XML NCName restricted to ASCII, which every XMP property name in use satisfies. */
    private static final Pattern LOCAL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9._-]{0,127}");
    /** One APP1 segment holds at most 65533 bytes, minus the XMP identifier. */
    private static final int MAX_PACKET_BYTES = 65_000;

    private JpegXmp() {
    }

    /** Why a property name cannot be embedded, or {@code null} when it can. */
    static String refusal(String name) {
        if (name == null) {
            return "no property name";
        }
        int colon = name.indexOf(':');
        if (colon <= 0) {
            return "not a qualified name (prefix:Name)";
        }
        String prefix = name.substring(0, colon);
        if (!NAMESPACES.containsKey(prefix)) {
            return "unknown namespace prefix '" + prefix + "'; known: " + NAMESPACES.keySet().stream().sorted().toList();
        }
        if (!LOCAL_NAME.matcher(name.substring(colon + 1)).matches()) {
            return "'" + name.substring(colon + 1) + "' is not a valid XML name";
        }
        return null;
    }

    /**
     * A complete XMP packet holding {@code properties} (names already accepted by {@link #refusal}), values
     * escaped for an XML attribute; characters XML 1.0 cannot carry are dropped.
     */
    static String packet(Map<String, String> properties) {
        StringBuilder xml = new StringBuilder(PACKET_BEGIN);
        xml.append("<x:xmpmeta xmlns:x=\"").append(X).append("\">\n");
        xml.append(" <rdf:RDF xmlns:rdf=\"").append(RDF).append("\">\n");
        xml.append("  <rdf:Description rdf:about=\"\"");
        for (String prefix : prefixes(properties)) {
            xml.append("\n    xmlns:").append(prefix).append("=\"").append(NAMESPACES.get(prefix)).append('"');
        }
        properties.forEach((name, value) -> xml.append("\n    ").append(name).append("=\"")
                .append(escape(value)).append('"'));
        xml.append("/>\n </rdf:RDF>\n</x:xmpmeta>").append(PACKET_END);
        return xml.toString();
    }

    /**
     * The JPEG with {@code properties} in its XMP packet.
     *
     * @throws IOException when {@code jpeg} is not a JPEG Commons Imaging can rewrite, its existing XMP cannot be
     *                     parsed, or the packet would not fit one APP1 segment
     */
    static byte[] embed(byte[] jpeg, Map<String, String> properties) throws IOException {
        if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xff || (jpeg[1] & 0xff) != 0xd8) {
            throw new IOException("the still is not a JPEG");
        }
        String existing = existingXmp(jpeg);
        String packet = existing == null || existing.isBlank() ? packet(properties) : merged(existing, properties);
        if (packet.getBytes(StandardCharsets.UTF_8).length > MAX_PACKET_BYTES) {
            throw new IOException("the XMP packet would exceed one JPEG segment (" + MAX_PACKET_BYTES + " bytes)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + packet.length() + 64);
        try {
            new JpegXmpRewriter().updateXmpXml(jpeg, out, packet);
        } catch (ImagingException | RuntimeException e) {
            throw new IOException("could not rewrite the JPEG: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** The XMP packet of a JPEG, or {@code null} when it has none. */
    static String existingXmp(byte[] jpeg) throws IOException {
        try {
            return new JpegImageParser().getXmpXml(ByteSource.array(jpeg), new JpegImagingParameters());
        } catch (ImagingException | RuntimeException e) {
            throw new IOException("could not read the JPEG's segments: " + e.getMessage(), e);
        }
    }

    /** The existing packet with a new description holding the properties, replacing any earlier values. */
    private static String merged(String existing, Map<String, String> properties) throws IOException {
        Document doc;
        try {
            doc = parser().parse(new InputSource(new StringReader(existing)));
        } catch (SAXException | ParserConfigurationException e) {
            throw new IOException("the JPEG's existing XMP cannot be parsed, so it is left as it is: "
                    + e.getMessage(), e);
        }
        NodeList rdfs = doc.getElementsByTagNameNS(RDF, "RDF");
        if (rdfs.getLength() == 0) {
            throw new IOException("the JPEG's existing XMP has no rdf:RDF element, so it is left as it is");
        }
        Element rdf = (Element) rdfs.item(0);
        NodeList descriptions = rdf.getElementsByTagNameNS(RDF, "Description");
        for (int i = 0; i < descriptions.getLength(); i++) {
            removeProperties((Element) descriptions.item(i), properties);
        }
        Element description = doc.createElementNS(RDF, "rdf:Description");
        description.setAttributeNS(RDF, "rdf:about", "");
        for (String prefix : prefixes(properties)) {
            description.setAttributeNS(XMLNS, "xmlns:" + prefix, NAMESPACES.get(prefix));
        }
        properties.forEach((name, value) -> description.setAttributeNS(NAMESPACES.get(prefixOf(name)), name,
                clean(value)));
        rdf.appendChild(description);
        try {
            Transformer transformer = TransformerFactory.newDefaultInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            StringWriter text = new StringWriter();
            transformer.transform(new DOMSource(doc.getDocumentElement()), new StreamResult(text));
            return PACKET_BEGIN + text + PACKET_END;
        } catch (TransformerException e) {
            throw new IOException("could not write the merged XMP: " + e.getMessage(), e);
        }
    }

    private static void removeProperties(Element description, Map<String, String> properties) {
        for (String name : properties.keySet()) {
            String ns = NAMESPACES.get(prefixOf(name));
            String local = name.substring(name.indexOf(':') + 1);
            description.removeAttributeNS(ns, local);
            List<Node> children = new ArrayList<>();
            NodeList list = description.getChildNodes();
            for (int i = 0; i < list.getLength(); i++) {
                Node child = list.item(i);
                if (child.getNodeType() == Node.ELEMENT_NODE && ns.equals(child.getNamespaceURI())
                        && local.equals(child.getLocalName())) {
                    children.add(child);
                }
            }
            children.forEach(description::removeChild);
        }
        // Drop descriptions left empty, so repeated embedding does not pile them up.
        NamedNodeMap attributes = description.getAttributes();
        boolean onlyAboutAndNamespaces = true;
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr a = (Attr) attributes.item(i);
            if (!XMLNS.equals(a.getNamespaceURI()) && !(RDF.equals(a.getNamespaceURI())
                    && "about".equals(a.getLocalName()))) {
                onlyAboutAndNamespaces = false;
            }
        }
        boolean noChildElements = description.getElementsByTagName("*").getLength() == 0;
        if (onlyAboutAndNamespaces && noChildElements && description.getParentNode() != null) {
            description.getParentNode().removeChild(description);
        }
    }

    /** A namespace-aware parser that refuses DTDs: XMP from a device is untrusted input. */
    private static DocumentBuilder parser() throws ParserConfigurationException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        factory.setNamespaceAware(true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setExpandEntityReferences(false);
        factory.setXIncludeAware(false);
        return factory.newDocumentBuilder();
    }

    private static Set<String> prefixes(Map<String, String> properties) {
        Set<String> prefixes = new LinkedHashSet<>();
        properties.keySet().forEach(name -> prefixes.add(prefixOf(name)));
        return prefixes;
    }

    private static String prefixOf(String name) {
        return name.substring(0, name.indexOf(':'));
    }

    /** The value without characters XML 1.0 cannot carry at all. */
    static String clean(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(value.length());
        value.codePoints().filter(JpegXmp::allowedInXml).forEach(out::appendCodePoint);
        return out.toString();
    }

    /** The value for a double-quoted XML attribute. */
    static String escape(String value) {
        String text = clean(value);
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                // Attribute value normalisation would turn these into spaces.
                case '\t' -> out.append("&#9;");
                case '\n' -> out.append("&#10;");
                case '\r' -> out.append("&#13;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean allowedInXml(int c) {
        return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }
}
