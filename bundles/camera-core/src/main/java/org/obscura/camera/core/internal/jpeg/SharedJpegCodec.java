package org.obscura.camera.core.internal.jpeg;

import java.nio.ByteBuffer;

import org.obscura.camera.api.Frame;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The bundle's one JPEG codec ({@link JpegCodecs#open()}: libjpeg-turbo, else the pure-Java codec), shared by the
 * registry's frame hubs, {@link CoreFrameImages} and the capture service: one pool of native TurboJPEG workers,
 * bounded as a whole, and one warning when the library is missing, rather than one of each per user.
 *
 * <p>Registered under the bundle-internal {@link JpegCodec} type, in a private package no other bundle can see
 * (like {@code CameraDevices}). Its users hold static references to it, so SCR deactivates them before this
 * component's service goes away and before {@link #deactivate()} frees the native state: no component uses the
 * codec after it is closed. A stray call after that (a hub thread the registry could not stop in time) still
 * gets a picture, from the pure-Java fallback. Users never close it: {@link #close()} does nothing.
 */
@Component(service = JpegCodec.class)
public final class SharedJpegCodec implements JpegCodec {

    private final JpegCodec codec;

    @Activate
    public SharedJpegCodec() {
        this(JpegCodecs.open());
    }

    /** Around a given codec, which {@link #deactivate()} closes. */
    SharedJpegCodec(JpegCodec codec) {
        this.codec = codec;
    }

    /** Frees the native state; waits for calls in progress. */
    @Deactivate
    void deactivate() {
        codec.close();
    }

    @Override
    public String name() {
        return codec.name();
    }

    @Override
    public boolean fallback() {
        return codec.fallback();
    }

    @Override
    public byte[] encode(Frame frame, int quality) {
        return codec.encode(frame, quality);
    }

    @Override
    public byte[] encode(BgrImage image, int quality) {
        return codec.encode(image, quality);
    }

    @Override
    public BgrImage decode(ByteBuffer jpeg, int minWidth, int minHeight) {
        return codec.decode(jpeg, minWidth, minHeight);
    }

    /** Nothing: the codec is shared and lives as long as this component. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "SharedJpegCodec[" + codec.name() + "]";
    }
}
