package org.obscura.driver.v4l2.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;

/**
 * The few C library calls the driver needs, bound through JNA. Every call that can fail declares
 * {@link LastErrorException} so JNA captures {@code errno} right after the call (reading it later would be
 * racy).
 *
 * <p>{@code ioctl} and {@code mremap} are variadic in C; on the Linux ABIs Obscura runs on (x86-64, aarch64,
 * armhf) passing their integer and pointer arguments as fixed arguments is equivalent. {@code unsigned long}
 * and {@code off_t} (without large-file support, which is what the plain {@code mmap} symbol takes) map to
 * {@link NativeLong}, {@code size_t} to {@link SizeT}: both are 32 bits on armhf and 64 bits on 64-bit systems.
 */
public interface LibC extends Library {

    int O_RDWR = 0x2;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;

    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int MAP_SHARED = 0x01;
    int MAP_PRIVATE = 0x02;
    int MAP_ANONYMOUS = 0x20;
    int MREMAP_MAYMOVE = 1;
    int MREMAP_FIXED = 2;

    short POLLIN = 0x1;
    short POLLERR = 0x8;
    short POLLHUP = 0x10;
    short POLLNVAL = 0x20;

    int EPERM = 1;
    int ENOENT = 2;
    int EINTR = 4;
    int EIO = 5;
    int ENXIO = 6;
    int EAGAIN = 11;
    int EACCES = 13;
    int EBUSY = 16;
    int ENODEV = 19;
    int EINVAL = 22;
    int ENOTTY = 25;
    int EPIPE = 32;

    /** Loads the C library; throws {@link UnsatisfiedLinkError} when JNA cannot. */
    static LibC load() {
        return Native.load("c", LibC.class);
    }

    int open(String path, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int ioctl(int fd, NativeLong request, Structure argument) throws LastErrorException;

    int ioctl(int fd, NativeLong request, IntByReference argument) throws LastErrorException;

    Pointer mmap(Pointer address, SizeT length, int protection, int flags, int fd, NativeLong offset)
            throws LastErrorException;

    int munmap(Pointer address, SizeT length) throws LastErrorException;

    Pointer mremap(Pointer oldAddress, SizeT oldLength, SizeT newLength, int flags, Pointer newAddress)
            throws LastErrorException;

    int poll(PollFd pollFd, int count, int timeoutMillis) throws LastErrorException;

    String strerror(int errno);

    /** {@code size_t}: pointer sized, unsigned. */
    final class SizeT extends com.sun.jna.IntegerType {
        private static final long serialVersionUID = 1L;

        public SizeT() {
            this(0);
        }

        public SizeT(long value) {
            super(Native.SIZE_T_SIZE, value, true);
        }
    }

    /** {@code struct pollfd}: 8 bytes on every ABI. */
    @Structure.FieldOrder({"fd", "events", "revents"})
    final class PollFd extends Structure {
        public int fd;
        public short events;
        public short revents;
    }
}
