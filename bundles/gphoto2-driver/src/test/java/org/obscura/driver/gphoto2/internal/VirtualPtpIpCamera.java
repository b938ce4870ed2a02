package org.obscura.driver.gphoto2.internal;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A generic (vendor-neutral) PTP camera reachable over PTP/IP on 127.0.0.1, for testing the driver against
 * the real libgphoto2 without hardware.
 *
 * <p>It listens on two ephemeral ports: the command connection (Init Command handshake, then operation
 * requests, data phases and responses) and the event connection (Init Event handshake, then events). It
 * answers the operations a plain PTP 1.1 still camera offers: device info, one storage with a flat list of
 * objects, object info/data/delete, device properties with enumeration or range forms (white balance,
 * f-number, exposure time, ISO, battery level, date/time), InitiateCapture followed by ObjectAdded and
 * CaptureComplete events, and PTP 1.1 video streams (GetStreamInfo/GetStream) serving JPEG frames as
 * liveview. Unknown operations get OperationNotSupported, as a real camera answers.
 *
 * <p>One client session at a time; a new command connection replaces the old one. {@link #vanish()} closes
 * the current connections as an unplugged camera would, and {@link #setOnline(boolean)} makes it refuse
 * (accept and drop) new connections. Thread-safe: state is guarded by this object's monitor.
 */
final class VirtualPtpIpCamera implements Closeable {

    // PTP/IP packet types
    static final int INIT_COMMAND_REQUEST = 1;
    static final int INIT_COMMAND_ACK = 2;
    static final int INIT_EVENT_REQUEST = 3;
    static final int INIT_EVENT_ACK = 4;
    static final int INIT_FAIL = 5;
    static final int OPERATION_REQUEST = 6;
    static final int OPERATION_RESPONSE = 7;
    static final int EVENT = 8;
    static final int START_DATA = 9;
    static final int DATA = 10;
    static final int END_DATA = 12;

    // operations
    static final int GET_DEVICE_INFO = 0x1001;
    static final int OPEN_SESSION = 0x1002;
    static final int CLOSE_SESSION = 0x1003;
    static final int GET_STORAGE_IDS = 0x1004;
    static final int GET_STORAGE_INFO = 0x1005;
    static final int GET_NUM_OBJECTS = 0x1006;
    static final int GET_OBJECT_HANDLES = 0x1007;
    static final int GET_OBJECT_INFO = 0x1008;
    static final int GET_OBJECT = 0x1009;
    static final int DELETE_OBJECT = 0x100B;
    static final int INITIATE_CAPTURE = 0x100E;
    static final int GET_DEVICE_PROP_DESC = 0x1014;
    static final int GET_DEVICE_PROP_VALUE = 0x1015;
    static final int SET_DEVICE_PROP_VALUE = 0x1016;
    static final int GET_STREAM_INFO = 0x1024;
    static final int GET_STREAM = 0x1025;

    // responses
    static final int OK = 0x2001;
    static final int GENERAL_ERROR = 0x2002;
    static final int SESSION_NOT_OPEN = 0x2003;
    static final int OPERATION_NOT_SUPPORTED = 0x2005;
    static final int INVALID_STORAGE_ID = 0x2008;
    static final int INVALID_OBJECT_HANDLE = 0x2009;
    static final int DEVICE_PROP_NOT_SUPPORTED = 0x200A;
    static final int ACCESS_DENIED = 0x200F;
    static final int DEVICE_BUSY = 0x2019;
    static final int INVALID_DEVICE_PROP_VALUE = 0x201C;
    static final int INVALID_PARAMETER = 0x201D;
    static final int SESSION_ALREADY_OPEN = 0x201E;

    // events
    static final int EVENT_OBJECT_ADDED = 0x4002;
    static final int EVENT_OBJECT_REMOVED = 0x4003;
    static final int EVENT_DEVICE_PROP_CHANGED = 0x4006;
    static final int EVENT_CAPTURE_COMPLETE = 0x400D;

    // device properties
    static final int PROP_BATTERY_LEVEL = 0x5001;
    static final int PROP_WHITE_BALANCE = 0x5005;
    static final int PROP_F_NUMBER = 0x5007;
    static final int PROP_EXPOSURE_TIME = 0x500D;
    static final int PROP_ISO = 0x500F;
    static final int PROP_DATE_TIME = 0x5011;
    static final int PROP_SUPPORTED_STREAMS = 0x5020;
    static final int PROP_ENABLED_STREAMS = 0x5021;

    // data types
    static final int UINT8 = 0x0002;
    static final int UINT16 = 0x0004;
    static final int UINT32 = 0x0006;
    static final int STRING = 0xFFFF;

    static final int STORAGE_ID = 0x00010001;
    static final int FORMAT_EXIF_JPEG = 0x3801;
    static final int FORMAT_ASSOCIATION = 0x3001;

    private static final int[] OPERATIONS = { GET_DEVICE_INFO, OPEN_SESSION, CLOSE_SESSION, GET_STORAGE_IDS,
            GET_STORAGE_INFO, GET_NUM_OBJECTS, GET_OBJECT_HANDLES, GET_OBJECT_INFO, GET_OBJECT, DELETE_OBJECT,
            INITIATE_CAPTURE, GET_DEVICE_PROP_DESC, GET_DEVICE_PROP_VALUE, SET_DEVICE_PROP_VALUE, GET_STREAM_INFO,
            GET_STREAM };
    private static final int[] EVENTS = { EVENT_OBJECT_ADDED, EVENT_OBJECT_REMOVED, EVENT_DEVICE_PROP_CHANGED,
            EVENT_CAPTURE_COMPLETE };
    private static final int DATA_CHUNK = 64 * 1024;

    /** A device property with its descriptor: value type, writability and allowed values. */
    static final class Property {
        final int code;
        final int dataType;
        final boolean writable;
        final Object factoryDefault;
        Object value;
        final List<Long> enumeration; // null unless enumeration form
        final long[] range; // {min, max, step} or null

        Property(int code, int dataType, boolean writable, Object value, List<Long> enumeration, long[] range) {
            this.code = code;
            this.dataType = dataType;
            this.writable = writable;
            this.factoryDefault = value;
            this.value = value;
            this.enumeration = enumeration;
            this.range = range;
        }

        boolean allows(Object candidate) {
            if (dataType == STRING) {
                return candidate instanceof String;
            }
            long v = (Long) candidate;
            if (enumeration != null) {
                return enumeration.contains(v);
            }
            if (range != null) {
                return v >= range[0] && v <= range[1] && (range[2] == 0 || (v - range[0]) % range[2] == 0);
            }
            return true;
        }
    }

    /** An image on the virtual card. */
    record StoredObject(int handle, String fileName, byte[] data, int width, int height) {
    }

    private final ServerSocket commandServer;
    private final ServerSocket eventServer;
    private final Thread acceptor;
    private final Map<Integer, Property> properties = new LinkedHashMap<>();
    private final Map<Integer, StoredObject> objects = new TreeMap<>();
    private final List<Integer> operationLog = new CopyOnWriteArrayList<>();
    private final AtomicInteger streamFramesServed = new AtomicInteger();
    private final AtomicInteger sessionsOpened = new AtomicInteger();
    private final AtomicInteger connectionsEnded = new AtomicInteger();
    private final AtomicInteger capturesTaken = new AtomicInteger();
    private final AtomicInteger objectsDownloaded = new AtomicInteger();
    private final List<Integer> deletedHandles = new CopyOnWriteArrayList<>();

    private int nextHandle = 1;
    private byte[] captureImage;
    private int captureWidth;
    private int captureHeight;
    private List<byte[]> previewFrames = List.of();
    private int nextPreview;
    private boolean online = true;
    private boolean captureBusy;
    private long streamDelayMillis;
    private Session session;
    private volatile boolean closed;

    /**
     * @param captureImage  the JPEG that every InitiateCapture stores on the card
     * @param previewFrames the JPEG frames GetStream serves in turn; empty for a camera without liveview
     */
    VirtualPtpIpCamera(byte[] captureImage, int width, int height, List<byte[]> previewFrames) throws IOException {
        this.captureImage = captureImage.clone();
        this.captureWidth = width;
        this.captureHeight = height;
        this.previewFrames = List.copyOf(previewFrames);
        properties.put(PROP_BATTERY_LEVEL, new Property(PROP_BATTERY_LEVEL, UINT8, false, 80L, null,
                new long[] { 0, 100, 1 }));
        properties.put(PROP_WHITE_BALANCE, new Property(PROP_WHITE_BALANCE, UINT16, true, 2L,
                List.of(2L, 4L, 5L, 6L, 7L), null));
        properties.put(PROP_F_NUMBER, new Property(PROP_F_NUMBER, UINT16, true, 560L,
                List.of(280L, 400L, 560L, 800L, 1100L), null));
        properties.put(PROP_EXPOSURE_TIME, new Property(PROP_EXPOSURE_TIME, UINT32, true, 80L,
                List.of(10000L, 333L, 80L, 40L, 10L), null));
        properties.put(PROP_ISO, new Property(PROP_ISO, UINT16, true, 100L,
                List.of(100L, 200L, 400L, 800L, 1600L), null));
        properties.put(PROP_DATE_TIME, new Property(PROP_DATE_TIME, STRING, true, "20250102T030405", null, null));
        if (!previewFrames.isEmpty()) {
            properties.put(PROP_SUPPORTED_STREAMS, new Property(PROP_SUPPORTED_STREAMS, UINT32, false, 1L, null,
                    null));
            properties.put(PROP_ENABLED_STREAMS, new Property(PROP_ENABLED_STREAMS, UINT32, true, 0L,
                    List.of(0L, 1L), null));
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        commandServer = new ServerSocket();
        commandServer.setReuseAddress(true);
        commandServer.bind(new InetSocketAddress(loopback, 0));
        eventServer = new ServerSocket();
        eventServer.setReuseAddress(true);
        eventServer.bind(new InetSocketAddress(loopback, 0));
        acceptor = new Thread(this::acceptLoop, "virtual-ptpip-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The libgphoto2 port string for this camera: {@code ptpip:127.0.0.1:CMD:EVENT}. */
    String port() {
        return "ptpip:127.0.0.1:" + commandServer.getLocalPort() + ":" + eventServer.getLocalPort();
    }

    /** The current value of a property: Long for integer types, String for strings. */
    synchronized Object propertyValue(int code) {
        return properties.get(code).value;
    }

    /** Changes a property as if the user turned a dial on the camera (no event is sent). */
    synchronized void setPropertyValue(int code, Object value) {
        properties.get(code).value = value;
    }

    /** The JPEG stored by the next captures. */
    synchronized void setCaptureImage(byte[] jpeg, int width, int height) {
        captureImage = jpeg.clone();
        captureWidth = width;
        captureHeight = height;
    }

    /**
     * Whether InitiateCapture answers DeviceBusy (and creates nothing), as a camera still writing the last
     * shot or showing a menu does.
     */
    synchronized void setCaptureBusy(boolean busy) {
        captureBusy = busy;
    }

    /**
     * How long GetStream waits before it answers, as a camera whose liveview stalls without dropping the link;
     * the command connection serves nothing else meanwhile.
     */
    synchronized void setStreamDelay(long millis) {
        streamDelayMillis = millis;
    }

    /** Whether new connections are accepted; when offline they are accepted and dropped at once. */
    synchronized void setOnline(boolean online) {
        this.online = online;
    }

    /** Closes the current connections, as a camera that is switched off or unplugged. */
    void vanish() {
        Session s;
        synchronized (this) {
            online = false;
            s = session;
            session = null;
        }
        if (s != null) {
            s.close();
        }
    }

    synchronized Map<Integer, StoredObject> objects() {
        return new TreeMap<>(objects);
    }

    List<Integer> operationLog() {
        return List.copyOf(operationLog);
    }

    List<Integer> deletedHandles() {
        return List.copyOf(deletedHandles);
    }

    int streamFramesServed() {
        return streamFramesServed.get();
    }

    int sessionsOpened() {
        return sessionsOpened.get();
    }

    /** Command connections that ended, whoever closed them. */
    int connectionsEnded() {
        return connectionsEnded.get();
    }

    int capturesTaken() {
        return capturesTaken.get();
    }

    int objectsDownloaded() {
        return objectsDownloaded.get();
    }

    @Override
    public void close() {
        closed = true;
        Session s;
        synchronized (this) {
            s = session;
            session = null;
        }
        if (s != null) {
            s.close();
        }
        closeQuietly(commandServer);
        closeQuietly(eventServer);
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- connections ----

    private void acceptLoop() {
        while (!closed) {
            Socket command;
            try {
                command = commandServer.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            boolean accepting;
            synchronized (this) {
                accepting = online;
            }
            if (!accepting) {
                closeQuietly(command);
                continue;
            }
            Session previous;
            Session next = new Session(command);
            synchronized (this) {
                previous = session;
                session = next;
            }
            if (previous != null) {
                previous.close();
            }
            Thread t = new Thread(next::run, "virtual-ptpip-session");
            t.setDaemon(true);
            t.start();
        }
    }

    /** One client connection pair; runs the command loop on its own thread. */
    private final class Session {
        private final Socket command;
        private volatile Socket event;
        private final Object eventWriteLock = new Object();
        private boolean open;

        Session(Socket command) {
            this.command = command;
        }

        void run() {
            try {
                command.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(command.getInputStream());
                OutputStream out = command.getOutputStream();
                Packet init = Packet.read(in);
                if (init.type != INIT_COMMAND_REQUEST) {
                    out.write(packet(INIT_FAIL, le(4).putInt(1)));
                    return;
                }
                // connection number, GUID, friendly name, protocol version 1.0
                ByteBuffer ack = le(4 + 16 + 2 * 32 + 4);
                ack.putInt(1);
                ack.put(new byte[] { 0x0b, (byte) 0xc5, 0x1a, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 });
                putUcs2(ack, "Obscura Virtual Camera");
                ack.putInt(0x00010000);
                out.write(packet(INIT_COMMAND_ACK, ack));
                out.flush();

                eventServer.setSoTimeout(10_000);
                Socket ev;
                try {
                    ev = eventServer.accept();
                } catch (SocketTimeoutException e) {
                    return;
                }
                event = ev;
                ev.setTcpNoDelay(true);
                Packet evInit = Packet.read(new DataInputStream(ev.getInputStream()));
                if (evInit.type != INIT_EVENT_REQUEST) {
                    return;
                }
                synchronized (eventWriteLock) {
                    ev.getOutputStream().write(packet(INIT_EVENT_ACK, le(0)));
                    ev.getOutputStream().flush();
                }
                while (!closed) {
                    Packet p = Packet.read(in);
                    if (p.type != OPERATION_REQUEST) {
                        continue; // probe requests and cancels are not used by libgphoto2 here
                    }
                    ByteBuffer b = p.payload();
                    int dataPhase = b.getInt();
                    int code = b.getShort() & 0xFFFF;
                    int transaction = b.getInt();
                    int[] params = new int[b.remaining() / 4];
                    for (int i = 0; i < params.length; i++) {
                        params[i] = b.getInt();
                    }
                    byte[] incoming = dataPhase == 2 ? readDataPhase(in) : null;
                    operationLog.add(code);
                    handle(out, code, transaction, params, incoming);
                }
            } catch (EOFException | SocketException e) {
                // client went away or the camera vanished: end of session
            } catch (IOException e) {
                // same: a broken connection ends the session
            } finally {
                connectionsEnded.incrementAndGet();
                close();
            }
        }

        private byte[] readDataPhase(DataInputStream in) throws IOException {
            Packet start = Packet.read(in);
            if (start.type != START_DATA) {
                throw new IOException("expected start data, got " + start.type);
            }
            ByteBuffer sb = start.payload();
            sb.getInt(); // transaction
            long total = sb.getLong();
            ByteArrayOutputStream data = new ByteArrayOutputStream((int) total);
            while (data.size() < total) {
                Packet d = Packet.read(in);
                if (d.type != DATA && d.type != END_DATA) {
                    throw new IOException("expected data, got " + d.type);
                }
                data.write(d.body, 4, d.body.length - 4);
                if (d.type == END_DATA) {
                    break;
                }
            }
            return data.toByteArray();
        }

        private void handle(OutputStream out, int code, int transaction, int[] params, byte[] incoming)
                throws IOException {
            if (!open && code != GET_DEVICE_INFO && code != OPEN_SESSION) {
                respond(out, transaction, SESSION_NOT_OPEN);
                return;
            }
            switch (code) {
            case GET_DEVICE_INFO -> sendData(out, transaction, deviceInfo(), OK);
            case OPEN_SESSION -> {
                if (open) {
                    respond(out, transaction, SESSION_ALREADY_OPEN);
                } else {
                    open = true;
                    sessionsOpened.incrementAndGet();
                    respond(out, transaction, OK);
                }
            }
            case CLOSE_SESSION -> {
                open = false;
                respond(out, transaction, OK);
            }
            case GET_STORAGE_IDS -> sendData(out, transaction, le(8).putInt(1).putInt(STORAGE_ID), OK);
            case GET_STORAGE_INFO -> {
                if (param(params, 0) != STORAGE_ID) {
                    respond(out, transaction, INVALID_STORAGE_ID);
                } else {
                    sendData(out, transaction, storageInfo(), OK);
                }
            }
            case GET_NUM_OBJECTS -> {
                int n;
                synchronized (VirtualPtpIpCamera.this) {
                    n = objects.size();
                }
                respond(out, transaction, OK, n);
            }
            case GET_OBJECT_HANDLES -> {
                ByteBuffer b;
                synchronized (VirtualPtpIpCamera.this) {
                    b = le(4 + 4 * objects.size()).putInt(objects.size());
                    for (int h : objects.keySet()) {
                        b.putInt(h);
                    }
                }
                sendData(out, transaction, b, OK);
            }
            case GET_OBJECT_INFO -> {
                StoredObject o = object(param(params, 0));
                if (o == null) {
                    respond(out, transaction, INVALID_OBJECT_HANDLE);
                } else {
                    sendData(out, transaction, objectInfo(o), OK);
                }
            }
            case GET_OBJECT -> {
                StoredObject o = object(param(params, 0));
                if (o == null) {
                    respond(out, transaction, INVALID_OBJECT_HANDLE);
                } else {
                    objectsDownloaded.incrementAndGet();
                    sendData(out, transaction, ByteBuffer.wrap(o.data()).position(o.data().length), OK);
                }
            }
            case DELETE_OBJECT -> {
                StoredObject removed;
                synchronized (VirtualPtpIpCamera.this) {
                    removed = objects.remove(param(params, 0));
                }
                if (removed == null) {
                    respond(out, transaction, INVALID_OBJECT_HANDLE);
                } else {
                    deletedHandles.add(removed.handle());
                    respond(out, transaction, OK);
                }
            }
            case INITIATE_CAPTURE -> initiateCapture(out, transaction);
            case GET_DEVICE_PROP_DESC -> {
                ByteBuffer desc = propertyDescriptor(param(params, 0));
                if (desc == null) {
                    respond(out, transaction, DEVICE_PROP_NOT_SUPPORTED);
                } else {
                    sendData(out, transaction, desc, OK);
                }
            }
            case GET_DEVICE_PROP_VALUE -> {
                ByteBuffer value;
                synchronized (VirtualPtpIpCamera.this) {
                    Property p = properties.get(param(params, 0));
                    value = p == null ? null : encodeValue(p.dataType, p.value);
                }
                if (value == null) {
                    respond(out, transaction, DEVICE_PROP_NOT_SUPPORTED);
                } else {
                    sendData(out, transaction, value, OK);
                }
            }
            case SET_DEVICE_PROP_VALUE -> setProperty(out, transaction, param(params, 0), incoming);
            case GET_STREAM_INFO -> {
                int maxFrame = 0;
                synchronized (VirtualPtpIpCamera.this) {
                    for (byte[] f : previewFrames) {
                        maxFrame = Math.max(maxFrame, f.length);
                    }
                }
                if (maxFrame == 0 || (param(params, 0) != 0 && param(params, 0) != 1)) {
                    respond(out, transaction, INVALID_PARAMETER);
                } else {
                    ByteBuffer si = le(36).putLong(36).putLong(1_000_000).putInt(0).putInt(maxFrame).putInt(0)
                            .putInt(maxFrame).putInt(0);
                    sendData(out, transaction, si, OK);
                }
            }
            case GET_STREAM -> {
                long delay;
                synchronized (VirtualPtpIpCamera.this) {
                    delay = streamDelayMillis;
                }
                if (delay > 0) {
                    try {
                        Thread.sleep(delay);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SocketException("interrupted");
                    }
                }
                byte[] frame = null;
                synchronized (VirtualPtpIpCamera.this) {
                    Property enabled = properties.get(PROP_ENABLED_STREAMS);
                    if (enabled != null && ((Long) enabled.value & 1) != 0 && !previewFrames.isEmpty()) {
                        frame = previewFrames.get(nextPreview++ % previewFrames.size());
                    }
                }
                if (frame == null) {
                    respond(out, transaction, ACCESS_DENIED);
                } else {
                    streamFramesServed.incrementAndGet();
                    sendData(out, transaction, ByteBuffer.wrap(frame).position(frame.length), OK);
                }
            }
            default -> respond(out, transaction, OPERATION_NOT_SUPPORTED);
            }
        }

        private void initiateCapture(OutputStream out, int transaction) throws IOException {
            StoredObject o;
            synchronized (VirtualPtpIpCamera.this) {
                if (captureBusy) {
                    o = null;
                } else {
                    int handle = nextHandle++;
                    o = new StoredObject(handle, String.format("IMG_%04d.JPG", handle), captureImage, captureWidth,
                            captureHeight);
                    objects.put(handle, o);
                }
            }
            if (o == null) {
                respond(out, transaction, DEVICE_BUSY);
                return;
            }
            capturesTaken.incrementAndGet();
            respond(out, transaction, OK);
            event(EVENT_OBJECT_ADDED, transaction, o.handle());
            event(EVENT_CAPTURE_COMPLETE, transaction, transaction);
        }

        private void setProperty(OutputStream out, int transaction, int code, byte[] incoming) throws IOException {
            int rc;
            synchronized (VirtualPtpIpCamera.this) {
                Property p = properties.get(code);
                if (p == null) {
                    rc = DEVICE_PROP_NOT_SUPPORTED;
                } else if (!p.writable) {
                    rc = ACCESS_DENIED;
                } else if (incoming == null) {
                    rc = INVALID_DEVICE_PROP_VALUE;
                } else {
                    Object value = decodeValue(p.dataType, ByteBuffer.wrap(incoming).order(ByteOrder.LITTLE_ENDIAN));
                    if (p.allows(value)) {
                        p.value = value;
                        rc = OK;
                    } else {
                        rc = INVALID_DEVICE_PROP_VALUE;
                    }
                }
            }
            respond(out, transaction, rc);
            if (rc == OK) {
                event(EVENT_DEVICE_PROP_CHANGED, 0, code);
            }
        }

        private void event(int code, int transaction, int param) throws IOException {
            Socket ev = event;
            if (ev == null) {
                return;
            }
            synchronized (eventWriteLock) {
                ev.getOutputStream().write(packet(EVENT, le(2 + 4 + 4).putShort((short) code).putInt(transaction)
                        .putInt(param)));
                ev.getOutputStream().flush();
            }
        }

        void close() {
            closeQuietly(command);
            Socket ev = event;
            if (ev != null) {
                closeQuietly(ev);
            }
            synchronized (VirtualPtpIpCamera.this) {
                if (session == this) {
                    session = null;
                }
            }
        }
    }

    private synchronized StoredObject object(int handle) {
        return objects.get(handle);
    }

    // ---- datasets ----

    private ByteBuffer deviceInfo() {
        ByteBuffer b = le(4096);
        b.putShort((short) 110); // PTP 1.1
        b.putInt(0); // no vendor extension: a generic camera
        b.putShort((short) 0);
        putString(b, "");
        b.putShort((short) 0); // functional mode
        putArray16(b, OPERATIONS);
        putArray16(b, EVENTS);
        int[] props;
        synchronized (this) {
            props = properties.keySet().stream().mapToInt(Integer::intValue).toArray();
        }
        putArray16(b, props);
        putArray16(b, new int[] { FORMAT_EXIF_JPEG });
        putArray16(b, new int[] { FORMAT_EXIF_JPEG, FORMAT_ASSOCIATION });
        putString(b, "Obscura");
        putString(b, "Virtual PTP/IP Camera");
        putString(b, "1.0");
        putString(b, "OBS0001");
        return b;
    }

    private ByteBuffer storageInfo() {
        ByteBuffer b = le(256);
        b.putShort((short) 0x0004); // removable RAM
        b.putShort((short) 0x0002); // generic hierarchical
        b.putShort((short) 0x0000); // read-write
        b.putLong(32L << 30);
        b.putLong(16L << 30);
        b.putInt(0xFFFFFFFF);
        putString(b, "Virtual card");
        putString(b, "OBSCURA");
        return b;
    }

    private static ByteBuffer objectInfo(StoredObject o) {
        ByteBuffer b = le(512);
        b.putInt(STORAGE_ID);
        b.putShort((short) FORMAT_EXIF_JPEG);
        b.putShort((short) 0); // no protection
        b.putInt(o.data().length);
        b.putShort((short) 0); // no thumbnail
        b.putInt(0);
        b.putInt(0);
        b.putInt(0);
        b.putInt(o.width());
        b.putInt(o.height());
        b.putInt(24);
        b.putInt(0); // parent: root
        b.putShort((short) 0);
        b.putInt(0);
        b.putInt(0);
        putString(b, o.fileName());
        putString(b, "20250102T030405");
        putString(b, "20250102T030405");
        putString(b, "");
        return b;
    }

    private synchronized ByteBuffer propertyDescriptor(int code) {
        Property p = properties.get(code);
        if (p == null) {
            return null;
        }
        ByteBuffer b = le(1024);
        b.putShort((short) p.code);
        b.putShort((short) p.dataType);
        b.put((byte) (p.writable ? 1 : 0));
        putValue(b, p.dataType, p.factoryDefault);
        putValue(b, p.dataType, p.value);
        if (p.enumeration != null) {
            b.put((byte) 2);
            b.putShort((short) p.enumeration.size());
            for (long v : p.enumeration) {
                putValue(b, p.dataType, v);
            }
        } else if (p.range != null) {
            b.put((byte) 1);
            for (long v : p.range) {
                putValue(b, p.dataType, v);
            }
        } else {
            b.put((byte) 0);
        }
        return b;
    }

    private static ByteBuffer encodeValue(int dataType, Object value) {
        ByteBuffer b = le(600);
        putValue(b, dataType, value);
        return b;
    }

    private static void putValue(ByteBuffer b, int dataType, Object value) {
        switch (dataType) {
        case UINT8 -> b.put((byte) (long) (Long) value);
        case UINT16 -> b.putShort((short) (long) (Long) value);
        case UINT32 -> b.putInt((int) (long) (Long) value);
        case STRING -> putString(b, (String) value);
        default -> throw new IllegalArgumentException("data type " + dataType);
        }
    }

    private static Object decodeValue(int dataType, ByteBuffer b) {
        return switch (dataType) {
        case UINT8 -> (long) (b.get() & 0xFF);
        case UINT16 -> (long) (b.getShort() & 0xFFFF);
        case UINT32 -> b.getInt() & 0xFFFFFFFFL;
        case STRING -> getString(b);
        default -> throw new IllegalArgumentException("data type " + dataType);
        };
    }

    // ---- wire helpers ----

    private record Packet(int type, byte[] body) {
        static Packet read(DataInputStream in) throws IOException {
            byte[] header = new byte[8];
            in.readFully(header);
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            int length = h.getInt();
            int type = h.getInt();
            if (length < 8 || length > 64 << 20) {
                throw new IOException("bad PTP/IP packet length " + length);
            }
            byte[] body = new byte[length - 8];
            in.readFully(body);
            return new Packet(type, body);
        }

        ByteBuffer payload() {
            return ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private static int param(int[] params, int index) {
        return index < params.length ? params[index] : 0;
    }

    private static void respond(OutputStream out, int transaction, int code, int... params) throws IOException {
        ByteBuffer b = le(6 + 4 * params.length).putShort((short) code).putInt(transaction);
        for (int p : params) {
            b.putInt(p);
        }
        out.write(packet(OPERATION_RESPONSE, b));
        out.flush();
    }

    /** Sends the bytes written to {@code data} (0..position) as a data phase, then the response. */
    private static void sendData(OutputStream out, int transaction, ByteBuffer data, int code) throws IOException {
        int length = data.position();
        byte[] bytes = new byte[length];
        data.flip();
        data.get(bytes);
        out.write(packet(START_DATA, le(12).putInt(transaction).putLong(length)));
        int offset = 0;
        do {
            int n = Math.min(DATA_CHUNK, length - offset);
            boolean last = offset + n >= length;
            ByteBuffer chunk = le(4 + n).putInt(transaction).put(bytes, offset, n);
            out.write(packet(last ? END_DATA : DATA, chunk));
            offset += n;
        } while (offset < length);
        respond(out, transaction, code);
    }

    private static byte[] packet(int type, ByteBuffer payload) {
        int n = payload.position();
        ByteBuffer p = le(8 + n).putInt(8 + n).putInt(type);
        p.put(payload.array(), 0, n);
        return p.array();
    }

    private static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void putArray16(ByteBuffer b, int[] values) {
        b.putInt(values.length);
        for (int v : values) {
            b.putShort((short) v);
        }
    }

    /** A PTP string: character count including the terminator, UCS-2LE characters, 0x0000; "" is one 0 byte. */
    private static void putString(ByteBuffer b, String s) {
        if (s.isEmpty()) {
            b.put((byte) 0);
            return;
        }
        b.put((byte) (s.length() + 1));
        for (char c : s.toCharArray()) {
            b.putChar(c);
        }
        b.putChar('\0');
    }

    private static String getString(ByteBuffer b) {
        int n = b.get() & 0xFF;
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            char c = b.getChar();
            if (c != 0) {
                s.append(c);
            }
        }
        return s.toString();
    }

    private static void putUcs2(ByteBuffer b, String s) {
        b.put(s.getBytes(StandardCharsets.UTF_16LE));
        b.putChar('\0');
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is best effort
        }
    }

    @Override
    public String toString() {
        return "VirtualPtpIpCamera[" + port() + "]";
    }
}
