package org.obscura.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Holds the component description that ships (the DS XML bnd generated into target/classes) and the command
 * methods together: Gogo calls only the functions named in {@code osgi.command.function}, and {@code help}
 * shows only what {@link Descriptor} says.
 */
class CommandRegistrationTest {

    private static final String DESCRIPTION = "OSGI-INF/" + ObscuraCommands.class.getName() + ".xml";

    @Test
    void everyPublicMethodIsARegisteredCommandAndEveryRegisteredCommandExists() throws Exception {
        Element component = component();
        assertEquals("obscura", property(component, "osgi.command.scope").get(0));
        List<String> functions = property(component, "osgi.command.function");
        assertEquals(functions.size(), Set.copyOf(functions).size(), "functions listed twice: " + functions);

        Set<String> methods = commandMethods().stream().map(Method::getName).collect(Collectors.toCollection(
                TreeSet::new));
        assertEquals(methods, new TreeSet<>(functions));
    }

    @Test
    void everyCommandAndEveryParameterHasHelpText() {
        for (Method m : commandMethods()) {
            Descriptor d = m.getAnnotation(Descriptor.class);
            assertNotNull(d, m + " has no @Descriptor");
            assertFalse(d.value().isBlank(), m + " has an empty @Descriptor");
            for (Parameter p : m.getParameters()) {
                Descriptor pd = p.getAnnotation(Descriptor.class);
                assertNotNull(pd, "parameter " + p + " of " + m + " has no @Descriptor");
                assertFalse(pd.value().isBlank());
            }
            assertEquals(String.class, m.getReturnType(), m + " must return its output as text");
        }
    }

    @Test
    void theServiceTheShellFindsIsTheCommandClass() throws Exception {
        Element component = component();
        NodeList provides = component.getElementsByTagName("provide");
        assertEquals(1, provides.getLength());
        assertEquals(ObscuraCommands.class.getName(), ((Element) provides.item(0)).getAttribute("interface"));
        assertTrue(Modifier.isPublic(ObscuraCommands.class.getModifiers()),
                "Gogo calls the methods reflectively: the class must be public");
    }

    /** Public methods declared by the class itself: what Gogo can call by name. */
    private static List<Method> commandMethods() {
        List<Method> methods = new ArrayList<>();
        for (Method m : ObscuraCommands.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && !m.isSynthetic()) {
                methods.add(m);
            }
        }
        return methods;
    }

    private static Element component() throws Exception {
        try (InputStream in = ObscuraCommands.class.getClassLoader().getResourceAsStream(DESCRIPTION)) {
            assertNotNull(in, DESCRIPTION + " is missing: bnd did not process the component");
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            Document doc = factory.newDocumentBuilder().parse(in);
            return doc.getDocumentElement();
        }
    }

    /** A DS property's values: the value attribute, or one value per line of the element's text. */
    private static List<String> property(Element component, String name) {
        NodeList properties = component.getElementsByTagName("property");
        for (int i = 0; i < properties.getLength(); i++) {
            Element p = (Element) properties.item(i);
            if (name.equals(p.getAttribute("name"))) {
                if (p.hasAttribute("value")) {
                    return List.of(p.getAttribute("value"));
                }
                return Arrays.stream(p.getTextContent().split("\n")).map(String::trim).filter(s -> !s.isEmpty())
                        .toList();
            }
        }
        throw new AssertionError("no property " + name + " in " + DESCRIPTION);
    }
}
