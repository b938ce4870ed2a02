package org.obscura.camera.core.internal.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.commons.imaging.Imaging;
import org.apache.commons.imaging.formats.jpeg.xmp.JpegXmpRewriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.MetadataProvider;
import org.obscura.camera.core.internal.CoreCameraRegistry;
import org.obscura.camera.core.internal.FakeCamera;
import org.obscura.camera.core.internal.RecordingEvents;
import org.obscura.camera.core.internal.hub.HubSettings;
import org.obscura.camera.core.internal.jpeg.ImageIoJpegEncoder;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;
import org.obscura.camera.core.internal.store.FileImageStore;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Metadata providers' data in stored captures: sidecar entries and XMP properties inside the JPEG. */
class CaptureMetadataTest {

    private static final String GPANO = "http://ns.google.com/photos/1.0/panorama/";
    private static final String RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private static final Map<String, String> POSE = pose("12.50", "-3.25", "0.75");

    @TempDir
    Path temp;
    private Path root;
    private final RecordingEvents events = new RecordingEvents();
    private final CoreCameraRegistry registry = new CoreCameraRegistry(HubSettings.DEFAULTS, JpegEncoder.standard(),
            events);
    private final List<FakeCamera> cameras = new ArrayList<>();
    private CoreCaptureService service;
    private byte[] jpeg;

    @BeforeEach
    void setUp() throws IOException {
        root = temp.resolve("data");
        // No camera here has an interrupt service, so the command never runs.
        service = new CoreCaptureService(registry, new FileImageStore(root, ZoneOffset.UTC), JpegEncoder.standard(),
                new InterruptServices(List.of("false"), Duration.ofSeconds(5)), 95, events);
        jpeg = ImageIoJpegEncoder.write(new BufferedImage(32, 24, BufferedImage.TYPE_3BYTE_BGR), 80);
    }

    @AfterEach
    void tearDown() {
        registry.deactivate();
        cameras.forEach(FakeCamera::stop);
    }

    private FakeCamera camera(String name, boolean stereo, int order) {
        FakeCamera c = new FakeCamera(name, "fake", stereo, order, null);
        cameras.add(c);
        registry.addDevice(c, Map.of(CameraConfig.CAMERA_NAME, name));
        return c;
    }

    private FakeCamera jpegCamera(String name, byte[] still) {
        FakeCamera c = camera(name, false, 0);
        c.still = () -> Frame.jpeg(32, 24, 1, still);
        return c;
    }

    // ---- XMP inside the JPEG ----------------------------------------------------------------------------

    @Test
    void aProvidersPhotoSpherePoseIsEmbeddedAsXmpAndReadBack() throws Exception {
        jpegCamera("left", jpeg);
        service.addProvider(provider("imu", () -> Map.of("available", true), () -> POSE));

        CaptureResult result = service.capture("left", Map.of());

        Path stored = root.resolve(result.stored().path());
        Map<String, String> read = gpano(Imaging.getXmpXml(stored.toFile()));
        assertEquals(POSE, read);
        assertEquals(32, ImageIO.read(stored.toFile()).getWidth(), "still a readable JPEG");
        assertEquals(Files.size(stored), result.stored().size());
        JsonNode sidecar = sidecar(result);
        assertEquals("12.50", sidecar.at("/xmp/embedded/GPano:PoseHeadingDegrees").asText());
        assertEquals(Files.size(stored), sidecar.get("size").asLong());
        assertTrue(sidecar.at("/imu/available").asBoolean());
    }

    @Test
    void rawStillsOfEveryCaptureModeCarryThePose() throws Exception {
        camera("left", true, 0);
        camera("right", true, 1);
        service.addProvider(provider("imu", Map::of, () -> POSE));

        CapturedImage taken = service.take("left", Map.of());
        assertEquals(POSE, gpano(Imaging.getXmpXml(taken.jpeg())), "take(), which photometric sequences use");
        BatchResult all = service.captureAll(Map.of());
        BatchResult stereo = service.captureStereo(Map.of());

        List<CaptureResult> results = new ArrayList<>(all.results());
        results.addAll(stereo.results());
        assertEquals(4, results.size(), () -> all.errors() + " " + stereo.errors());
        for (CaptureResult r : results) {
            Path file = root.resolve(r.stored().path());
            assertEquals(POSE, gpano(Imaging.getXmpXml(file.toFile())), r.stored().path());
            assertNotNull(ImageIO.read(file.toFile()));
        }
    }

    @Test
    void withoutProvidersOrPropertiesTheJpegIsStoredByteForByte() throws Exception {
        jpegCamera("left", jpeg);
        CaptureResult bare = service.capture("left", Map.of());
        assertArrayEquals(jpeg, Files.readAllBytes(root.resolve(bare.stored().path())));
        assertNull(sidecar(bare).get("xmp"));

        service.addProvider(provider("imu", () -> Map.of("available", false), Map::of));
        service.addProvider(provider("gps", () -> Map.of("fix", false), () -> null));
        CaptureResult empty = service.capture("left", Map.of());
        assertArrayEquals(jpeg, Files.readAllBytes(root.resolve(empty.stored().path())));
        assertNull(sidecar(empty).get("xmp"));
    }

    @Test
    void aProviderThrowingLeavesTheJpegUntouchedAndTheReasonInTheSidecar() throws Exception {
        jpegCamera("left", jpeg);
        service.addProvider(provider("imu", () -> {
            throw new IllegalStateException("IMU link down");
        }, () -> {
            throw new IllegalStateException("IMU link down");
        }));

        CaptureResult result = service.capture("left", Map.of());

        assertArrayEquals(jpeg, Files.readAllBytes(root.resolve(result.stored().path())));
        JsonNode sidecar = sidecar(result);
        assertEquals("IMU link down", sidecar.at("/imu/error").asText());
        assertEquals("IMU link down", sidecar.at("/xmp/providerErrors/imu").asText());
        assertEquals(0, sidecar.at("/xmp/embedded").size());
    }

    @Test
    void aStillThatCannotBeRewrittenIsStoredAsItCameWithTheReason() throws Exception {
        // Starts like a JPEG, but its first segment runs past the end of the data.
        byte[] broken = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0x7f, 0x10, 1, 2, 3};
        jpegCamera("left", broken);
        FakeCamera other = camera("other", false, 0);
        other.still = () -> Frame.jpeg(4, 4, 1, "not a jpeg".getBytes());
        service.addProvider(provider("imu", Map::of, () -> POSE));

        CaptureResult result = service.capture("left", Map.of());
        BatchResult batch = service.captureAll(Map.of());

        assertArrayEquals(broken, Files.readAllBytes(root.resolve(result.stored().path())));
        assertTrue(sidecar(result).at("/xmp/error").asText().startsWith("XMP not embedded: "),
                sidecar(result).toString());
        assertEquals(Map.of(), batch.errors());
        assertEquals(2, batch.results().size());
        CaptureResult notJpeg = batch.results().stream().filter(r -> r.camera().equals("other")).findFirst()
                .orElseThrow();
        assertArrayEquals("not a jpeg".getBytes(), Files.readAllBytes(root.resolve(notJpeg.stored().path())));
        assertEquals("XMP not embedded: the still is not a JPEG", sidecar(notJpeg).at("/xmp/error").asText());
    }

    @Test
    void valuesAreEscapedAndUnknownNamespacesAreReportedNotEmbedded() throws Exception {
        jpegCamera("left", jpeg);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("GPano:ProjectionType", "equi<rect>angular & \"more\"\u0001\ttabbed");
        tags.put("foo:Bar", "1");
        tags.put("GPano:bad name", "1");
        service.addProvider(provider("imu", Map::of, () -> tags));
        service.addProvider(provider("second", Map::of, () -> Map.of("GPano:ProjectionType", "cylindrical")));

        CaptureResult result = service.capture("left", Map.of());

        Map<String, String> read = gpano(Imaging.getXmpXml(root.resolve(result.stored().path()).toFile()));
        assertEquals(Map.of("ProjectionType", "equi<rect>angular & \"more\"\ttabbed"), stripPrefix(read));
        JsonNode skipped = sidecar(result).at("/xmp/skipped");
        assertTrue(skipped.get("foo:Bar").asText().contains("unknown namespace prefix 'foo'"), skipped.toString());
        assertTrue(skipped.get("GPano:bad name").asText().contains("not a valid XML name"), skipped.toString());
        assertTrue(skipped.get("GPano:ProjectionType").asText().contains("already given by provider 'imu'"),
                skipped.toString());
    }

    @Test
    void xmpAlreadyInTheJpegIsKeptAndOurPropertiesReplaceTheirOldValues() throws Exception {
        String cameraXmp = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"" + RDF + "\">"
                + "<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" "
                + "xmlns:GPano=\"" + GPANO + "\" xmp:CreatorTool=\"Camera firmware 1.2\">"
                + "<GPano:PoseHeadingDegrees>99.00</GPano:PoseHeadingDegrees></rdf:Description>"
                + "</rdf:RDF></x:xmpmeta>";
        ByteArrayOutputStream withXmp = new ByteArrayOutputStream();
        new JpegXmpRewriter().updateXmpXml(jpeg, withXmp, cameraXmp);
        jpegCamera("left", withXmp.toByteArray());
        service.addProvider(provider("imu", Map::of, () -> POSE));

        CaptureResult result = service.capture("left", Map.of());

        String xml = Imaging.getXmpXml(root.resolve(result.stored().path()).toFile());
        assertEquals(POSE, gpano(xml));
        assertTrue(xml.contains("Camera firmware 1.2"), xml);
        assertFalse(xml.contains("99.00"), xml);
    }

    // ---- sidecar: why provider data is missing ------------------------------------------------------------

    @Test
    void aProviderReportingItsDataMissingSaysWhyInTheSidecarAndTheCaptureSucceeds() throws Exception {
        jpegCamera("left", jpeg);
        // What the IMU provider reports while its MQTT broker is down.
        service.addProvider(provider("imu", () -> Map.of("available", false, "connected", false,
                "error", "no IMU sample received yet; cannot reach MQTT broker tcp://127.0.0.1:1: Connection refused"),
                Map::of));
        service.addProvider(provider("gps", () -> {
            throw new IllegalStateException("serial port /dev/ttyACM0 is gone");
        }, Map::of));

        CaptureResult result = service.capture("left", Map.of());

        assertArrayEquals(jpeg, Files.readAllBytes(root.resolve(result.stored().path())));
        JsonNode sidecar = sidecar(result);
        assertFalse(sidecar.at("/imu/available").asBoolean(true));
        assertTrue(sidecar.at("/imu/error").asText().contains("cannot reach MQTT broker"), sidecar.toString());
        assertEquals("serial port /dev/ttyACM0 is gone", sidecar.at("/gps/error").asText());
        assertNull(sidecar.get("xmp"));
    }

    @Test
    void aProviderCannotTakeTheXmpReportsName() throws Exception {
        jpegCamera("left", jpeg);
        service.addProvider(provider("xmp", () -> Map.of("mine", true), Map::of));
        service.addProvider(provider("imu", Map::of, () -> POSE));

        JsonNode sidecar = sidecar(service.capture("left", Map.of()));

        assertEquals("12.50", sidecar.at("/xmp/embedded/GPano:PoseHeadingDegrees").asText());
        assertTrue(sidecar.at("/xmp/mine").isMissingNode());
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private JsonNode sidecar(CaptureResult result) throws IOException {
        return new ObjectMapper().readTree(root.resolve(result.stored().sidecar()).toFile());
    }

    private static Map<String, String> pose(String heading, String pitch, String roll) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("GPano:PoseHeadingDegrees", heading);
        m.put("GPano:PosePitchDegrees", pitch);
        m.put("GPano:PoseRollDegrees", roll);
        return m;
    }

    private static Map<String, String> stripPrefix(Map<String, String> gpano) {
        Map<String, String> m = new LinkedHashMap<>();
        gpano.forEach((k, v) -> m.put(k.substring("GPano:".length()), v));
        return m;
    }

    /**
     * Every GPano property of an XMP packet, attribute or element form, as {@code GPano:Name -> value}, parsed
     * the way an XMP reader does: by namespace URI, whatever the prefix.
     */
    static Map<String, String> gpano(String xmp) throws Exception {
        assertNotNull(xmp, "the JPEG has an XMP packet");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document doc = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xmp)));
        Map<String, String> found = new LinkedHashMap<>();
        NodeList descriptions = doc.getElementsByTagNameNS(RDF, "Description");
        for (int i = 0; i < descriptions.getLength(); i++) {
            Element d = (Element) descriptions.item(i);
            for (int a = 0; a < d.getAttributes().getLength(); a++) {
                org.w3c.dom.Node attr = d.getAttributes().item(a);
                if (GPANO.equals(attr.getNamespaceURI())) {
                    assertNull(found.put("GPano:" + attr.getLocalName(), attr.getNodeValue()), "set once");
                }
            }
            NodeList children = d.getElementsByTagNameNS(GPANO, "*");
            for (int c = 0; c < children.getLength(); c++) {
                assertNull(found.put("GPano:" + children.item(c).getLocalName(), children.item(c).getTextContent()),
                        "set once");
            }
        }
        return found;
    }

    private static MetadataProvider provider(String name, Supplier<Map<String, Object>> data,
            Supplier<Map<String, String>> xmp) {
        return new MetadataProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, Object> metadata(String camera) {
                return data.get();
            }

            @Override
            public Map<String, String> xmp(String camera) {
                return xmp.get();
            }
        };
    }
}
