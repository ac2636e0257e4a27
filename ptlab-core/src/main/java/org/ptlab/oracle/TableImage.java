package org.ptlab.oracle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Physical memory holding translation tables, read one 64-bit little-endian descriptor at a time. */
public interface TableImage {
    /** The descriptor at index idx of the table at physical address tablePa. */
    long read(long tablePa, int idx);

    /** Guest RAM as a host file (QEMU's memory-backend-file): file offset = PA - base. */
    final class GuestRam implements TableImage, AutoCloseable {
        private final FileChannel ch;
        private final long base;
        private final long size;
        private final ByteBuffer page;
        private long cached = -1;

        public GuestRam(Path file, long base, int tableBytes) throws IOException {
            this.ch = FileChannel.open(file, StandardOpenOption.READ);
            this.base = base;
            this.size = ch.size();
            this.page = ByteBuffer.allocate(tableBytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public long read(long tablePa, int idx) {
            long pageStart = tablePa & -(long) page.capacity();
            long off = tablePa - pageStart + 8L * idx;
            if (pageStart != cached) {
                long pos = pageStart - base;
                if (pos < 0 || pos + page.capacity() > size) {
                    throw new IllegalStateException(String.format("table at PA 0x%x lies outside guest RAM [0x%x, 0x%x)",
                            tablePa, base, base + size));
                }
                page.clear();
                try {
                    while (page.hasRemaining()) {
                        if (ch.read(page, pos + page.position()) < 0) {
                            throw new IOException("short read");
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                cached = pageStart;
            }
            return page.getLong((int) off);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    /** A memory image in a byte array starting at PA base (tests, synthetic tables). */
    final class Bytes implements TableImage {
        private final ByteBuffer buf;
        private final long base;

        public Bytes(byte[] image, long base) {
            this.buf = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
            this.base = base;
        }

        @Override
        public long read(long tablePa, int idx) {
            long off = tablePa - base + 8L * idx;
            if (off < 0 || off + 8 > buf.capacity()) {
                throw new IllegalStateException(String.format("table at PA 0x%x lies outside the image", tablePa));
            }
            return buf.getLong((int) off);
        }
    }
}
