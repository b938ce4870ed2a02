package org.obscura.lights.gpio.internal;

import java.util.ArrayList;
import java.util.List;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalOutputProvider;
import com.pi4j.io.gpio.digital.DigitalState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Output pins through one Pi4J digital output provider of a context this object owns (it shuts the
 * context down on {@link #close()}).
 */
final class Pi4jPins implements GpioPins {

    private static final Logger LOG = LoggerFactory.getLogger(Pi4jPins.class);

    private final Context context;
    private final DigitalOutputProvider provider;
    private final String providerId;
    private final List<DigitalOutput> opened = new ArrayList<>();

    /**
     * @param context    a Pi4J context, owned from now on
     * @param providerId id of its digital output provider to use, e.g. {@code linuxfs-digital-output}
     * @throws RuntimeException when the context has no such provider (the context is shut down)
     */
    Pi4jPins(Context context, String providerId) {
        this.context = context;
        this.providerId = providerId;
        try {
            this.provider = context.provider(providerId, DigitalOutputProvider.class);
        } catch (RuntimeException e) {
            shutdown();
            throw e;
        }
    }

    @Override
    public String description() {
        return providerId;
    }

    @Override
    public Pin open(int bcm, String name, boolean initialHigh) {
        DigitalState initial = initialHigh ? DigitalState.HIGH : DigitalState.LOW;
        DigitalOutputConfigBuilder config = DigitalOutput.newConfigBuilder(context)
                .id("obscura-light-" + name)
                .name(name)
                .address(bcm)
                .initial(initial)
                // Pi4J's own shutdown path leaves the pin at the light's "off" level as well.
                .shutdown(initial);
        DigitalOutput output = provider.create(config.build());
        opened.add(output);
        return high -> output.state(high ? DigitalState.HIGH : DigitalState.LOW);
    }

    @Override
    public void close() {
        opened.clear();
        shutdown();
    }

    private void shutdown() {
        try {
            context.shutdown();
        } catch (RuntimeException e) {
            LOG.warn("Pi4J context did not shut down cleanly: {}", e.toString());
        }
    }
}
